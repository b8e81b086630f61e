// Gallery upload in the admin: drop or pick many photos; each is sent on its own request (two at a
// time), so a batch of hundreds never sits in one request or in memory. The counts and the bar
// follow the processing by polling the gallery's progress endpoint.
(function () {
  "use strict";
  const box = document.getElementById("photo-upload");
  if (!box) return;
  const form = document.getElementById("upload-form");
  const input = document.getElementById("photos-input");
  const log = document.getElementById("upload-log");
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const bar = box.querySelector(".upload-progress");
  let queue = [];
  let active = 0;
  let polling = null;

  document.getElementById("upload-submit").hidden = true;

  function note(text) {
    const li = document.createElement("li");
    li.textContent = text;
    log.prepend(li);
  }

  function show(p) {
    document.getElementById("count-done").textContent = p.processed;
    document.getElementById("count-failed").textContent = p.failed;
    document.getElementById("count-waiting").textContent = p.waiting;
    document.getElementById("count-uploading").textContent = queue.length + active ? `· ${queue.length + active} uploading` : "";
    const total = Math.max(p.total, 1);
    bar.querySelector(".done").style.width = `${(100 * p.processed) / total}%`;
    bar.querySelector(".failed").style.width = `${(100 * p.failed) / total}%`;
    bar.setAttribute("aria-valuemax", p.total);
    bar.setAttribute("aria-valuenow", p.processed);
    if (p.finished && !queue.length && !active && polling) {
      clearInterval(polling);
      polling = null;
      note("All photos are processed. Reload the page to see them and publish.");
    }
  }

  async function poll() {
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (response.ok) show(await response.json());
  }

  async function send(file) {
    const data = new FormData();
    data.append("photos", file);
    try {
      const response = await fetch(box.dataset.uploadUrl, {
        method: "POST", body: data, headers: { "X-CSRFToken": token, Accept: "application/json" },
      });
      const body = await response.json();
      body.skipped.forEach((reason) => note(`Skipped ${reason}`));
      if (body.progress) show(body.progress);
    } catch (err) {
      note(`${file.name}: the upload failed (${err.message}). Try this file again.`);
    }
  }

  function pump() {
    while (active < 2 && queue.length) {
      const file = queue.shift();
      active += 1;
      send(file).finally(() => { active -= 1; pump(); });
    }
    if (!polling) polling = setInterval(poll, 1500);
  }

  function add(files) {
    queue = queue.concat(Array.from(files));
    note(`${files.length} photo(s) to upload`);
    pump();
  }

  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  form.addEventListener("dragover", (e) => { e.preventDefault(); form.classList.add("dragging"); });
  form.addEventListener("dragleave", () => form.classList.remove("dragging"));
  form.addEventListener("drop", (e) => { e.preventDefault(); form.classList.remove("dragging"); add(e.dataTransfer.files); });
  if (Number(document.getElementById("count-waiting").textContent) > 0) polling = setInterval(poll, 1500);
})();

// The selection: one click copies the file names, ready to paste into the editing software's search.
(function () {
  "use strict";
  const button = document.getElementById("copy-names");
  if (!button) return;
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.target);
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (err) {
      field.select();
      document.execCommand("copy");
    }
    button.textContent = "Copied";
  });
})();
