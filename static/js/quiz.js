/* Quiz page: autosaves answers to the server every few seconds and on change, and shows the
   time left. The countdown starts from the seconds the server computed and is re-synced by
   every save; the server alone decides whether an answer is in time. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.autosaveUrl;
  var statusEl = document.getElementById("quiz-save-status");
  var timer = document.getElementById("quiz-timer");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var dirty = false;
  var saving = false;
  var submitting = false;
  var changeTimeout = null;
  var deadline = null;

  function collect() {
    var answers = {};
    form.querySelectorAll("[data-question]").forEach(function (box) {
      var key = box.dataset.question;
      var type = box.dataset.type;
      if (type === "multiple") {
        answers[key] = Array.prototype.map.call(
          box.querySelectorAll("input:checked"), function (i) { return i.value; });
      } else if (type === "ordering") {
        answers[key] = Array.prototype.map.call(
          box.querySelectorAll("select"), function (s) { return s.value; });
      } else if (type === "fill_in") {
        answers[key] = box.querySelector("input[type=text]").value;
      } else {
        var checked = box.querySelector("input:checked");
        answers[key] = checked ? checked.value : "";
      }
    });
    return answers;
  }

  function showStatus(text) { if (statusEl) { statusEl.textContent = text; } }

  function setRemaining(seconds) {
    if (seconds === null || seconds === undefined || !timer) { return; }
    deadline = Date.now() + seconds * 1000;
  }

  function save() {
    if (saving || submitting || !dirty) { return; }
    saving = true;
    dirty = false;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answers: collect() })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        var now = new Date();
        showStatus(form.dataset.msgSaved + " " + now.toLocaleTimeString());
        setRemaining(result.data.remaining_seconds);
      } else {
        showStatus(result.data.message || form.dataset.msgFailed);
      }
    }).catch(function () {
      dirty = true;  // lost connection: keep the answers and try again on the next tick
      showStatus(form.dataset.msgFailed);
    }).then(function () { saving = false; });
  }

  function changed() {
    dirty = true;
    clearTimeout(changeTimeout);
    changeTimeout = setTimeout(save, 400);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  form.addEventListener("submit", function () { submitting = true; });
  setInterval(save, 5000);

  if (timer) {
    setRemaining(parseInt(timer.dataset.remaining, 10));
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      timer.textContent = (minutes < 10 ? "0" : "") + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 0 && !submitting) {
        submitting = true;
        showStatus(form.dataset.msgTimeup);
        form.submit();
      }
    };
    tick();
    setInterval(tick, 1000);
  }
}());
