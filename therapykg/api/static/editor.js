// The therapykg query editor: YASGUI against this endpoint, with the named
// queries as examples. No network access beyond this server.
(function () {
  const config = window.THERAPYKG;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    yasqe: { autocompleters: ["variables", "prefixes-local"].filter(() => false) },
  });
  const examples = document.getElementById("examples");
  function load(index) {
    const tab = yasgui.getTab();
    tab.setQuery(config.examples[index].query);
  }
  examples.addEventListener("change", () => load(examples.value));
  if (config.examples.length) load(0);
  window.therapykgEditor = yasgui;
})();
