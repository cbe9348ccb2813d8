// Live refresh: the server announces each committed change over Server-Sent Events; the page then reloads its
// main content in place. Without JavaScript the page works the same, with a manual reload.
(function () {
  if (!window.EventSource || !window.fetch) return;
  var pending = false;
  // Someone typing in a form, or with tickets ticked for a bulk action (checkboxes tied to a form by its id),
  // would lose what they entered: the refresh waits.
  function busy() {
    var el = document.activeElement;
    if (document.querySelector("main input[form]:checked")) return true;
    return el && el.closest && (el.closest("main form") || el.closest("main input[form]"));
  }
  function refresh() {
    if (busy()) { pending = true; return; }
    pending = false;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("main");
        var main = document.querySelector("main");
        if (fresh && main) {
          main.innerHTML = fresh.innerHTML;
          main.setAttribute("data-updated", String(Date.now()));
        }
      });
  }
  document.addEventListener("focusout", function () { if (pending) setTimeout(refresh, 0); });
  var source = new EventSource("/api/v1/live");
  source.addEventListener("change", refresh);
})();
