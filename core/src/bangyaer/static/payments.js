// Sends the payer on to the gateway's cashier: its signed form, or its address.
(function () {
  "use strict";
  var form = document.querySelector(".cashier form");
  var link = document.getElementById("cashier-link");
  if (form) {
    form.submit();
  } else if (link) {
    window.location.replace(link.href);
  }
})();
