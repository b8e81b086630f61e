// Gallery upload in the admin: drop or pick many photos; each is sent on its own request (two at a
// time), so a batch of hundreds never sits in one request or in memory. While they go, the files and
// bytes sent so far are shown; the counts and the bar then follow the processing by polling the
// gallery's progress endpoint, and Publish opens by itself once every photo is processed.
(function () {
  "use strict";
  const box = document.getElementById("photo-upload");
  if (!box) return;
  const form = document.getElementById("upload-form");
  const input = document.getElementById("photos-input");
  const log = document.getElementById("upload-log");
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const bar = box.querySelector(".upload-progress");
  const sent = document.getElementById("upload-sent");
  const sentBar = document.getElementById("upload-bytes");
  const sentText = document.getElementById("upload-sent-text");
  const publish = document.getElementById("publish");
  const withoutFailed = document.getElementById("publish-without-failed");
  const publishHelp = document.getElementById("publish-help");
  let queue = [];
  let active = 0;
  let polling = null;
  // This batch: files and bytes queued, and those the server has answered for.
  let batch = { files: 0, bytes: 0, doneFiles: 0, doneBytes: 0 };
  const loading = new Map(); // file → bytes of it sent so far

  document.getElementById("upload-submit").hidden = true;

  function note(text) {
    const li = document.createElement("li");
    li.textContent = text;
    log.prepend(li);
  }

  function size(bytes) {
    if (bytes < 1e3) return `${Math.round(bytes)} bytes`;
    if (bytes < 1e6) return `${Math.round(bytes / 1e3)} KB`;
    return `${(bytes / 1e6).toFixed(1)} MB`;
  }

  function showSent() {
    let bytes = batch.doneBytes;
    loading.forEach((n) => { bytes += n; });
    sent.hidden = batch.files === 0;
    sentBar.max = Math.max(batch.bytes, 1);
    sentBar.value = Math.min(bytes, batch.bytes);
    const files = `${batch.doneFiles} of ${batch.files} file${batch.files === 1 ? "" : "s"} sent`;
    sentText.textContent = `${files} · ${size(bytes)} of ${size(batch.bytes)}`;
  }

  function showPublish(p) {
    if (!publish) return; // published already
    const ready = p.finished && p.processed > 0;
    publish.disabled = !(ready && p.failed === 0);
    if (withoutFailed) {
      withoutFailed.hidden = p.failed === 0;
      withoutFailed.disabled = !ready;
      document.getElementById("failed-in-button").textContent = p.failed;
    }
    if (publishHelp) {
      const key = !p.finished ? "waiting" : p.failed ? "failed" : p.processed ? "ready" : "empty";
      publishHelp.textContent = publishHelp.dataset[key];
    }
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
    const uploading = queue.length + active > 0;
    showPublish(uploading ? { ...p, finished: false } : p);
    if (p.finished && !uploading && polling) {
      clearInterval(polling);
      polling = null;
      note(p.failed
        ? "All photos are processed; some could not be. Remove them or publish without them."
        : "All photos are processed: the gallery can be published.");
    }
  }

  async function poll() {
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (response.ok) show(await response.json());
  }

  // XMLHttpRequest rather than fetch: only it reports how much of a request body has gone.
  function send(file) {
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("photos", file);
      const request = new XMLHttpRequest();
      request.open("POST", box.dataset.uploadUrl);
      request.setRequestHeader("X-CSRFToken", token);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable) return;
        loading.set(file, Math.min(file.size, (e.loaded * file.size) / Math.max(e.total, 1)));
        showSent();
      });
      request.addEventListener("load", () => {
        loading.delete(file);
        let body = null;
        try { body = JSON.parse(request.responseText); } catch (err) { /* an error page, not JSON */ }
        if (body && Array.isArray(body.skipped)) {
          batch.doneFiles += 1;
          batch.doneBytes += file.size;
          body.skipped.forEach((reason) => note(`Skipped ${reason}`));
          if (body.progress) show(body.progress);
        } else {
          note(`${file.name}: the server refused the upload (${request.status}). Try this file again.`);
        }
        showSent();
        resolve();
      });
      request.addEventListener("error", () => {
        loading.delete(file);
        note(`${file.name}: the upload failed (the connection dropped). Try this file again.`);
        showSent();
        resolve();
      });
      request.send(data);
    });
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
    files = Array.from(files);
    if (!files.length) return;
    if (!queue.length && !active) batch = { files: 0, bytes: 0, doneFiles: 0, doneBytes: 0 };
    batch.files += files.length;
    files.forEach((file) => { batch.bytes += file.size; });
    queue = queue.concat(files);
    note(`${files.length} photo${files.length === 1 ? "" : "s"} to upload`);
    if (publish) showPublish({ finished: false, processed: 0, failed: 0 });
    showSent();
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
