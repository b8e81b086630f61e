// Runs in every page a journey's browser opens, after axe-core (see conftest.py): once an HTML page
// has loaded, axe checks it and each finding, of any impact, is reported to the test, which fails at
// its end naming the page. `window.__axeEveryPage` settles when the check is over.
(() => {
  if (window.top !== window) return; // frames are checked as part of their page
  let settle;
  // Settles once the check is over, or after 10 s whatever happens (a page that never loads).
  window.__axeEveryPage = new Promise((resolve) => {
    settle = resolve;
    setTimeout(resolve, 10000);
  });
  if (location.protocol !== "http:" && location.protocol !== "https:") return settle(); // about:blank
  window.addEventListener("load", () => {
    if (document.contentType !== "text/html") return settle();
    setTimeout(async () => {
      try {
        const result = await axe.run(document, { resultTypes: ["violations"] });
        for (const v of result.violations) {
          const where = JSON.stringify(v.nodes.slice(0, 3).map((node) => node.target));
          await window.__reportAxe({ url: location.href, finding: `${v.impact}: ${v.id} (${v.help}) at ${where}` });
        }
      } finally {
        settle();
      }
    }, 0);
  });
})();
