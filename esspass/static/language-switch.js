// What was typed survives a change of language. A language link (a[hreflang]) loads the page again in
// another language, and the browser would show its forms empty: a clerk halfway through a case, an
// inspector who chose a check, a worker typing a one-time code would start again. On the click, this
// keeps the values of the page's forms in the tab's sessionStorage (this tab only, gone when it closes);
// the next page of the site puts them back into the same form and removes the saved copy at once,
// whether it found that form or not. The same form: the same action (its ?lang= aside) and the same
// identifying hidden fields, or the same data-form-key where the template gives one (review R3, 3: a
// case page has a "Stop copies" form per phone, told apart only by a hidden field; a reason typed for a
// phone whose form is gone must not land in another phone's). A copy older than a few minutes is
// dropped unread. Without script, the link still works and the page comes back empty, as before.
//
// Never kept: passwords, files, hidden fields (the CSRF token, a flow's own state), search boxes (the back
// office keeps what is searched for out of addresses and the browser's history), buttons, and any field
// marked data-keep="no". A one-time code is kept: it stays within the tab, for the seconds the new page
// takes to load, and the worker would otherwise type it again.
// Served to every service by esspass.web (SHARED_STATIC_PATH), loaded with defer: it runs once the page
// is parsed, after the page's own scripts, which the input and change events it sends then reach.
(function () {
  "use strict";
  var KEY = "esspass.language-switch";
  var MAX_AGE_MS = 5 * 60 * 1000;
  var NOT_KEPT = {password: 1, file: 1, hidden: 1, search: 1, submit: 1, button: 1, reset: 1, image: 1};

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }  // storage off: nothing kept
  }

  // Hidden fields that differ from one rendering of the same form to the next: the CSRF token, the
  // offline page's one-time challenge, the page's language. The others say which thing the form acts on.
  var PER_RENDER = {csrf: 1, challenge: 1, lang: 1};

  // What tells a form from another with the same action: the template's data-form-key, else its
  // identifying hidden fields (names and values, in page order); "" when it has neither.
  function identity(form) {
    var given = form.getAttribute("data-form-key");
    if (given !== null) { return " key=" + given; }
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return el.tagName === "INPUT" && (el.type || "").toLowerCase() === "hidden" && el.name
        && !PER_RENDER[el.name];
    }).map(function (el) { return [el.name, el.value]; });
    return fields.length ? " " + JSON.stringify(fields) : "";
  }

  // A form's identity on both pages: its action without ?lang= (the page's language is in it) and
  // identity(form), numbered among the forms with both the same. getAttribute: form.action is a field
  // when one is named "action".
  function forms() {
    var seen = {};
    return Array.prototype.map.call(document.forms, function (form) {
      var url = new URL(form.getAttribute("action") || location.href, location.href);
      url.searchParams.delete("lang");
      var key = (url.origin === location.origin ? "" : url.origin) + url.pathname + url.search + identity(form);
      seen[key] = (seen[key] || 0) + 1;
      return {form: form, key: key + "#" + seen[key]};
    });
  }

  function kept(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      var tag = el.tagName;
      return el.name && (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA")
        && !NOT_KEPT[(el.type || "").toLowerCase()] && el.getAttribute("data-keep") !== "no";
    });
  }

  function isChoice(el) { return el.type === "checkbox" || el.type === "radio"; }

  // The option a select shows when nothing was chosen: the last one marked selected, else the first.
  function defaultIndex(select) {
    var index = select.multiple ? -1 : 0;
    Array.prototype.forEach.call(select.options, function (o, i) { if (o.defaultSelected) { index = i; } });
    return index;
  }

  // {name: [values in page order]} when the form holds something typed (a field filled in, here or in
  // the answer to a form that was sent, or a choice changed), else null: an untouched form is not kept.
  function read(form) {
    var values = {}, typed = false;
    kept(form).forEach(function (el) {
      var list = values[el.name] || (values[el.name] = []);
      if (isChoice(el)) {
        if (el.checked) { list.push(el.value); }
        typed = typed || el.checked !== el.defaultChecked;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { if (o.selected) { list.push(o.value); } });
        typed = typed || el.selectedIndex !== defaultIndex(el);
      } else {
        list.push(el.value);
        typed = typed || el.value !== "";
      }
    });
    return typed ? values : null;
  }

  function reveal(el) {  // a row behind "add another" (<details>) that now holds a value is opened
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
  }

  function restore(form, values) {
    var position = {};
    kept(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(values, el.name)) { return; }
      var list = values[el.name], changed = false;
      if (isChoice(el)) {
        var on = list.indexOf(el.value) >= 0;
        changed = el.checked !== on;
        el.checked = on;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) {
          var on = list.indexOf(o.value) >= 0;
          changed = changed || o.selected !== on;
          o.selected = on;
        });
      } else {
        var i = position[el.name] || 0;
        position[el.name] = i + 1;
        if (i < list.length && typeof list[i] === "string" && el.value !== list[i]) {
          el.value = list[i];
          changed = true;
        }
      }
      if (changed) {
        if ((el.value && !isChoice(el)) || el.checked) { reveal(el); }
        el.dispatchEvent(new Event("input", {bubbles: true}));
        el.dispatchEvent(new Event("change", {bubbles: true}));
      }
    });
  }

  var store = storage();
  if (!store) { return; }

  // Read as the page came: a hidden field a page's script fills in later (the offline page's scanned
  // code) leaves the form the same.
  var onLoad = forms();
  var saved = null;
  try { saved = JSON.parse(store.getItem(KEY) || "null"); } catch (e) { saved = null; }
  store.removeItem(KEY);
  var age = saved && typeof saved.at === "number" ? Date.now() - saved.at : -1;
  if (saved && saved.forms && age >= 0 && age <= MAX_AGE_MS) {
    onLoad.forEach(function (f) {
      var values = saved.forms[f.key];
      if (values && typeof values === "object") { restore(f.form, values); }
    });
  }

  document.addEventListener("click", function (event) {
    // Only a plain click that loads the page here: a link opened in another tab leaves this one as it is.
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
        || event.altKey || !event.target.closest) { return; }
    var link = event.target.closest("a[hreflang]");
    if (!link || link.target || new URL(link.href, location.href).origin !== location.origin) { return; }
    var typed = {}, any = false;
    onLoad.forEach(function (f) {
      if (!f.form.isConnected) { return; }  // taken off the page by its script since
      var values = read(f.form);
      if (values) { typed[f.key] = values; any = true; }
    });
    try {
      if (any) { store.setItem(KEY, JSON.stringify({at: Date.now(), forms: typed})); } else { store.removeItem(KEY); }
    } catch (e) { /* storage full or refused: the page loads as it would without this script */ }
  });
})();
