// The offline QR on a card page: signed over the time, so a fresh one every 30 s, and over the
// inspector's challenge when one is typed.
(function () {
  var img = document.getElementById("offline-qr"), ch = document.getElementById("challenge");
  if (!img || !ch) { return; }
  function refresh() {
    img.src = img.dataset.base + "?challenge=" + encodeURIComponent(ch.value) + "&t=" + Date.now();
  }
  ch.addEventListener("change", refresh);
  setInterval(refresh, 30000);
})();
