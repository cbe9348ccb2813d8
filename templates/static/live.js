// Live refresh: the server announces each committed change over Server-Sent Events; the page then reloads its
// main content in place. Without JavaScript the page works the same, with a manual reload.
(function () {
  if (!window.EventSource || !window.fetch) return;
  var pending = false;
  function busy() {
    var el = document.activeElement;
    return el && el.closest && el.closest("main form");
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
