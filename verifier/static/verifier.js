// Poll the verifier for the wallet's answer; when it arrives, show the verdict screen.
(function () {
  var me = document.currentScript;
  var resultUrl = me.getAttribute("data-result");
  var next = me.getAttribute("data-next");
  function poll() {
    fetch(resultUrl, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (data) {
      if (data.status && data.status !== "pending") { window.location.assign(next); }
      else { setTimeout(poll, 700); }
    }).catch(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
