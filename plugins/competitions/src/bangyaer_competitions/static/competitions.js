// Entry page: upload works from a phone and follow the entry's status.
// Small files go up in one streamed request; videos and anything large use
// the resumable (tus 1.0) endpoint so a dropped mobile connection resumes.
(function () {
  "use strict";
  var RESUMABLE_FROM = 8 * 1024 * 1024;
  var CHUNK = 4 * 1024 * 1024;
  var csrf = window.bangyaer ? window.bangyaer.csrfToken : "";
  var form = document.getElementById("cx-work");
  var staged = document.getElementById("cx-staged");
  var message = document.getElementById("cx-message");
  var progress = document.getElementById("cx-progress");

  function say(text, ok) {
    if (!message) { return; }
    message.textContent = text;
    message.className = ok ? "cx-message ok" : "cx-message error";
  }

  function errorText(body, fallback) {
    return body && body.error ? body.error.message : fallback;
  }

  function addStaged(file) {
    var li = document.createElement("li");
    li.setAttribute("data-file-id", String(file.id));
    if (file.thumbnail_url) {
      var img = document.createElement("img");
      img.src = file.thumbnail_url; img.width = 96; img.alt = "已上传";
      li.appendChild(img);
    } else {
      li.textContent = "已上传";
    }
    staged.appendChild(li);
  }

  function uploadOnce(code, file) {
    return fetch("/api/v1/competitions/entries/" + encodeURIComponent(code) + "/files", {
      method: "POST", body: file, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "X-File-Name": encodeURIComponent(file.name),
                 "Content-Type": "application/octet-stream" }
    }).then(function (r) {
      return r.json().then(function (body) {
        if (r.status !== 201) { throw new Error(errorText(body, "上传失败")); }
        return body;
      });
    });
  }

  function tusHeaders(extra) {
    var h = { "Tus-Resumable": "1.0.0", "X-CSRF-Token": csrf };
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  function uploadResumable(code, file) {
    var name = btoa(unescape(encodeURIComponent(file.name)));
    return fetch("/api/v1/competitions/entries/" + encodeURIComponent(code) + "/uploads", {
      method: "POST", credentials: "same-origin",
      headers: tusHeaders({ "Upload-Length": String(file.size),
                            "Upload-Metadata": "filename " + name })
    }).then(function (r) {
      if (r.status !== 201) {
        return r.json().then(function (b) { throw new Error(errorText(b, "上传失败")); });
      }
      return sendFrom(r.headers.get("Location"), file, 0, 0);
    });
  }

  function sendFrom(url, file, offset, retries) {
    if (progress) { progress.hidden = false; progress.value = file.size ? offset * 100 / file.size : 100; }
    var end = Math.min(offset + CHUNK, file.size);
    return fetch(url, {
      method: "PATCH", credentials: "same-origin", body: file.slice(offset, end),
      headers: tusHeaders({ "Upload-Offset": String(offset),
                            "Content-Type": "application/offset+octet-stream" })
    }).then(function (r) {
      if (r.status === 204) {
        var next = Number(r.headers.get("Upload-Offset"));
        if (next >= file.size) {
          return { id: Number(r.headers.get("Bangyaer-File-Id")) };
        }
        return sendFrom(url, file, next, 0);
      }
      return r.json().then(function (b) { throw new Error(errorText(b, "上传失败")); });
    }, function () {
      // The network dropped: ask the server how much it has, then go on.
      if (retries > 5) { throw new Error("网络中断，请稍后重试"); }
      return fetch(url, { method: "HEAD", credentials: "same-origin", headers: tusHeaders() })
        .then(function (h) { return sendFrom(url, file, Number(h.headers.get("Upload-Offset")), retries + 1); });
    });
  }

  function onFiles(event) {
    var input = event.target;
    var code = form.getAttribute("data-code");
    var files = Array.prototype.slice.call(input.files || []);
    var chain = Promise.resolve();
    files.forEach(function (file) {
      chain = chain.then(function () {
        say("正在上传 " + file.name + " …", true);
        var big = file.size >= RESUMABLE_FROM || input.getAttribute("data-kind") === "video";
        return (big ? uploadResumable(code, file) : uploadOnce(code, file)).then(function (f) {
          addStaged(f);
          say("上传完成", true);
        });
      });
    });
    chain.catch(function (err) { say(err.message, false); }).then(function () {
      if (progress) { progress.hidden = true; }
      input.value = "";
    });
  }

  function onSubmit(event) {
    event.preventDefault();
    var code = form.getAttribute("data-code");
    var fields = {};
    Array.prototype.forEach.call(form.querySelectorAll("[name]"), function (el) {
      fields[el.name] = el.value;
    });
    var ids = Array.prototype.map.call(staged.querySelectorAll("[data-file-id]"), function (li) {
      return Number(li.getAttribute("data-file-id"));
    });
    window.bangyaer.fetchJSON("/api/v1/competitions/entries/" + encodeURIComponent(code) + "/work", {
      method: "POST", body: JSON.stringify({ fields: fields, file_ids: ids })
    }).then(function (res) {
      if (res.status === 201) {
        say("作品已提交", true);
        window.location.assign(window.location.pathname);
      } else {
        say(errorText(res.body, "提交失败"), false);
      }
    });
  }

  function poll() {
    var list = document.getElementById("cx-timeline");
    if (!list) { return; }
    fetch(list.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        (body.timeline || []).forEach(function (step) {
          var li = list.querySelector('[data-step="' + step.step + '"]');
          if (li) { li.className = step.done ? "done" : ""; }
        });
        var status = document.getElementById("cx-status");
        if (status && body.status_title) { status.textContent = body.status_title; }
      })
      .catch(function () { /* offline for a moment: the next poll catches up */ });
  }

  if (form) {
    Array.prototype.forEach.call(form.querySelectorAll('input[type="file"]'), function (input) {
      input.addEventListener("change", onFiles);
    });
    form.addEventListener("submit", onSubmit);
  }
  if (document.getElementById("cx-timeline")) { window.setInterval(poll, 20000); }
})();
