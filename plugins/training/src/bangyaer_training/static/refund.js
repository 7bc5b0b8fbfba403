// The roster's refund form: show what the lessons entered give back, as the server reckons it.
(function () {
  "use strict";
  function yuan(fen) {
    return "¥" + Math.floor(fen / 100) + "." + String(fen % 100).padStart(2, "0");
  }
  document.querySelectorAll("form.refund-form").forEach(function (form) {
    var paid = parseInt(form.dataset.paid, 10);
    var asked = parseInt(form.dataset.asked, 10);
    var lessons = parseInt(form.dataset.lessons, 10);
    var input = form.querySelector("input[name=lessons_attended]");
    var out = form.querySelector("output.refund-amount");
    if (!input || !out || !(lessons > 0)) return;
    function update() {
      var attended = Number(input.value);
      if (input.value === "" || !Number.isInteger(attended) || attended < 0 || attended > lessons) {
        out.textContent = "—";
        return;
      }
      // Integer division, rounded down to the fen: no float ever touches the amount.
      var share = paid * (lessons - attended);
      var due = (share - (share % lessons)) / lessons;
      out.textContent = yuan(Math.max(due - asked, 0));
    }
    input.addEventListener("input", update);
    update();
  });
})();
