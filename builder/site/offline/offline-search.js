// Offline builds only (guidance build --offline), loaded in the page's head after iframe-worker.js. A page opened
// from disk (file://) cannot fetch() a file, so guidance.js's requests for search/search_index.json (the role
// filter) and search/vocabulary.json (spelling slips) are answered from the copies the build inlines into
// search/search_index.js, the one Material's own search loads from disk, and search/vocabulary.js. Any other
// request, and every page served over http(s), is left alone.
(function () {
  "use strict";
  if (location.protocol !== "file:" || !window.fetch) return;
  var original = window.fetch;

  // search/<name>.json → the variable its inlined copy, search/<name>.js, sets (builder/site/search.py)
  var INLINED = { search_index: "__index", vocabulary: "__vocabulary" };

  function inlined(json, variable) {
    return new Promise(function (resolve, reject) {
      if (typeof window[variable] !== "undefined") return resolve(window[variable]);
      var script = document.createElement("script");
      script.src = json.href.replace(/\.json$/, ".js");
      script.onload = function () { resolve(window[variable]); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  window.fetch = function (input) {
    var url = new URL(input instanceof Request ? input.url : String(input), location.href);
    var match = /\/search\/(search_index|vocabulary)\.json$/.exec(url.pathname);
    if (url.protocol === "file:" && match) {
      return inlined(url, INLINED[match[1]]).then(function (data) {
        return new Response(JSON.stringify(data), { headers: { "Content-Type": "application/json" } });
      });
    }
    return original.apply(this, arguments);
  };
})();
