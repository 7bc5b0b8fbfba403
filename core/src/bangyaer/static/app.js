// Shared page behaviour. Scripts that change data send the page's CSRF token.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.bangyaer = {
    csrfToken: meta ? meta.getAttribute("content") : "",
    fetchJSON: function (url, options) {
      options = options || {};
      options.headers = Object.assign({ "X-CSRF-Token": this.csrfToken,
        "Content-Type": "application/json" }, options.headers || {});
      options.credentials = "same-origin";
      return fetch(url, options).then(function (r) {
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      });
    }
  };
})();
