// Runs in every page of a phone-sized browser before the page's own scripts (see conftest.py).
// Once the page is parsed, and again once it has loaded, it measures whether the document is wider
// than the screen and, if it is, reports the page and the element that sticks out furthest.
(() => {
  if (window.top !== window) return; // frames are measured as part of their page

  function label(el) {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    for (const name of [...el.classList].slice(0, 3)) text += "." + name;
    return text;
  }

  function path(el) {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4; node = node.parentElement) {
      parts.unshift(label(node));
    }
    return parts.join(" > ");
  }

  // Elements whose right edge is past `limit`; what a clipping box (overflow not visible) hides
  // does not widen the page, so its insides are skipped. `starts` marks where the overflow begins:
  // an element sticking out of a parent that does not.
  function stickingOut(limit) {
    const found = [];
    const walk = (parent, parentSticks) => {
      for (const el of parent.children) {
        const style = getComputedStyle(el);
        if (style.display === "none" || style.position === "fixed") continue;
        const box = el.getBoundingClientRect();
        const right = box.right + window.scrollX;
        const sticks = box.width > 0 && right > limit + 0.5;
        if (sticks) found.push({ el, right, width: box.width, starts: !parentSticks });
        if (style.overflowX === "visible") walk(el, box.width > 0 ? sticks : parentSticks);
      }
    };
    walk(document.body, false);
    return found;
  }

  function measure() {
    const doc = document.documentElement;
    // A mobile browser widens innerWidth to fit content that is too wide; clientWidth stays the screen's.
    const limit = Math.min(window.innerWidth, doc.clientWidth);
    if (doc.scrollWidth <= limit) return null;
    const widest = stickingOut(limit)
      .filter((f) => f.starts)
      .sort((a, b) => b.right - a.right)[0];
    const text = widest ? (widest.el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 80) : "";
    return {
      url: location.pathname + location.search,
      scrollWidth: doc.scrollWidth,
      width: limit,
      widest: widest
        ? `${path(widest.el)} (${Math.round(widest.width)} px wide, reaching ${Math.round(widest.right)} px)` +
          (text ? `: "${text}"` : "")
        : "(no single element: look for a 100vw or a transform)",
    };
  }

  window.__phoneWidthFinding = measure;
  const report = () => {
    const finding = measure();
    if (finding && window.__reportTooWide) window.__reportTooWide(finding);
  };
  document.addEventListener("DOMContentLoaded", report);
  window.addEventListener("load", report);
})();
