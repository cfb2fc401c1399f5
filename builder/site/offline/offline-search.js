// Offline builds only (guidance build --offline), loaded in the page's head after iframe-worker.js. A page opened
// from disk (file://) cannot fetch() a file, so the search role filter's request for search/search_index.json
// (guidance.js) is answered from the copy of the index the build inlines into search/search_index.js, the one
// Material's own search loads from disk. Any other request, and every page served over http(s), is left alone.
(function () {
  "use strict";
  if (location.protocol !== "file:" || !window.fetch) return;
  var original = window.fetch;

  function inlined(json) {
    return new Promise(function (resolve, reject) {
      if (typeof window.__index !== "undefined") return resolve(window.__index);
      var script = document.createElement("script");
      script.src = json.href.replace(/\.json$/, ".js");
      script.onload = function () { resolve(window.__index); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  window.fetch = function (input) {
    var url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.protocol === "file:" && /\/search\/search_index\.json$/.test(url.pathname)) {
      return inlined(url).then(function (index) {
        return new Response(JSON.stringify(index), { headers: { "Content-Type": "application/json" } });
      });
    }
    return original.apply(this, arguments);
  };
})();
