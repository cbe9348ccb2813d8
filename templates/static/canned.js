// Canned replies on the ticket page: "Einfügen" puts the chosen text into the reply or note at the cursor, in
// place. Without JavaScript the same button sends the form, and the page comes back with the text inserted.
// Listens on the document, so it keeps working after live.js has replaced the page's main content.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[name=insert]");
    if (!button || !button.form) return;
    var select = button.form.querySelector("select[name=canned]");
    var field = select && document.getElementById(select.getAttribute("data-into"));
    var option = select && select.options[select.selectedIndex];
    if (!field || !option) return;
    event.preventDefault();
    var text = option.getAttribute("data-text") || "";
    var start = field.selectionStart, end = field.selectionEnd, value = field.value;
    if (typeof start !== "number" || document.activeElement !== field && start === 0 && end === 0) {
      // Never focused: after what is typed, as the server does it.
      var typed = value.replace(/\s+$/, "");
      field.value = typed ? typed + "\n\n" + text : text;
      start = end = field.value.length - text.length;
    } else {
      field.value = value.slice(0, start) + text + value.slice(end);
    }
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
