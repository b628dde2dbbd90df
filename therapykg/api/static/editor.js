// The therapykg query editor: YASGUI against this endpoint, with the named
// queries as examples. No request leaves this server: YASQE's completers
// that ask prefix.cc or Linked Open Vocabularies are replaced by ones that
// ask /sparql/complete, the predeclared prefixes come with the page, result
// IRIs of this graph open this service's pages, and downloads re-run the
// query here.
(function () {
  "use strict";
  const config = window.THERAPYKG;
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;
  const HISTORY_KEY = config.persistenceId + "-history";
  const HISTORY_SIZE = 20;

  // --- The predeclared prefixes: known to the tokenizer from the start, so a
  // query using tkg: without declaring it is not marked as an error.
  const sparqlMode = Yasqe.modes.sparql11;
  Yasqe.defineMode("sparql11", function (cmConfig, modeConfig) {
    const mode = sparqlMode(cmConfig, modeConfig);
    const startState = mode.startState;
    mode.startState = function () {
      const state = startState.apply(this, arguments);
      state.prefixes = Object.assign({}, config.prefixes);
      return state;
    };
    return mode;
  });

  // --- Completion, from this service only.
  const original = Object.assign({}, Yasqe.Autocompleters);
  const IRI_SAFE = /^[^<>"{}|^`\\\s]*$/;
  const LOCAL_NAME = /^[\w-]([\w.-]*[\w-])?$/;

  function shortName(iri, prefixes) {
    for (const prefix in prefixes) {
      const ns = prefixes[prefix];
      if (ns && iri.indexOf(ns) === 0) {
        const local = iri.slice(ns.length);
        if (local === "" || LOCAL_NAME.test(local)) return prefix + ":" + local;
      }
    }
    return "<" + iri + ">";
  }

  function expandToken(yasqe, text) {
    const prefixes = yasqe.getPrefixesFromQuery();
    const match = /^([A-Za-z][\w.-]*)?:(.*)$/.exec(text);
    if (match && prefixes[match[1] || ""] !== undefined) return prefixes[match[1] || ""] + match[2];
    return text.replace(/^</, "").replace(/>$/, "");
  }

  const hintLabels = new Map();

  function askService(yasqe, kind, token) {
    const text = expandToken(yasqe, (token && token.string ? token.string : "").trim()).slice(0, 100);
    const url = config.complete + "?" + new URLSearchParams({ q: text, kind: kind }).toString();
    return fetch(url, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : []))
      .then((terms) => {
        const prefixes = yasqe.getPrefixesFromQuery();
        return terms.map((term) => {
          const name = shortName(term.iri, prefixes);
          hintLabels.set(name, term.label || "");
          return name;
        });
      })
      .catch(() => []);
  }

  function withLabels(_yasqe, hints) {
    return hints.map((hint) =>
      Object.assign({}, hint, {
        render: function (element) {
          element.setAttribute("data-text", hint.text);
          const name = document.createElement("span");
          name.className = "tkg-hint-name";
          name.textContent = hint.text;
          element.appendChild(name);
          const label = hintLabels.get(hint.text);
          if (label) {
            const labelEl = document.createElement("span");
            labelEl.className = "tkg-hint-label";
            labelEl.textContent = label;
            element.appendChild(labelEl);
          }
        },
      })
    );
  }

  function tokenText(yasqe) {
    return yasqe.getCompleteToken().string.trim();
  }

  // Worth asking about: a name or part of one (not the keyword "a", a variable, a literal or punctuation).
  function nameLike(text) {
    return text !== "a" && /^(<|[A-Za-z_:])/.test(text) && IRI_SAFE.test(text.replace(/^</, ""));
  }

  function serviceCompleter(name, kind, isValidPosition) {
    return {
      name: name,
      bulk: false,
      autoShow: true,
      persistenceId: undefined,
      isValidCompletionPosition: function (yasqe) {
        return nameLike(tokenText(yasqe)) && isValidPosition(yasqe);
      },
      get: function (yasqe, token) {
        return askService(yasqe, kind, token);
      },
      preProcessToken: function (_yasqe, token) {
        return token;
      },
      postProcessSuggestion: function (_yasqe, _token, suggestion) {
        return suggestion;
      },
      postprocessHints: withLabels,
    };
  }

  function isClassPosition(yasqe) {
    return original["class"].isValidCompletionPosition(yasqe);
  }
  function isPropertyPosition(yasqe) {
    return original.property.isValidCompletionPosition(yasqe);
  }
  function isResourcePosition(yasqe) {
    const token = yasqe.getCompleteToken();
    if (!/^([A-Za-z][\w.-]*)?:|^</.test(token.string)) return false;
    const previous = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
    if (previous && /^(PREFIX|BASE)$/i.test(previous.string)) return false;
    return !isClassPosition(yasqe) && !isPropertyPosition(yasqe);
  }

  // The prefix completer, from the page's list instead of a bundle or prefix.cc.
  Yasqe.registerAutocompleter(
    Object.assign({}, original.prefixes, {
      persistenceId: undefined,
      get: function () {
        return Object.keys(config.prefixes).map((p) => p + ": <" + config.prefixes[p] + ">").sort();
      },
    }),
    false
  );
  Yasqe.registerAutocompleter(serviceCompleter("class", "class", isClassPosition), false);
  Yasqe.registerAutocompleter(serviceCompleter("property", "property", isPropertyPosition), false);
  Yasqe.registerAutocompleter(serviceCompleter("resource", "resource", isResourcePosition), false);
  // Every completer YASQE may run: none of them fetches from outside.
  Yasqe.defaults.autocompleters = ["variables", "prefixes", "class", "property", "resource"];
  Yasqe.defaults.prefixCcApi = null;

  // Result IRIs written with this graph's prefixes; the table's IRIs of this
  // graph open this service's pages (below).
  Yasr.defaults.prefixes = Object.assign({}, config.prefixes);

  // --- The editor.
  const examples = document.getElementById("examples");
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {
      // A function, so that neither a share link nor the tab settings can send queries elsewhere.
      endpoint: () => config.endpoint,
      method: "POST",
    },
    copyEndpointOnNewTab: true,
    persistenceId: config.persistenceId,
    populateFromUrl: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    yasqe: { value: config.examples.length ? config.examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" },
  });

  function load(index) {
    yasgui.getTab().setQuery(config.examples[index].query);
    refreshFormats();
  }
  examples.addEventListener("change", () => load(examples.value));

  // --- Labels and local links in the results table.
  const labels = new Map();
  const pending = new Set();

  function localPage(iri) {
    for (const [ns, path] of config.pages) {
      if (iri.indexOf(ns) === 0) {
        const slug = iri.slice(ns.length);
        if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(slug)) return path + slug;
      }
    }
    return null;
  }

  function showLabel(link) {
    const label = labels.get(link.getAttribute("data-iri"));
    if (!label || link.parentNode.querySelector(".tkg-label")) return;
    const span = document.createElement("span");
    span.className = "tkg-label";
    span.textContent = label;
    link.insertAdjacentElement("afterend", span);
  }

  function fetchLabels(iris) {
    const wanted = iris.filter((iri) => !labels.has(iri) && !pending.has(iri) && IRI_SAFE.test(iri)).slice(0, 500);
    if (!wanted.length) return;
    wanted.forEach((iri) => pending.add(iri));
    const query =
      "SELECT ?s (SAMPLE(?l) AS ?label) WHERE { VALUES ?s { " +
      wanted.map((iri) => "<" + iri + ">").join(" ") +
      " } ?s rdfs:label ?l } GROUP BY ?s";
    fetch(config.endpoint, {
      method: "POST",
      headers: { Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query: query }),
    })
      .then((response) => (response.ok ? response.json() : { results: { bindings: [] } }))
      .then((json) => {
        wanted.forEach((iri) => labels.set(iri, ""));
        json.results.bindings.forEach((row) => labels.set(row.s.value, row.label.value));
        document.querySelectorAll("#yasgui a.iri[data-iri]").forEach(showLabel);
      })
      .catch(() => wanted.forEach((iri) => pending.delete(iri)));
  }

  function decorateResults() {
    const iris = [];
    document.querySelectorAll("#yasgui .yasr a.iri:not([data-iri])").forEach((link) => {
      const iri = link.getAttribute("href");
      link.setAttribute("data-iri", iri);
      const page = localPage(iri);
      if (page) {
        link.setAttribute("href", page);
        link.removeAttribute("target");
        link.removeAttribute("ref");
        link.title = iri;
      }
      // Datatypes of literals keep their IRI alone.
      if (!link.closest("sup")) {
        iris.push(iri);
        showLabel(link);
      }
    });
    fetchLabels(iris);
  }
  let scheduled = false;
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      decorateResults();
    }, 0);
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  // --- Tools under the editor: downloads, recent queries, the prefixes.
  const tools = document.getElementById("editor-tools");
  const formatSelect = document.getElementById("download-format");
  const downloadButton = document.getElementById("download");
  const historySelect = document.getElementById("history");
  const status = document.getElementById("editor-status");

  function placeTools() {
    // Queries run here only: the endpoint field shows this endpoint and cannot be changed.
    document.querySelectorAll("#yasgui .controlbar input.autocomplete").forEach((input) => {
      input.readOnly = true;
      input.title = "Queries run on this service's SPARQL endpoint";
    });
    const tab = yasgui.getTab();
    const wrapper = tab && document.querySelector("#yasgui .tabPanel.active .editorwrapper");
    if (wrapper && tools.previousElementSibling !== wrapper) wrapper.insertAdjacentElement("afterend", tools);
    const yasqe = tab && tab.getYasqe();
    if (yasqe && !yasqe.therapykgWatched) {
      yasqe.therapykgWatched = true;
      yasqe.on("change", refreshFormats);
    }
    refreshFormats();
  }

  function queryKind() {
    const yasqe = yasgui.getTab() && yasgui.getTab().getYasqe();
    const type = yasqe ? yasqe.getQueryType() : "SELECT";
    return type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "results";
  }

  function refreshFormats() {
    const kind = queryKind();
    if (formatSelect.getAttribute("data-kind") === kind) return;
    const previous = formatSelect.value;
    formatSelect.setAttribute("data-kind", kind);
    formatSelect.replaceChildren(
      ...config.formats[kind].map((f) => {
        const option = document.createElement("option");
        option.value = f.name;
        option.textContent = f.label + " (" + f.mediaType + ")";
        return option;
      })
    );
    if (config.formats[kind].some((f) => f.name === previous)) formatSelect.value = previous;
  }

  function download() {
    refreshFormats();
    const kind = formatSelect.getAttribute("data-kind");
    const format = config.formats[kind].find((f) => f.name === formatSelect.value);
    const query = yasgui.getTab().getQuery();
    status.textContent = "Running the query for " + format.label + "...";
    return fetch(config.endpoint, {
      method: "POST",
      headers: { Accept: format.mediaType },
      body: new URLSearchParams({ query: query, format: format.name }),
    })
      .then((response) =>
        response.ok
          ? response.blob()
          : response.text().then((text) => {
              throw new Error(text || response.statusText);
            })
      )
      .then((blob) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "query-results." + format.extension;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10000);
        status.textContent = "";
      })
      .catch((error) => {
        status.textContent = "Download failed: " + error.message;
      });
  }
  downloadButton.addEventListener("click", download);

  function readHistory() {
    try {
      const stored = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(stored) ? stored.filter((q) => typeof q === "string") : [];
    } catch (_e) {
      return [];
    }
  }
  function drawHistory() {
    const history = readHistory();
    const first = document.createElement("option");
    first.value = "";
    first.textContent = history.length ? "(" + history.length + " run in this browser)" : "(none yet)";
    historySelect.replaceChildren(
      first,
      ...history.map((query, i) => {
        const option = document.createElement("option");
        option.value = String(i);
        const summary = query.replace(/^\s*(PREFIX|BASE)\b[^\n]*\n/gim, "").replace(/\s+/g, " ").trim();
        option.textContent = summary.length > 80 ? summary.slice(0, 79) + "…" : summary;
        option.title = query;
        return option;
      })
    );
  }
  function remember(query) {
    const history = [query, ...readHistory().filter((q) => q !== query)].slice(0, HISTORY_SIZE);
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
    } catch (_e) {
      // A full or disabled storage: the history is kept for this page only.
    }
    drawHistory();
  }
  historySelect.addEventListener("change", () => {
    const query = readHistory()[Number(historySelect.value)];
    if (historySelect.value !== "" && query !== undefined) {
      yasgui.getTab().setQuery(query);
      refreshFormats();
    }
  });
  yasgui.on("query", (_yasgui, tab) => remember(tab.getQuery()));
  yasgui.on("tabSelect", () => setTimeout(placeTools, 0));
  yasgui.on("tabAdd", () => setTimeout(placeTools, 0));

  drawHistory();
  placeTools();
  decorateResults();
  window.therapykgEditor = yasgui;
})();
