// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("[data-autosubmit]")) { el.form.requestSubmit(); }
  });
  // "/" focuses the page's search box, as in most web apps.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    var box = document.querySelector("[data-search]");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });
  // Forms with data-kind-form show only the fieldsets whose data-for-kind lists the chosen
  // type (e.g. a company's profile for companies). Hidden fields keep their values.
  function showKind(form) {
    var chosen = form.querySelector("[name=kind]:checked") || form.querySelector("select[name=kind]");
    if (!chosen) { return; }
    form.querySelectorAll("[data-for-kind]").forEach(function (box) {
      box.hidden = box.getAttribute("data-for-kind").split(" ").indexOf(chosen.value) < 0;
    });
  }
  document.addEventListener("change", function (e) {
    var form = e.target && e.target.name === "kind" && e.target.closest("[data-kind-form]");
    if (form) { showKind(form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kind-form]").forEach(showKind);
  });
  // The menu's drop-downs: one open at a time; a click elsewhere or Escape closes them.
  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target && e.target.closest ? e.target.closest("details[data-menu]") : null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeMenus(null); }
  });
  // A row the user added to a form (an offer's position) goes with its remove button.
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("[data-remove-row]") : null;
    var row = button && button.closest("tr");
    if (row) { e.preventDefault(); row.remove(); }
  });
  // Confirm destructive actions declared with data-confirm.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var msg = form && form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  }, true);
})();
