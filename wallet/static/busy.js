// A form sent once is not sent again while its answer comes: the wallet's forms go to institutions and
// inspectors over the network, a site's network is slow, and a second tap would spend an offer's
// one-time code twice (the first would have received the document, the second would say "already
// used") or send Share and Decline both. The button tapped says the wallet is working; Back to a page
// kept by the browser (bfcache) makes its forms ready again.
(function () {
  var sent = false;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") { return; }
    if (sent) { event.preventDefault(); return; }
    sent = true;
    form.setAttribute("aria-busy", "true");
    // Not disabled: a disabled button's name and value would leave the form's data.
    var button = event.submitter || form.querySelector("button");
    var busy = document.body.dataset.busy;
    if (button && busy) { button.dataset.label = button.textContent; button.textContent = busy; }
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    sent = false;
    document.querySelectorAll("form[aria-busy]").forEach(function (form) { form.removeAttribute("aria-busy"); });
    document.querySelectorAll("button[data-label]").forEach(function (button) {
      button.textContent = button.dataset.label;
      delete button.dataset.label;
    });
  });
})();
