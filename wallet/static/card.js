// The offline QR of a showing (the worker asked for it): signed over the time, so a fresh one every
// 30 s, and over the inspector's challenge when one is typed. Each renewal signs with the copy the
// showing began with: nothing more is counted or written in the history.
(function () {
  var img = document.getElementById("offline-qr"), ch = document.getElementById("challenge");
  if (!img || !ch) { return; }
  function refresh() {
    img.src = img.dataset.base + "?challenge=" + encodeURIComponent(ch.value) + "&t=" + Date.now();
  }
  ch.addEventListener("change", refresh);
  var timer = setInterval(refresh, 30000);
  // The showing is over (10 minutes) or the document was removed: say so instead of a broken picture.
  img.addEventListener("error", function () {
    clearInterval(timer);
    var note = document.createElement("p");
    note.className = "warning";
    note.setAttribute("role", "status");
    note.textContent = img.dataset.over || "";
    img.replaceWith(note);
  });
})();
