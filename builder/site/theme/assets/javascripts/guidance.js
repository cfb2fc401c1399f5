// Guidance pages' own script (the pages read fully without it): the print stamp's printed date, and the search's
// role filter. It sets no cookies, stores nothing and asks no other site for anything.
(function () {
  "use strict";

  // Print pages: say when the page was printed, in the stamp, as the browser prints it.
  function stampPrintedDate() {
    var date = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
    document.querySelectorAll(".gd-printed").forEach(function (stamp) {
      stamp.querySelector(".gd-printed__date").textContent = date;
      stamp.classList.add("gd-printed--known");
    });
  }
  window.addEventListener("beforeprint", stampPrintedDate);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) print.addEventListener("change", function (e) { if (e.matches) stampPrintedDate(); });
    if (print.matches) stampPrintedDate();  // opened for printing (a print preview, or a browser saving a PDF)
  }

  // The site's root address, from Material's configuration in the page.
  function base() {
    var config = document.getElementById("__config");
    var root = config ? JSON.parse(config.textContent).base : ".";
    return new URL(root.replace(/\/?$/, "/"), location.href);
  }

  // Search: Material 9.8's worker puts a trailing wildcard on every word of a query (its function ue), so "a" in
  // "stalked by a colleague" matches every word that starts with "a" and "an" in "breach of an SPO" every "annex",
  // and those rank above the words that matter. Leave out the words lunr itself treats as stop words before the
  // query reaches the worker; a query of nothing but such words is left as it is.
  var STOP = ("a able about across after all almost also am among an and any are as at be because been but by can " +
    "cannot could dear did do does either else ever every for from get got had has have he her hers him his how " +
    "however i if in into is it its just least let like likely may me might most must my neither no nor not of off " +
    "often on only or other our own rather said say says she should since so some than that the their them then " +
    "there these they this tis to too twas us wants was we were what when where which while who whom why will " +
    "with would yet you your").split(" ");
  // "stalking" is in nearly every section of guidance on stalking: beside other words it only ranks the sections
  // whose titles say "stalking" above the one that answers, so it is left out too when other words remain.
  var COMMON = [];
  function bare(w) { return w.toLowerCase().replace(/^[^\w&]+|[^\w&]+$/g, ""); }
  function meaningful(query) {
    var words = query.split(/\s+/).filter(Boolean);
    var kept = words.filter(function (w) { return STOP.indexOf(bare(w)) < 0; });
    var rare = kept.filter(function (w) { return COMMON.indexOf(bare(w)) < 0; });
    kept = rare.length ? rare : kept;
    return kept.length ? kept.map(corrected).map(whole).join(" ") : query;
  }
  // A word of one or two letters ("ex", "gp") is searched as itself: with the worker's trailing wildcard "ex" also
  // matched "expect", "examples" and "extent". A boost of 1 ("ex^1") is the one form the worker leaves unstarred.
  function whole(word) {
    return /^[a-z]{1,2}$/i.test(word) ? word + "^1" : word;
  }

  // A word one slip away from a word of the guidance (a letter wrong, missing, extra or two swapped: "stalkng",
  // "harrassment") is searched as that word. search/vocabulary.json, written by guidance build, lists the words
  // of the search index, most used first; a word that begins a word of it is left alone (the reader may still be
  // typing).
  var vocabulary = null;
  function loadVocabulary() {
    if (vocabulary || !window.fetch) return;
    vocabulary = [];
    fetch(new URL("search/vocabulary.json", base())).then(function (r) { return r.ok ? r.json() : []; })
      .then(function (words) { vocabulary = words; }, function () {});
  }
  function oneEdit(a, b) {
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));  // two letters swapped
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }
  function corrected(word) {
    var w = bare(word);
    if (!vocabulary || !vocabulary.length || w.length < 4 || !/^[a-z]+$/.test(w)) return word;
    for (var i = 0; i < vocabulary.length; i++) if (vocabulary[i].lastIndexOf(w, 0) === 0) return word;
    for (var j = 0; j < vocabulary.length; j++) if (oneEdit(w, vocabulary[j])) return vocabulary[j];
    return word;
  }
  if (window.Worker) {
    if (document.querySelector(".md-search")) loadVocabulary();
    var post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message) {
      var args = Array.prototype.slice.call(arguments);
      if (message && message.type === 2 && typeof message.data === "string" && message.data.indexOf('"') < 0) {
        args[0] = { type: 2, data: meaningful(message.data) };
      }
      return post.apply(this, args);
    };
  }

  // Search and the keyboard. Material closes search on Tab, so Tab could never reach the results area or the role
  // filter: inside open search, Tab and Shift+Tab move between its controls as they do anywhere else (Material's
  // own listener, on window, never sees them), and Escape still closes it. Focus leaving search closes it, as a
  // disclosure closes, so that focus never lands on a link under search's overlay (at 320 px search covers the
  // whole screen): WCAG 2.1.1, 2.4.11.
  var toggle = document.querySelector('[data-md-toggle="search"]');
  var dialog = document.querySelector(".md-search");
  if (toggle && dialog) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Tab" && toggle.checked && dialog.contains(event.target)) event.stopPropagation();
    });
    document.addEventListener("focusin", function (event) {
      if (toggle.checked && !dialog.contains(event.target)) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
      }
    });
  }

  // Search: Material shows each page's best section and folds the others under "N more on this page", so when two
  // sections of one chapter answer (chapter 8 has a section for each agency) the second is hidden behind the first.
  // Unfold the page's next section too when it scores at least half as well as the best: two sections a page at
  // most, so that the first results still come from more than one page.
  var SHOWN_A_PAGE = 2, CLOSE_ENOUGH = 0.5;
  function unfold(item) {
    var more = item.querySelector("details.md-search-result__more");
    if (!more || item.hasAttribute("data-gd-unfolded")) return;
    item.setAttribute("data-gd-unfolded", "");
    var score = function (link) { var a = link.querySelector("article"); return a ? parseFloat(a.getAttribute("data-md-score")) || 0 : 0; };
    var shown = [].filter.call(item.children, function (el) { return el.matches("a.md-search-result__link") && el.getAttribute("href").indexOf("#") >= 0; });
    var best = Math.max.apply(null, shown.map(score).concat([0]));
    var folded = [].slice.call(more.querySelectorAll("a.md-search-result__link"));
    var moved = 0;
    while (shown.length + moved < SHOWN_A_PAGE && folded.length && score(folded[0]) >= CLOSE_ENOUGH * best) {
      item.insertBefore(folded.shift(), more);
      moved += 1;
    }
    if (!moved) return;
    if (!folded.length) { more.remove(); return; }
    var summary = more.querySelector("summary div");
    if (summary) summary.textContent = summary.textContent.replace(/\d+/, String(folded.length));
  }
  var results = document.querySelector(".md-search-result__list");
  if (results) {
    new MutationObserver(function () {
      results.querySelectorAll(".md-search-result__item:not([data-gd-unfolded])").forEach(unfold);
    }).observe(results, { childList: true });
  }

  // Search: "Show results for" limits the results to one role's sections (and those for everyone). Each section's
  // roles come from the search index the site already has (the "roles" field guidance build adds).
  var roles = null;
  var filter = document.querySelector(".gd-search-roles");
  var list = document.querySelector(".md-search-result__list");
  var meta = document.querySelector(".md-search-result__meta");
  if (!filter || !list) return;

  function load() {
    if (roles) return Promise.resolve(roles);
    return fetch(new URL("search/search_index.json", base())).then(function (r) { return r.json(); }).then(function (index) {
      roles = {};
      index.docs.forEach(function (entry) { if (entry.roles) roles[new URL(entry.location, base()).href] = entry.roles; });
      return roles;
    });
  }

  function chosen() {
    var checked = filter.querySelector("input:checked");
    return checked ? checked.value : "";
  }

  function apply() {
    var role = chosen();
    filter.dataset.role = role;
    if (!role) {
      list.querySelectorAll("[data-gd-hidden]").forEach(function (el) { el.hidden = false; el.removeAttribute("data-gd-hidden"); });
      return;
    }
    load().then(function (known) {
      var shown = 0;
      list.querySelectorAll(".md-search-result__item").forEach(function (item) {
        var keep = 0;
        item.querySelectorAll("a.md-search-result__link").forEach(function (link) {
          var url = new URL(link.getAttribute("href"), location.href);
          url.search = "";
          var those = known[url.href];
          var visible = !those || those.indexOf("all") >= 0 || those.indexOf(role) >= 0;
          if (visible) keep += 1;
          if (those && visible) shown += 1;
          link.hidden = !visible;
          if (!visible) link.setAttribute("data-gd-hidden", ""); else link.removeAttribute("data-gd-hidden");
        });
        item.hidden = keep === 0;
        if (keep === 0) item.setAttribute("data-gd-hidden", ""); else item.removeAttribute("data-gd-hidden");
      });
      var label = filter.querySelector("input:checked + label");
      if (meta && list.children.length) meta.textContent = shown + " matching section" + (shown === 1 ? "" : "s") + " for " + label.textContent.toLowerCase();
    });
  }

  filter.addEventListener("change", apply);
  new MutationObserver(function () { if (chosen()) apply(); }).observe(list, { childList: true });
})();
