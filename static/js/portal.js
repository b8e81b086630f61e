// Client portal: the heart saves at once without a reload; the grid's next pages of photos load as the
// client scrolls; the proofs open in a viewer (PhotoSwipe) whose address names the photo shown; the
// plain photo page moves with the arrow keys and a swipe; the zip page follows its progress.
// Everything works without it, as plain links and forms.
(function () {
  "use strict";

  const HEART = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d="M12 21s-7.5-4.6-9.6-9.2C.9 8.4 3 4.5 6.7 4.5c2.1 0 3.6 1.2 4.3 2.5.7-1.3 2.2-2.5 4.3-2.5 3.7 0 5.8 3.9 4.3 7.3C19.5 16.4 12 21 12 21z"/></svg>';
  const noticeListeners = [];

  // A notice in the page's own place for it (the selection bar, the viewer's caption), never over a photo.
  function toast(text) {
    noticeListeners.forEach((listener) => listener(text));
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  function showCount(body) {
    document.querySelectorAll(".js-chosen").forEach((el) => { el.textContent = body.count; });
    const count = document.getElementById("selection-count");
    const currency = count ? count.dataset.currency || "" : "";
    document.querySelectorAll(".js-extras").forEach((el) => { el.hidden = !body.extras; });
    document.querySelectorAll(".js-extras-n").forEach((el) => { el.textContent = body.extras; });
    if (body.extras_price !== undefined) {
      document.querySelectorAll(".js-extras-price").forEach((el) => { el.textContent = currency + body.extras_price; });
    }
  }

  // A tile's file name, and the addresses beside its photo's (its proof or web-size copy, its
  // comments, its heart): the tile's link is absolute, whatever address the page shows meanwhile.
  const nameOf = (tile) => tile.querySelector(".photo-name")?.textContent || "";
  const besidePhoto = (link, path) => {
    const url = new URL(path, link.href);
    return url.pathname + url.search;
  };

  // Favourites: send the state the client wants (not a toggle), so double taps settle correctly.
  // `button` is a grid tile's heart (the state it asks for is its value) or the photo page's (its
  // form holds it). Resolves to whether the photo is chosen now.
  async function sendFavourite(button) {
    const form = button.form;
    const wanted = button.name === "chosen" ? button : form.querySelector("[name=chosen]");
    const tile = button.closest(".photo-tile");
    const link = tile?.querySelector(".photo-link");
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("chosen", wanted.value);
    button.classList.toggle("is-chosen", wanted.value === "1");
    let body;
    try {
      const url = link ? besidePhoto(link, "favourite/") : form.action;
      const response = await fetch(url, { method: "POST", body: data, headers: { Accept: "application/json" } });
      body = await response.json();
    } catch (err) {
      button.classList.toggle("is-chosen", wanted.value !== "1");  // as it was: nothing was saved
      throw err;
    }
    button.classList.toggle("is-chosen", body.chosen);
    button.setAttribute("aria-pressed", String(body.chosen));
    const name = tile ? nameOf(tile) : button.dataset.name;  // a tile's, or the photo, similar or compare page's
    if (name) button.setAttribute("aria-label", body.chosen ? `Remove ${name} from favourites` : `Choose ${name}`);
    wanted.value = body.chosen ? "0" : "1";
    showCount(body);
    if (body.error) toast(body.error);
    return body.chosen;
  }

  let plainSubmit = false;  // set when falling back to the plain form: let it through
  document.addEventListener("submit", async (event) => {
    const button = event.submitter;
    if (plainSubmit || !button || !button.classList.contains("heart")) return;
    event.preventDefault();
    try {
      await sendFavourite(button);
    } catch (err) {
      plainSubmit = true;
      event.target.requestSubmit(button);  // the plain form, to the heart's own address
    }
  });

  // --- the grid's next pages: fetched as the client nears the "More photos" link, and appended ---
  const grid = document.getElementById("photo-grid");
  const loadMore = grid ? setUpMore(grid) : async () => false;

  function setUpMore(grid) {
    let loading = null;
    const moreLink = () => document.querySelector("#more-photos a[data-fragment]");

    // Resolves to whether tiles were added. A failed fetch leaves the link, which still works.
    function more() {
      const link = moreLink();
      if (!link) return Promise.resolve(false);
      if (loading) return loading;
      link.setAttribute("aria-busy", "true");
      loading = (async () => {
        try {
          const response = await fetch(link.dataset.fragment, { headers: { Accept: "text/html" } });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const page = document.createElement("template");
          page.innerHTML = await response.text();
          const tiles = Array.from(page.content.querySelector("ul").children);
          grid.append(...tiles);
          const next = page.content.getElementById("more-photos");
          if (next) document.getElementById("more-photos").replaceWith(next);
          else document.getElementById("more-photos").remove();
          watch();
          grid.dispatchEvent(new CustomEvent("tiles-added", { detail: tiles }));
          return tiles.length > 0;
        } catch (err) {
          link.removeAttribute("aria-busy");
          return false;
        } finally {
          loading = null;
        }
      })();
      return loading;
    }

    // Well before the link comes into view, so the next tiles are there when the client gets to them.
    const observer = "IntersectionObserver" in window
      ? new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) more(); }, { rootMargin: "0px 0px 1500px 0px" })
      : null;
    function watch() {
      if (!observer) return;
      observer.disconnect();
      const box = document.getElementById("more-photos");
      if (box) observer.observe(box);
    }
    watch();

    // Followed by hand (a keyboard, or no IntersectionObserver): the first new photo takes the focus.
    document.addEventListener("click", async (event) => {
      const link = event.target.closest("#more-photos a[data-fragment]");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      const before = grid.children.length;
      if (await more()) grid.children[before]?.querySelector(".photo-link")?.focus();
      else if (!loading) window.location.href = link.href;
    });
    return more;
  }

  // --- the viewer over the grid (of proofs, or of the delivered photos) ---
  // It pages through the tiles loaded so far, and loads the next page as it nears their end.
  if (grid && window.PhotoSwipe) setUpViewer(grid);

  function setUpViewer(grid) {
    const links = () => Array.from(grid.querySelectorAll(".photo-link[data-proof]"));
    const csrf = (grid.closest("form") || document).querySelector("[name=csrfmiddlewaretoken]")?.value || "";
    const open = grid.dataset.open === "1";
    const hearts = grid.querySelector(".heart") !== null;  // proofs have hearts; delivered photos, downloads
    let pswp = null;
    let leaving = false;  // the viewer closed itself and went back: that step back is already handled

    const keyOf = (link) => link.closest(".photo-tile").id.replace(/^photo-/, "");
    const indexOf = (key) => links().findIndex((link) => keyOf(link) === key);

    const itemOf = (link) => {
      const img = link.querySelector("img");
      return { src: besidePhoto(link, link.dataset.proof), width: +link.dataset.width, height: +link.dataset.height, alt: img.alt, msrc: img.currentSrc || img.src };
    };

    function start(index, { push }) {
      const items = links().map(itemOf);
      let caption = null;
      const parts = {};
      pswp = new window.PhotoSwipe({
        dataSource: items,
        index,
        showHideAnimationType: push ? "fade" : "none",  // back and forward show the photo at once
        preload: [1, 2],  // the neighbours are on their way before the client swipes to them
        bgOpacity: 1,
        closeTitle: "Close the viewer",
        zoomTitle: "Zoom",
        arrowPrevTitle: "Previous photo",
        arrowNextTitle: "Next photo",
        errorMsg: "This photo could not be loaded.",
        counter: false,  // the caption counts the whole list, not only the tiles loaded so far
        appendToEl: document.getElementById("main") || document.body,
        // The photo is laid out above the caption, so the comment box never covers it.
        paddingFn: () => ({ top: 60, bottom: caption ? caption.offsetHeight : 0, left: 0, right: 0 }),
      });

      pswp.on("uiRegister", () => {
        if (hearts) pswp.ui.registerElement({
          name: "heart", order: 9, isButton: true, tagName: "button", title: "Choose this photo", html: HEART,
          onInit: (button) => {
            parts.heart = button;
            button.classList.add("pswp__button--heart");
            button.addEventListener("click", async () => {
              const tileHeart = currentLink().closest(".photo-tile").querySelector(".heart");
              button.disabled = true;
              try {
                await sendFavourite(tileHeart);
              } catch (err) {
                toast("That didn't reach us. Please check your connection and try again.");
              } finally {
                showHeart();
              }
            });
          },
        });
        pswp.ui.registerElement({
          name: "viewer-caption", order: 10, appendTo: "root", tagName: "div",
          onInit: (el) => { caption = el; buildCaption(el, parts); },
        });
      });

      // Typing a comment moves nothing: keys go to the text, not to the viewer (Escape still closes).
      pswp.on("keydown", (e) => {
        if (e.originalEvent.target.closest?.("textarea, input") && e.originalEvent.key !== "Escape") e.preventDefault();
      });

      function currentLink() { return links()[pswp.currIndex]; }

      function showHeart() {
        if (!parts.heart) return;
        const tileButton = currentLink().closest(".photo-tile").querySelector(".heart");
        const chosen = tileButton.classList.contains("is-chosen");
        const name = nameOf(currentLink().closest(".photo-tile"));
        parts.heart.classList.toggle("is-chosen", chosen);
        parts.heart.setAttribute("aria-pressed", String(chosen));
        parts.heart.disabled = tileButton.disabled;
        const label = chosen ? `Remove ${name} from favourites` : `Choose ${name}`;
        parts.heart.setAttribute("aria-label", label);
        parts.heart.title = label;
      }

      function showPhoto() {
        const link = currentLink();
        const total = Math.max(+grid.dataset.total || 0, pswp.getNumItems());
        parts.name.textContent = `${pswp.currIndex + 1} of ${total} · ${nameOf(link.closest(".photo-tile"))}`;
        parts.notice.hidden = true;
        parts.comments.replaceChildren();
        link.closest(".photo-tile").querySelectorAll(".js-comments li").forEach((li) => addComment(li.textContent, li.dataset.at, li.dataset));
        parts.comments.hidden = !parts.comments.children.length;
        const downloads = link.closest(".photo-tile").querySelector(".js-downloads");
        parts.downloads.replaceChildren(...(downloads ? [downloads.cloneNode(true)] : []));
        parts.downloads.hidden = !downloads;
        if (parts.form) {
          parts.form.action = besidePhoto(link, "comment/");
          parts.text.value = "";
        }
        showHeart();
        if (history.state && history.state.photo !== keyOf(link)) {
          history.replaceState({ photo: keyOf(link) }, "", link.href);
        }
        pswp.updateSize(true);  // the caption's height may have changed
      }

      // `answer` holds the photographer's reply, if any: reply, replyFrom, repliedAt.
      function addComment(text, at, answer = {}) {
        const li = document.createElement("li");
        li.textContent = text + " ";
        if (at) {
          const time = document.createElement("time");
          time.textContent = at;
          li.append(time);
        }
        if (answer.reply) {
          const reply = Object.assign(document.createElement("p"), { className: "comment-reply mb-0 ps-2 border-start" });
          const from = Object.assign(document.createElement("strong"), { textContent: `${answer.replyFrom || "The photographer"} replied: ` });
          const time = Object.assign(document.createElement("time"), { textContent: answer.repliedAt || "" });
          reply.append(from, answer.reply + " ", time);
          li.append(reply);
        }
        parts.comments.append(li);
        parts.comments.hidden = false;
      }

      function buildCaption(el, parts) {
        el.className = "viewer-caption";
        const inner = document.createElement("div");
        inner.className = "viewer-caption__inner";
        parts.name = Object.assign(document.createElement("p"), { className: "viewer-caption__name" });
        parts.notice = Object.assign(document.createElement("p"), { className: "viewer-caption__notice", hidden: true });
        parts.notice.setAttribute("role", "alert");
        parts.comments = Object.assign(document.createElement("ul"), { className: "comments" });
        parts.comments.setAttribute("aria-label", "Comments");
        parts.comments.tabIndex = 0;  // it scrolls once comments and replies outgrow it: keys must reach it
        parts.downloads = Object.assign(document.createElement("p"), { className: "viewer-caption__downloads" });
        inner.append(parts.name, parts.notice, parts.comments, parts.downloads);
        if (open) {
          const form = Object.assign(document.createElement("form"), { className: "viewer-comment", method: "post" });
          const label = Object.assign(document.createElement("label"), { className: "visually-hidden", htmlFor: "viewer-comment-text", textContent: "Comment for the photographer" });
          const text = Object.assign(document.createElement("textarea"), { id: "viewer-comment-text", name: "text", rows: 1, maxLength: 2000, required: true, placeholder: "A comment for the photographer" });
          const save = Object.assign(document.createElement("button"), { type: "submit", textContent: "Save comment" });
          form.append(label, text, save);
          form.addEventListener("submit", (event) => { event.preventDefault(); sendComment(); });
          inner.append(form);
          parts.form = form;
          parts.text = text;
        }
        el.append(inner);
      }

      async function sendComment() {
        const data = new FormData();
        data.append("csrfmiddlewaretoken", csrf);
        data.append("text", parts.text.value);
        const link = currentLink();
        try {
          const response = await fetch(parts.form.action, { method: "POST", body: data, headers: { Accept: "application/json" } });
          const body = await response.json();
          if (body.error) { toast(body.error); return; }
          let list = link.closest(".photo-tile").querySelector(".js-comments");
          if (!list) {
            list = Object.assign(document.createElement("ul"), { className: "js-comments", hidden: true });
            link.closest(".photo-tile").append(list);
          }
          const li = Object.assign(document.createElement("li"), { textContent: body.text });
          li.dataset.at = body.at;
          list.append(li);
          if (link === currentLink()) {
            addComment(body.text, body.at);
            parts.text.value = "";
            parts.comments.scrollTop = parts.comments.scrollHeight;
            pswp.updateSize(true);
          }
        } catch (err) {
          toast("Your comment could not be saved just now. Please try again.");
        }
      }

      const notice = (text) => {
        if (!parts.notice) return;
        parts.notice.textContent = text;
        parts.notice.hidden = false;
      };
      noticeListeners.push(notice);

      pswp.on("afterInit", () => {
        pswp.element.setAttribute("aria-label", "Photo viewer");
        showPhoto();
      });
      // Keys and the neighbours' proofs come once it has opened (PhotoSwipe binds them then).
      pswp.on("openingAnimationEnd", () => pswp.element.classList.add("is-ready"));
      pswp.on("change", () => {
        if (parts.name) showPhoto();
        if (pswp.currIndex >= pswp.getNumItems() - 3) loadMore();  // the next page, before the client swipes to it
      });
      // Tiles appended while the viewer is open join it; the neighbours shown now are refreshed.
      const join = (event) => {
        if (!pswp) return;
        const at = pswp.getNumItems();
        event.detail.forEach((tile) => {
          const link = tile.querySelector(".photo-link[data-proof]");
          if (link) pswp.options.dataSource.push(itemOf(link));
        });
        for (let i = pswp.currIndex - 1; i <= pswp.currIndex + 2; i++) pswp.refreshSlideContent((i + pswp.getNumItems()) % pswp.getNumItems());
        if (parts.name && at !== pswp.getNumItems()) showPhoto();
      };
      grid.addEventListener("tiles-added", join);
      pswp.on("close", () => {
        noticeListeners.splice(noticeListeners.indexOf(notice), 1);
        grid.removeEventListener("tiles-added", join);
        const tile = currentLink().closest(".photo-tile");
        const box = tile.getBoundingClientRect();
        if (box.bottom < 0 || box.top > window.innerHeight) tile.scrollIntoView({ block: "center" });
        // Closed by the client (not by the back button): take the photo's address off the history.
        if (history.state && history.state.photo) {
          leaving = true;
          history.back();
        }
      });
      pswp.on("destroy", () => { pswp = null; });

      if (push) history.pushState({ photo: keyOf(links()[index]) }, "", links()[index].href);
      pswp.init();
    }

    grid.addEventListener("click", (event) => {
      const link = event.target.closest(".photo-link[data-proof]");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      start(links().indexOf(link), { push: true });
    });

    // Back and forward: the grid's address closes the viewer, a photo's opens it on that photo.
    window.addEventListener("popstate", (event) => {
      if (leaving) {
        leaving = false;
        return;
      }
      const key = event.state && event.state.photo;
      const index = key ? indexOf(key) : -1;
      if (index >= 0) {
        if (pswp) pswp.goTo(index);
        else start(index, { push: false });
      } else if (pswp && pswp.opener.isOpening) {
        pswp.on("openingAnimationEnd", () => pswp.close());
      } else if (pswp) {
        pswp.close();
      }
    });
  }

  // The plain photo page: arrow keys and swipes go to the previous or next photo.
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
