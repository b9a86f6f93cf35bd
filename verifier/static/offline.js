// Offline QR scanning on the inspector's device, with the jsQR decoder served by this project
// (static/vendor/jsQR.js, Apache-2.0): from the camera, or from a chosen photo. A chosen photo is
// only read into the form (choosing a file submits nothing, WCAG 3.2.2); the Check button sends the
// code, or the photo itself when the browser could not read it and the server decodes it (zxing-cpp).
(function () {
  var form = document.getElementById("offline-form"), field = document.getElementById("qr");
  var photo = document.getElementById("photo"), button = document.getElementById("scan");
  var video = document.getElementById("camera"), state = document.getElementById("photo-state");

  function decode(source, width, height) {
    var canvas = document.createElement("canvas");
    canvas.width = width; canvas.height = height;
    var ctx = canvas.getContext("2d");
    ctx.drawImage(source, 0, 0, width, height);
    var code = window.jsQR(ctx.getImageData(0, 0, width, height).data, width, height);
    return code ? code.data : null;
  }

  function submitText(text) { field.value = text; photo.value = ""; form.submit(); }

  function say(key) { state.textContent = key ? state.getAttribute("data-" + key) : ""; }

  photo.addEventListener("change", function () {
    field.value = ""; say("");
    var file = photo.files && photo.files[0];
    if (!file) { return; }
    var img = new Image();
    img.onload = function () {
      var text = decode(img, img.naturalWidth, img.naturalHeight);
      URL.revokeObjectURL(img.src);
      if (text) { field.value = text; say("read"); } else { say("unread"); }
    };
    img.onerror = function () { URL.revokeObjectURL(img.src); say("unread"); };
    img.src = URL.createObjectURL(file);
  });

  // A code read in the browser goes alone: the photo stays on this device.
  form.addEventListener("submit", function () { photo.disabled = !!field.value; });
  // Back here from the history: the form as the page first showed it.
  window.addEventListener("pageshow", function () { photo.disabled = false; });

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
