// Scan the worker's offline QR with the camera (the browser's BarcodeDetector) and submit its text;
// without a camera or detector, the photo upload is decoded on the server.
(function () {
  var button = document.getElementById("scan"), video = document.getElementById("camera");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    var detector = new BarcodeDetector({formats: ["qr_code"]});
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play();
      function tick() {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            document.getElementById("qr").value = codes[0].rawValue;
            document.getElementById("offline-form").submit();
          } else { requestAnimationFrame(tick); }
        }).catch(function () { requestAnimationFrame(tick); });
      }
      tick();
    });
  });
})();
