// closeout's tour page: the recording (asciinema-player, pausing at every chapter marker) and the narration
// panel beside it follow each other. The player's marker event moves the panel; the step buttons move both.
(function () {
  "use strict";
  var tour = window.CLOSEOUT_TOUR;
  var host = document.getElementById("player");
  if (!tour || !host || !window.AsciinemaPlayer) {
    return;
  }
  var items = Array.prototype.slice.call(document.querySelectorAll("#steps > li"));
  var status = document.getElementById("step-status");
  var playButton = document.getElementById("play");
  // While a chapter's screen holds still the player skips ahead: it pauses at every chapter anyway.
  var IDLE_LIMIT = 1;
  var current = -1;
  var playing = false;

  function show(i) {
    if (i < 0 || i >= items.length) {
      return;
    }
    current = i;
    items.forEach(function (li, j) {
      if (j === i) {
        li.setAttribute("aria-current", "step");
        li.classList.add("current");
      } else {
        li.removeAttribute("aria-current");
        li.classList.remove("current");
      }
    });
    status.textContent = "Step " + (i + 1) + " of " + items.length + ": " + tour.steps[i];
    document.body.setAttribute("data-step", String(i + 1));
  }

  var player = window.AsciinemaPlayer.create({ data: tour.cast }, host, {
    pauseOnMarkers: true,
    fit: "width",
    idleTimeLimit: IDLE_LIMIT,
    terminalFontSize: "small",
  });

  function setPlaying(on) {
    playing = on;
    playButton.textContent = on ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", on ? "true" : "false");
  }

  player.addEventListener("marker", function (e) {
    show(e.index);
  });
  player.addEventListener("play", function () {
    setPlaying(true);
  });
  player.addEventListener("playing", function () {
    setPlaying(true);
  });
  player.addEventListener("pause", function () {
    setPlaying(false);
  });
  player.addEventListener("ended", function () {
    setPlaying(false);
  });

  function go(i) {
    if (i < 0 || i >= items.length) {
      return;
    }
    show(i);
    player.seek({ marker: i });
  }

  playButton.addEventListener("click", function () {
    if (playing) {
      player.pause();
    } else {
      player.play();
    }
  });
  document.getElementById("prev-step").addEventListener("click", function () {
    go(current <= 0 ? 0 : current - 1);
  });
  document.getElementById("next-step").addEventListener("click", function () {
    go(current + 1);
  });
  Array.prototype.forEach.call(document.querySelectorAll("#steps button.goto"), function (b) {
    b.addEventListener("click", function () {
      go(Number(b.getAttribute("data-step")));
    });
  });
  // For anyone scripting the page (the browser tests do): the player and the step on show.
  window.CLOSEOUT_PLAYER = player;
  window.CLOSEOUT_IDLE_LIMIT = IDLE_LIMIT;
  window.closeoutStep = function () {
    return current;
  };
  document.body.setAttribute("data-tour", "ready");
})();
