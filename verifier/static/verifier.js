// The waiting page: poll the verifier for the wallet's answer; when it arrives, show the verdict screen.
// Polling stops for good when no answer can come any more: the request expired ("expired"), the
// check is gone (404), or the inspector's sign-in has ended (401). The dead QR code is taken away
// and the page says so, in its language (the texts come from the script tag), with the way on.
// The request's time limit is on the page (WCAG 2.2.1), with its "More time" button (more time for the
// same code, or after its end a new code for the same check); a minute before the end the page says so,
// and after it the button stays.
// The verdict page: its Print button (hidden until this script shows it) prints the page with the
// print style sheet (verifier.css @media print), for the billing file.
(function () {
  var me = document.currentScript;
  var printButton = document.getElementById("print");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  var resultUrl = me.getAttribute("data-result");
  if (!resultUrl) { return; }
  var next = me.getAttribute("data-next");
  function text(name, fallback) { return me.getAttribute("data-" + name) || fallback; }
  function drop(id) {
    var el = document.getElementById(id);
    var row = el && el.closest ? (el.closest(".link") || el) : el;
    if (row && row.parentNode) { row.parentNode.removeChild(row); }
  }
  function stop(message, label, href, id) {
    drop("qr");
    drop("link");
    // "This code works until ..." would contradict the message: the code no longer works.
    var limit = document.getElementById("time-limit");
    if (limit && limit.parentNode) { limit.parentNode.hidden = true; }
    var state = document.getElementById("state");
    state.textContent = message;
    var p = document.createElement("p");
    var a = document.createElement("a");
    a.className = "button";
    a.id = id;
    a.href = href;
    a.textContent = label;
    p.appendChild(a);
    state.parentNode.insertBefore(p, state.nextSibling);
  }
  function newCheck(message) {
    stop(message, text("new-check", "Start a new check"), text("home", "/"), "new-check");
  }
  var expires = parseInt(me.getAttribute("data-expires") || "0", 10);
  var warned = false;
  function warn() {
    // Said once, through the live region, while the code still works.
    var state = document.getElementById("state");
    if (!warned && expires && state && expires - Date.now() < 60000 && expires > Date.now()) {
      warned = true;
      state.textContent = text("ending", "Less than a minute left for this code.");
    }
  }
  function poll() {
    fetch(resultUrl, {cache: "no-store", credentials: "same-origin"}).then(function (r) {
      if (r.status === 401) {
        var back = window.location.pathname + window.location.search;
        stop(text("signed-out", "Your sign-in has ended. Sign in again to see the answer."),
             text("sign-in", "Sign in again"), "/login?next=" + encodeURIComponent(back), "sign-in-again");
        return null;
      }
      if (r.status === 404) {
        newCheck(text("gone", "This check no longer exists. Start a new check."));
        return null;
      }
      if (!r.ok) { setTimeout(poll, 1500); return null; }
      return r.json().then(function (data) {
        if (data.status === "expired") {
          newCheck(text("expired", "This QR code has expired: the wallet can no longer answer it. Start a new check."));
        } else if (data.status && data.status !== "pending") {
          window.location.assign(next);
        } else {
          warn();
          setTimeout(poll, 700);
        }
      });
    }).catch(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
