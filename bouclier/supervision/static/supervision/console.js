/* The alarm queue, live: the server pushes it (Server-Sent Events) whenever it changes.
 * EventSource reconnects by itself when the server ends a stream (it does, after a while).
 * A new alarm is announced to screen readers, marked visually and, if the operator chose
 * it, signalled by a short tone (Web Audio: no file to load). */
(function () {
  "use strict";
  var root = document.getElementById("alarm-queue");
  if (!root || !window.EventSource) {
    return;
  }
  var lastAlarm = parseInt(root.getAttribute("data-last-alarm") || "0", 10);
  var announce = document.getElementById("queue-announce");
  var state = document.getElementById("queue-connection");
  var sound = document.getElementById("queue-sound");
  var audio = null;

  try {
    sound.checked = window.localStorage.getItem("bouclier-queue-sound") === "on";
  } catch (e) { /* storage refused: the tone stays off */ }
  sound.addEventListener("change", function () {
    try {
      window.localStorage.setItem("bouclier-queue-sound", sound.checked ? "on" : "off");
    } catch (e) { /* nothing to keep */ }
  });

  function tone() {
    if (!sound.checked) {
      return;
    }
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    audio = audio || new Context();
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.value = 0.2;
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.3);
  }

  function update(event) {
    var data = JSON.parse(event.data);
    root.innerHTML = data.html; // rendered and escaped by the server's templates
    if (data.last_alarm > lastAlarm) {
      var rows = root.querySelectorAll("tr[data-alarm]");
      for (var i = 0; i < rows.length; i += 1) {
        if (parseInt(rows[i].getAttribute("data-alarm"), 10) > lastAlarm) {
          rows[i].classList.add("queue-fresh");
        }
      }
      announce.textContent = root.getAttribute("data-new-text") || "Nouvelle alarme";
      tone();
    }
    lastAlarm = Math.max(lastAlarm, data.last_alarm);
    root.setAttribute("data-last-alarm", String(lastAlarm));
  }

  var source = new EventSource(root.getAttribute("data-stream"));
  source.addEventListener("queue", update);
  source.addEventListener("open", function () {
    state.textContent = root.getAttribute("data-live-text") || "Mise à jour en direct";
  });
  source.addEventListener("error", function () {
    state.textContent = root.getAttribute("data-wait-text") || "Reconnexion…";
  });
}());
