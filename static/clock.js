/* Optional: tells the hub what time the phone says (the hub has no battery clock). On the clock page it
   fills in the form with the phone's time; on any page that includes it, it reports the phone's time once
   per session with the page's CSRF token. Every page works without it. */
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function local(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  var now = new Date();
  var field = document.getElementById("phone_time");
  if (field && !field.value) { field.value = local(now); }
  var shown = document.getElementById("phone-time");
  if (shown) { shown.textContent = local(now).replace("T", " "); }
  var token = document.querySelector('input[name="csrf_token"]');
  if (!token || !window.fetch || !window.sessionStorage || sessionStorage.getItem("clockReported")) { return; }
  var body = new FormData();
  body.append("csrf_token", token.value);
  body.append("phone_time", String(now.getTime() - now.getTimezoneOffset() * 60000));
  fetch("/clock/report", { method: "POST", body: body, credentials: "same-origin" }).then(function () {
    sessionStorage.setItem("clockReported", "1");
  }).catch(function () {});
})();
