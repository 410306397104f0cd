// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // An error summary takes focus, so keyboard and screen reader users hear it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // A second click on "Send" while the first is on its way sends nothing more. The server
  // also guards against it with a one-time token.
  var once = document.querySelectorAll("form[data-once]");
  once.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
    });
  });
  // A page brought back by the browser's Back button keeps its state: let it send again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      once.forEach(function (form) { delete form.dataset.sent; });
    }
  });

  // "None of these" clears the other boxes in its group, and the other way round.
  document.querySelectorAll("input[data-exclusive]").forEach(function (none) {
    var group = document.querySelectorAll('input[type=checkbox][name="' + none.name + '"]');
    group.forEach(function (box) {
      box.addEventListener("change", function () {
        if (!box.checked) return;
        group.forEach(function (other) {
          if (other !== box && (box === none || other === none)) other.checked = false;
        });
      });
    });
  });

  // Staff forms: a warning shortly before the idle timeout signs the person out. The
  // server counts idle time from the last request, that is from this page's load. Its
  // words are the page's own; a text posted after the timeout is kept (the page says so).
  document.querySelectorAll("[data-idle-warning]").forEach(function (note) {
    var minutes = Number(note.dataset.idleWarning);
    if (!(minutes > 2)) return;
    window.setTimeout(function () { note.hidden = false; }, (minutes - 2) * 60 * 1000);
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
