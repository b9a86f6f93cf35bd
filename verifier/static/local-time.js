// The waiting page's time limit in this device's own time zone. The server writes it on its clock, in the
// verifier's zone with that zone's offset ("until 11:04 (UTC+2; 5 minutes)"), which stays as it is without
// JavaScript; an inspector's phone or laptop may be set to another zone, so the same words are written again
// here with the time in the device's zone, in the page's language (Intl.DateTimeFormat), and its offset.
// The element's machine-readable datetime (the instant, with the verifier's offset) is left as it is.
(function () {
  var lang = document.documentElement.lang || undefined;
  function offset(minutes) {
    // The offset in the words the server uses: "UTC", "UTC+2", "UTC-3:30".
    if (minutes === 0) { return "UTC"; }
    var whole = Math.abs(minutes);
    var rest = whole % 60;
    return "UTC" + (minutes > 0 ? "+" : "-") + Math.floor(whole / 60) + (rest ? ":" + (rest < 10 ? "0" : "") + rest : "");
  }
  var times = document.querySelectorAll("time[data-local]");
  for (var i = 0; i < times.length; i++) {
    var el = times[i];
    var when = new Date(el.getAttribute("datetime"));
    var words = el.getAttribute("data-local");
    if (isNaN(when.getTime()) || !words) { continue; }
    var clock;
    try {
      // 24-hour, as the server writes it, whatever the language's habit ("14:05", never "02:05 PM").
      clock = new Intl.DateTimeFormat(lang, {hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).format(when);
    } catch (e) {
      continue;  // a browser without Intl: the server's words stay
    }
    el.textContent = words.replace("{time}", clock).replace("{zone}", offset(-when.getTimezoneOffset()));
  }
})();
