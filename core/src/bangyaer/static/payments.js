// Sends the payer on to the gateway's cashier with the form the gateway signed.
(function () {
  "use strict";
  var form = document.querySelector(".cashier form");
  if (form) { form.submit(); }
})();
