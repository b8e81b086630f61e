// The orders page: each chosen crop's frame over the proof, moved by dragging (mouse, pen or
// touch) or by the arrow keys, its ratio kept. Its place is kept in the form's hidden inputs,
// relative to the image (0..1), which the server checks again.
(function () {
  "use strict";
  var stage = document.getElementById("crop-stage");
  if (!stage) return;

  function field(id, side) { return document.getElementById("crop-" + id + "-" + side); }
  function read(id) {
    return {
      left: parseFloat(field(id, "left").value), top: parseFloat(field(id, "top").value),
      width: parseFloat(field(id, "width").value), height: parseFloat(field(id, "height").value)
    };
  }
  function clamp(v, lo, hi) { return Math.min(Math.max(v, lo), hi); }
  function place(frame, id, left, top) {
    var r = read(id);
    left = clamp(left, 0, 1 - r.width);
    top = clamp(top, 0, 1 - r.height);
    field(id, "left").value = left.toFixed(6);
    field(id, "top").value = top.toFixed(6);
    frame.style.setProperty("--l", left.toFixed(6));
    frame.style.setProperty("--t", top.toFixed(6));
  }

  stage.querySelectorAll(".crop-frame").forEach(function (frame) {
    var id = frame.dataset.option;
    var start = null;
    frame.addEventListener("pointerdown", function (event) {
      var r = read(id);
      start = { x: event.clientX, y: event.clientY, left: r.left, top: r.top };
      frame.setPointerCapture(event.pointerId);
      frame.focus();
      event.preventDefault();
    });
    frame.addEventListener("pointermove", function (event) {
      if (!start) return;
      var box = stage.getBoundingClientRect();
      place(frame, id, start.left + (event.clientX - start.x) / box.width,
        start.top + (event.clientY - start.y) / box.height);
    });
    function stop() { start = null; }
    frame.addEventListener("pointerup", stop);
    frame.addEventListener("pointercancel", stop);
    frame.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 0.1 : 0.01;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      var move = moves[event.key];
      if (!move) return;
      var r = read(id);
      place(frame, id, r.left + move[0], r.top + move[1]);
      event.preventDefault();
    });
  });

  // A frame shows while its crop is ticked; the last one ticked is on top.
  document.querySelectorAll(".crop-choice").forEach(function (box) {
    box.addEventListener("change", function () {
      var frame = document.getElementById("frame-" + box.dataset.option);
      if (!frame) return;
      frame.hidden = !box.checked;
      if (box.checked) stage.appendChild(frame);
    });
  });
})();
