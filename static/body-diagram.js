// The body diagram on the "Your pain" step, for pointer users: a tap on a region checks its
// radio button, and the checked option's region is marked. Progressive enhancement only:
// the radio buttons are the form's one control, and the page works without this file.
(function () {
  "use strict";

  document.querySelectorAll("[data-body-diagram]").forEach(function (diagram) {
    var name = diagram.getAttribute("data-body-diagram");
    var radios = document.querySelectorAll('input[type=radio][name="' + name + '"]');
    var regions = diagram.querySelectorAll(".bd-region[data-site]");

    function radioFor(code) {
      for (var i = 0; i < radios.length; i++) {
        if (radios[i].value === code) return radios[i];
      }
      return null;
    }

    function markChecked() {
      var checked = document.querySelector('input[type=radio][name="' + name + '"]:checked');
      regions.forEach(function (region) {
        var on = checked !== null && region.getAttribute("data-site") === checked.value;
        region.classList.toggle("is-chosen", on);
      });
    }

    regions.forEach(function (region) {
      region.addEventListener("click", function () {
        var radio = radioFor(region.getAttribute("data-site"));
        if (radio === null || radio.checked) return;
        radio.checked = true;
        // Whatever listens to the radios (this script among them) hears a pick made here.
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", markChecked);
    });
    // A page brought back by Back, or re-shown with errors, keeps its checked option.
    window.addEventListener("pageshow", markChecked);
    markChecked();
    diagram.querySelectorAll("[data-bd-tap]").forEach(function (hint) { hint.hidden = false; });
  });
})();
