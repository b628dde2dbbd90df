// GraphiQL for the therapykg API, from the package's own assets.
(function () {
  const config = window.THERAPYKG_GRAPHQL;
  const fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: config.query, shouldPersistHeaders: false }));
  window.therapykgGraphiQLReady = true;
})();
