// Reports how far the child has watched: every ~10 s while playing, and on
// pause and at the end. The server keeps the furthest position, so reports
// that arrive late or twice do no harm.
(function () {
  "use strict";
  var video = document.querySelector("video[data-progress-url]");
  if (!video || !window.bangyaer) { return; }
  var url = video.getAttribute("data-progress-url");
  var status = document.getElementById("progress-status");
  var reporting = video.getAttribute("data-report") === "1";
  var resume = parseInt(video.getAttribute("data-resume") || "0", 10);
  var lastSent = -1;
  var lastTick = 0;

  function send(ended) {
    if (!reporting) { return; }
    var duration = isFinite(video.duration) ? Math.floor(video.duration) : 0;
    var position = ended ? duration : Math.floor(video.currentTime);
    if (position === lastSent && !ended) { return; }
    lastSent = position;
    window.bangyaer.fetchJSON(url, {
      method: "POST",
      body: JSON.stringify({ position: position, duration: duration, ended: !!ended })
    }).then(function (r) {
      if (r.status !== 200 || !status) { return; }
      var p = r.body.progress;
      status.textContent = p.completed ? "本课时已学完"
        : "已学到 " + Math.floor(p.position / 60) + " 分 " + (p.position % 60) + " 秒";
      status.setAttribute("data-saved", String(p.position));
    }).catch(function () { lastSent = -1; });
  }

  video.addEventListener("loadedmetadata", function () {
    // Carry on where the child stopped, unless that was the very end.
    if (resume > 0 && resume < video.duration - 1) { video.currentTime = resume; }
  });
  video.addEventListener("timeupdate", function () {
    var now = Date.now();
    if (now - lastTick >= 10000) { lastTick = now; send(false); }
  });
  video.addEventListener("pause", function () { send(false); });
  video.addEventListener("ended", function () { send(true); });
})();
