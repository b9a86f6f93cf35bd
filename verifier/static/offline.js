// Offline QR scanning on the inspector's device, with the jsQR decoder served by this project
// (static/vendor/jsQR.js, Apache-2.0): from the camera, or from a chosen photo. When the browser
// cannot decode the photo, the form sends it and the server decodes it (zxing-cpp).
(function () {
  var form = document.getElementById("offline-form"), field = document.getElementById("qr");
  var photo = document.getElementById("photo"), button = document.getElementById("scan");
  var video = document.getElementById("camera");

  function decode(source, width, height) {
    var canvas = document.createElement("canvas");
    canvas.width = width; canvas.height = height;
    var ctx = canvas.getContext("2d");
    ctx.drawImage(source, 0, 0, width, height);
    var code = window.jsQR(ctx.getImageData(0, 0, width, height).data, width, height);
    return code ? code.data : null;
  }

  function submitText(text) { field.value = text; photo.value = ""; form.submit(); }

  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    if (!file) { return; }
    var img = new Image();
    img.onload = function () {
      var text = decode(img, img.naturalWidth, img.naturalHeight);
      if (text) { submitText(text); } else { form.submit(); }
    };
    img.src = URL.createObjectURL(file);
  });

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play();
      function tick() {
        if (video.readyState >= 2) {
          var text = decode(video, video.videoWidth, video.videoHeight);
          if (text) { stream.getTracks().forEach(function (t) { t.stop(); }); submitText(text); return; }
        }
        requestAnimationFrame(tick);
      }
      tick();
    });
  });
})();
