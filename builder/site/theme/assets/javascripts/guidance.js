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
  function meaningful(query) {
    var words = query.split(/\s+/).filter(Boolean);
    var kept = words.filter(function (w) { return STOP.indexOf(w.toLowerCase().replace(/^[^\w]+|[^\w]+$/g, "")) < 0; });
    return kept.length ? kept.join(" ") : query;
  }
  if (window.Worker) {
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

  // Search: "Show results for" limits the results to one role's sections (and those for everyone). Each section's
  // roles come from the search index the site already has (the "roles" field guidance build adds).
  var roles = null;
  var filter = document.querySelector(".gd-search-roles");
  var list = document.querySelector(".md-search-result__list");
  var meta = document.querySelector(".md-search-result__meta");
  if (!filter || !list) return;

  function base() {
    var config = document.getElementById("__config");
    var root = config ? JSON.parse(config.textContent).base : ".";
    return new URL(root.replace(/\/?$/, "/"), location.href);
  }

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
