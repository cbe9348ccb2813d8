// Live refresh: the server announces each committed change that concerns this person over Server-Sent Events
// (on a ticket's page: changes of that ticket, data-ticket on this script); the page then reloads its main content
// in place. Without JavaScript the page works the same, with a manual reload.
(function () {
  if (!window.EventSource || !window.fetch) return;
  var script = document.currentScript;
  var ticket = script && script.getAttribute("data-ticket");
  var pending = false;
  // Someone typing in a form, with entries not yet sent, or with tickets ticked for a bulk action (checkboxes
  // tied to a form by its id), would lose what they entered: the refresh waits.
  function entered() {
    var fields = document.querySelectorAll("main textarea, main input:not([type]), main input[type=text], main input[type=search]");
    for (var i = 0; i < fields.length; i++) if (fields[i].value !== fields[i].defaultValue) return true;
    return false;
  }
  function busy() {
    var el = document.activeElement;
    if (document.querySelector("main input[form]:checked")) return true;
    if (entered()) return true;
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
  var source = new EventSource("/api/v1/live" + (ticket ? "?ticket=" + encodeURIComponent(ticket) : ""));
  source.addEventListener("change", refresh);
})();
