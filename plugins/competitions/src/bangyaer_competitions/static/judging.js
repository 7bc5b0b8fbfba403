// The score form: a running total, and Enter in any score field saves and moves on
// (the browser's implicit submission already does; this keeps the comment box for new lines).
(function () {
  "use strict";
  var form = document.getElementById("jx-form");
  if (!form) { return; }
  var inputs = form.querySelectorAll('input[type="number"]');
  var total = document.getElementById("jx-total");
  function update() {
    var sum = 0, all = true;
    inputs.forEach(function (input) {
      var n = parseInt(input.value, 10);
      if (isNaN(n)) { all = false; } else { sum += n; }
    });
    total.textContent = all ? total.dataset.label + " " + sum + " " + total.dataset.unit : "";
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", update);
    // A scroll over a focused number field must not change a score by accident.
    input.addEventListener("wheel", function (event) { event.preventDefault(); },
                           { passive: false });
  });
  update();
}());
