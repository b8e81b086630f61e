// Booking form: choosing a day or a month in the calendar, another session or a typed day fetches
// just the calendar's parts (the session's line, the month, the day's times) from the server and
// swaps them in, so nothing typed is lost. Without JavaScript the same links and the "Show free
// times" button load the whole page instead.
(function () {
  "use strict";
  const form = document.getElementById("booking-form");
  if (!form) return;
  const url = form.dataset.timesUrl;
  const session = form.querySelector("[name=session_type]");
  const day = form.querySelector("[name=date]");
  const calendar = document.getElementById("booking-calendar");
  // The intake questions and terms come only when another session is chosen (what was typed stays otherwise).
  const parts = ["session-summary", "calendar-month", "day-times", "intake-questions", "terms-acceptance"];

  form.querySelectorAll(".js-hide").forEach((el) => { el.hidden = true; });

  function busy(on) {
    ["calendar-month", "day-times", "times"].forEach((id) => {
      const el = document.getElementById(id);
      if (!el) return;
      if (on) el.setAttribute("aria-busy", "true"); else el.removeAttribute("aria-busy");
    });
  }

  function failed(text) {
    const box = document.getElementById("times");
    const p = document.createElement("p");
    p.className = "text-body-secondary mb-0";
    p.textContent = text;
    box.replaceChildren(p);
    form.querySelectorAll(".js-hide").forEach((el) => { el.hidden = false; });
  }

  // Where the session can take place decides which of "where" and "address" show.
  function showWhere() {
    const where = (document.getElementById("session-summary") || {}).dataset?.where || "";
    const choice = document.getElementById("location-choice");
    const address = document.getElementById("address-field");
    const radios = form.querySelectorAll("[name=location]");
    const pick = (value) => radios.forEach((r) => { r.checked = r.value === value; });
    if (where === "studio") pick("studio");
    if (where === "on_location") pick("on_location");
    if (choice) choice.hidden = where !== "either";
    const checked = form.querySelector("[name=location]:checked");
    if (address) address.hidden = !(checked && checked.value === "on_location");
  }

  // Answers can arrive out of order (a quick second choice of day): only the latest request's
  // answer is drawn, and the parts stay busy until it arrives.
  let latest = 0;

  async function refresh(params, focusSelector) {
    if (!session.value) return;
    const mine = ++latest;
    busy(true);
    try {
      const query = new URLSearchParams({ type: session.value, ...params });
      const response = await fetch(`${url}?${query}`, { headers: { Accept: "text/html" } });
      const text = await response.text();
      if (mine !== latest) return;
      if (!response.ok) {
        // Our own refusals are one plain sentence; anything else (a proxy's error page) is not for the client.
        const plain = (response.headers.get("Content-Type") || "").startsWith("text/plain");
        busy(false);
        failed(plain && text ? text : "Could not load the free times.");
        return;
      }
      const fresh = new DOMParser().parseFromString(text, "text/html");
      parts.forEach((id) => {
        const now = document.getElementById(id);
        const next = fresh.getElementById(id);
        if (now && next) now.replaceWith(document.importNode(next, true));
      });
      const selected = document.getElementById("calendar-month").dataset.selected;
      if (selected) day.value = selected;
      showWhere();
      // The parts were replaced, so say what is shown now for screen readers.
      const shown = document.getElementById("day-title") || document.getElementById("calendar-title");
      const status = document.getElementById("calendar-status");
      if (shown && status) status.textContent = `Free times: ${shown.textContent}`;
      // The link chosen was replaced: keep the keyboard where it was (or on the month's title).
      if (focusSelector) (calendar.querySelector(focusSelector) || document.getElementById("calendar-title")).focus();
    } catch (err) {
      if (mine !== latest) return;
      busy(false);
      failed("Could not load the free times. Use the Show free times button instead.");
    }
  }

  calendar.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-day], a[data-month]");
    if (!link) return;
    event.preventDefault();
    if (link.dataset.day) {
      day.value = link.dataset.day;
      refresh({ date: link.dataset.day }, `a[data-day="${link.dataset.day}"]`);
    } else {
      refresh({ month: link.dataset.month }, `a[rel="${link.rel}"]`);
    }
  });
  session.addEventListener("change", () => refresh(day.value ? { date: day.value, intake: "1" } : { intake: "1" }));
  day.addEventListener("change", () => { if (day.value) refresh({ date: day.value }); });
  form.querySelectorAll("[name=location]").forEach((r) => r.addEventListener("change", showWhere));
  showWhere();
})();
