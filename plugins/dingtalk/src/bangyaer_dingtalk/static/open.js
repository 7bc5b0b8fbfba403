// The micro-app's homepage: get a login-free code from DingTalk's JSAPI and
// hand it to the server, which asks DingTalk who it belongs to.
(function () {
  "use strict";
  var root = document.getElementById("dingtalk-open");
  var status = document.getElementById("dingtalk-status");
  if (!root || !root.dataset.corpId) { return; }  // the page already says what is wrong
  var corpId = root.dataset.corpId;

  function show(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
    if (isError) { status.setAttribute("role", "alert"); }
  }

  function signIn(code) {
    window.bangyaer.fetchJSON("/api/v1/dingtalk/login", {
      method: "POST", body: JSON.stringify({ corp_id: corpId, code: code })
    }).then(function (r) {
      if (r.status === 200) {
        window.location.replace(root.dataset.next || "/");
      } else {
        show(r.body && r.body.error ? r.body.error.message : root.dataset.msgNetwork, true);
      }
    }, function () { show(root.dataset.msgNetwork, true); });
  }

  function failed() { show(root.dataset.msgFailed, true); }

  function ask(dd) {
    if (typeof dd.requestAuthCode === "function") {
      // Current JSAPI: corpId and the app's Client ID (its AppKey).
      dd.requestAuthCode({
        corpId: corpId, clientId: root.dataset.clientId,
        success: function (res) { signIn(res.code); }, fail: failed
      });
    } else if (dd.runtime && dd.runtime.permission) {
      // Older clients only know the runtime.permission form.
      dd.runtime.permission.requestAuthCode({
        corpId: corpId, onSuccess: function (res) { signIn(res.code); }, onFail: failed
      });
    } else {
      show(root.dataset.msgNoJsapi, true);
    }
  }

  var dd = window.dd;
  if (!dd) { show(root.dataset.msgNoJsapi, true); return; }
  show(root.dataset.msgSigning, false);
  if (typeof dd.ready === "function") { dd.ready(function () { ask(dd); }); } else { ask(dd); }
})();
