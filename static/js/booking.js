// Booking form: when the session or the day changes, fetch that day's free times and redraw the
// start-time buttons, so the client never needs the "Show free times" button (kept for no-JS).
(function () {
  "use strict";
  const form = document.getElementById("booking-form");
  if (!form) return;
  const url = form.dataset.timesUrl;
  const session = form.querySelector("[name=session_type]");
  const day = form.querySelector("[name=date]");
  const box = document.getElementById("times");

  form.querySelectorAll(".js-hide").forEach((el) => { el.hidden = true; });

  function message(text, nextDay) {
    const p = document.createElement("p");
    p.className = "text-body-secondary mb-0";
    p.textContent = text;
    if (nextDay) {
      const a = document.createElement("a");
      a.href = "#";
      a.dataset.day = nextDay;
      a.textContent = new Date(nextDay + "T12:00:00").toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" });
      p.append(" The next free day is ", a, ".");
    }
    box.replaceChildren(p);
  }

  // Answers can arrive out of order (a quick second choice of day): only the latest request's
  // answer is drawn, and the list stays busy until it arrives.
  let latest = 0;

  async function refresh() {
    if (!session.value || !day.value) return;
    const mine = ++latest;
    box.setAttribute("aria-busy", "true");
    try {
      const params = new URLSearchParams({ type: session.value, date: day.value });
      const response = await fetch(`${url}?${params}`, { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (mine !== latest) return;
      if (!response.ok) { message(data.error || "Could not load the free times."); return; }
      if (!data.times.length) { message("No free times on this day.", data.next_free_day); return; }
      const nodes = [];
      data.times.forEach((t, i) => {
        const input = document.createElement("input");
        Object.assign(input, { type: "radio", name: "start", id: `start-${i + 1}`, value: t.value, className: "btn-check", required: true });
        const label = document.createElement("label");
        Object.assign(label, { className: "btn btn-outline-dark", htmlFor: input.id, textContent: t.label });
        nodes.push(input, label);
      });
      box.replaceChildren(...nodes);
    } catch (err) {
      if (mine !== latest) return;
      message("Could not load the free times. Use the Show free times button instead.");
      form.querySelectorAll(".js-hide").forEach((el) => { el.hidden = false; });
    } finally {
      if (mine === latest) box.removeAttribute("aria-busy");
    }
  }

  box.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-day]");
    if (!link) return;
    event.preventDefault();
    day.value = link.dataset.day;
    refresh();
  });
  session.addEventListener("change", refresh);
  day.addEventListener("change", refresh);
})();
