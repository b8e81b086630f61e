// The compare page: one zoom and one pan for every frame (buttons, wheel, pinch, drag, and the arrow
// and +/- keys on a focused frame), so the same eyes are side by side at any scale. On a narrow
// screen two frames show at a time: swipe a side, or use its "Previous frame"/"Next frame" buttons,
// to put another frame there; a polite note says which are shown. Without it the page still shows
// every frame with its heart.
(function () {
  "use strict";

  const root = document.getElementById("compare");
  if (!root) return;
  const panes = Array.from(root.querySelectorAll(".compare-pane"));
  const views = panes.map((pane) => pane.querySelector(".compare-view"));
  const status = document.getElementById("compare-status");
  const level = root.querySelector("[data-zoom-level]");
  const narrow = window.matchMedia("(max-width: 599.98px)");
  const MIN = 1, MAX = 8, STEP = 1.25, KEY_PAN = 5;  // KEY_PAN: percent of the frame per arrow press

  let zoom = 1, panX = 0, panY = 0;  // pan in percent of the frame's box
  let shown = [0, 1];  // on a narrow screen: the frames on the left and on the right

  root.classList.add("is-live");
  root.querySelector(".compare-tools").hidden = false;

  // --- the shared zoom and pan ---
  function apply() {
    const limit = ((zoom - 1) / 2) * 100;  // beyond this the frame's edge would come into view
    panX = Math.max(-limit, Math.min(limit, panX));
    panY = Math.max(-limit, Math.min(limit, panY));
    root.style.setProperty("--zoom", String(zoom));
    root.style.setProperty("--pan-x", `${panX}%`);
    root.style.setProperty("--pan-y", `${panY}%`);
    root.dataset.zoom = zoom.toFixed(2);
    if (level) level.textContent = `${Math.round(zoom * 100)}%`;
  }

  function zoomTo(value) {
    zoom = Math.max(MIN, Math.min(MAX, value));
    if (zoom === MIN) { panX = 0; panY = 0; }
    apply();
  }

  root.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const how = button.dataset.zoom;
      if (how === "in") zoomTo(zoom * STEP);
      else if (how === "out") zoomTo(zoom / STEP);
      else zoomTo(1);
    });
  });

  views.forEach((view, i) => {
    view.addEventListener("wheel", (event) => {
      event.preventDefault();
      zoomTo(zoom * (event.deltaY < 0 ? STEP : 1 / STEP));
    }, { passive: false });

    view.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: [KEY_PAN, 0], ArrowRight: [-KEY_PAN, 0], ArrowUp: [0, KEY_PAN], ArrowDown: [0, -KEY_PAN] };
      if (moves[event.key] && zoom > 1) {
        panX += moves[event.key][0];
        panY += moves[event.key][1];
        apply();
      } else if (event.key === "+" || event.key === "=") {
        zoomTo(zoom * STEP);
      } else if (event.key === "-") {
        zoomTo(zoom / STEP);
      } else if (event.key === "0") {
        zoomTo(1);
      } else {
        return;
      }
      event.preventDefault();
    });

    // Pointers: one drags (or, at full view on a narrow screen, swipes to another frame); two pinch.
    const pointers = new Map();
    let start = null;  // {x, y, panX, panY, zoom, distance}
    const distance = () => {
      const [a, b] = Array.from(pointers.values());
      return Math.hypot(a.x - b.x, a.y - b.y) || 1;
    };
    const begin = () => {
      const [first] = Array.from(pointers.values());
      start = { x: first.x, y: first.y, panX, panY, zoom, distance: pointers.size > 1 ? distance() : 0 };
    };
    view.addEventListener("pointerdown", (event) => {
      try { view.setPointerCapture(event.pointerId); } catch (err) { /* a pointer already gone */ }
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      begin();
    });
    view.addEventListener("pointermove", (event) => {
      if (!pointers.has(event.pointerId) || !start) return;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pointers.size > 1) {
        zoomTo(start.zoom * (distance() / start.distance));
      } else if (zoom > 1) {
        const box = view.getBoundingClientRect();
        panX = start.panX + ((event.clientX - start.x) / box.width) * 100;
        panY = start.panY + ((event.clientY - start.y) / box.height) * 100;
        apply();
      }
    });
    const end = (event) => {
      if (!pointers.has(event.pointerId)) return;
      const swiped = start && pointers.size === 1 && zoom === 1 && start.distance === 0 ? event.clientX - start.x : 0;
      const upward = start ? Math.abs(event.clientY - start.y) : 0;
      pointers.delete(event.pointerId);
      if (pointers.size) begin(); else start = null;
      if (narrow.matches && Math.abs(swiped) > 50 && Math.abs(swiped) > upward) swap(i, swiped < 0 ? 1 : -1);
    };
    view.addEventListener("pointerup", end);
    view.addEventListener("pointercancel", end);
  });

  // --- two at a time on a narrow screen ---
  const sideOf = (i) => shown.indexOf(i);  // 0: left, 1: right, -1: not shown

  function swap(paneIndex, step) {
    const side = sideOf(paneIndex);
    if (side < 0 || panes.length < 3) return;
    const other = shown[1 - side];
    let next = paneIndex;
    do { next = (next + step + panes.length) % panes.length; } while (next === other);
    shown[side] = next;
    layout(true);
    panes[next].querySelector(`[data-swap="${step}"]`)?.focus();
  }

  function layout(announce) {
    const twoAtATime = narrow.matches && panes.length > 2;
    root.classList.toggle("is-narrow", narrow.matches);
    panes.forEach((pane, i) => {
      const side = sideOf(i);
      pane.hidden = twoAtATime && side < 0;
      pane.style.order = twoAtATime ? String(side) : "";
      const buttons = pane.querySelector(".compare-swap");
      buttons.hidden = !twoAtATime;
      const where = side === 0 ? "left" : "right";
      buttons.querySelectorAll("[data-swap]").forEach((button) => {
        const word = button.dataset.swap === "1" ? "Next" : "Previous";
        button.setAttribute("aria-label", `${word} frame on the ${where}`);
      });
    });
    if (announce || twoAtATime) {
      const names = (twoAtATime ? shown : panes.map((_, i) => i)).map((i) => panes[i].dataset.name);
      status.textContent = twoAtATime
        ? `Showing ${names[0]} on the left and ${names[1]} on the right, of ${panes.length} frames.`
        : `Showing all ${panes.length} frames: ${names.join(", ")}.`;
    }
  }

  panes.forEach((pane, i) => {
    pane.querySelectorAll("[data-swap]").forEach((button) => {
      button.addEventListener("click", () => swap(i, Number(button.dataset.swap)));
    });
  });
  narrow.addEventListener("change", () => layout(true));
  layout(false);
  apply();
})();
