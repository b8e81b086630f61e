// Client portal: the heart saves at once without a reload; the viewer moves with the arrow keys
// and a swipe; the zip page follows its progress. Everything works without it, as plain links
// and forms.
(function () {
  "use strict";

  function toast(text) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
  }

  // Favourites: send the state the client wants (not a toggle), so double taps settle correctly.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest(".heart-form");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    const wanted = form.querySelector("[name=chosen]");
    const data = new FormData(form);
    button.classList.toggle("is-chosen", wanted.value === "1");
    try {
      const response = await fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" } });
      const body = await response.json();
      button.classList.toggle("is-chosen", body.chosen);
      button.setAttribute("aria-pressed", String(body.chosen));
      wanted.value = body.chosen ? "0" : "1";
      document.querySelectorAll(".js-chosen").forEach((el) => { el.textContent = body.count; });
      if (body.error) toast(body.error);
    } catch (err) {
      form.submit();  // fall back to the plain form
    }
  });

  // The viewer: arrow keys and swipes go to the previous or next photo.
  const viewer = document.getElementById("viewer");
  if (viewer) {
    const go = (where) => { if (viewer.dataset[where]) window.location.href = viewer.dataset[where]; };
    document.addEventListener("keydown", (event) => {
      if (event.target.closest("textarea, input")) return;
      if (event.key === "ArrowLeft") go("previous");
      if (event.key === "ArrowRight") go("next");
      if (event.key === "Escape") document.querySelector(".viewer-bar a")?.click();
    });
    let startX = null;
    viewer.addEventListener("touchstart", (e) => { startX = e.touches[0].clientX; }, { passive: true });
    viewer.addEventListener("touchend", (e) => {
      if (startX === null) return;
      const dx = e.changedTouches[0].clientX - startX;
      if (Math.abs(dx) > 60) go(dx > 0 ? "previous" : "next");
      startX = null;
    });
  }

  // The zip page: poll until the zip is ready, then offer the download.
  const zip = document.getElementById("zip-status");
  if (zip && document.getElementById("zip-done")) {
    const timer = setInterval(async () => {
      const response = await fetch(zip.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.json();
      document.getElementById("zip-done").textContent = body.done;
      if (body.state !== "building") { clearInterval(timer); window.location.reload(); }
    }, 1500);
  }
})();
