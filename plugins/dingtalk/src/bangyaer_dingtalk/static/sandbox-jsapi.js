// Demo only: stands in for DingTalk's JSAPI. The demo workbench chose who is
// "holding the phone"; the sandbox issues that person's one-time code, which
// the page then exchanges on the server exactly as in DingTalk.
(function () {
  "use strict";
  var script = document.currentScript;
  var user = script ? script.dataset.user : "";
  window.dd = {
    requestAuthCode: function (options) {
      if (!user) {
        options.fail({ errorMessage: "choose a person on /dingtalk/workbench" });
        return;
      }
      window.bangyaer.fetchJSON("/dingtalk/_sandbox/_sandbox/auth-codes", {
        method: "POST", body: JSON.stringify({ corp_id: options.corpId, userid: user })
      }).then(function (r) {
        if (r.status === 200) { options.success({ code: r.body.code }); }
        else { options.fail({ errorMessage: "sandbox refused" }); }
      }, function () { options.fail({ errorMessage: "network" }); });
    }
  };
})();
