/*
 * Names the button bar that Material for MkDocs adds to each code block
 * ("Code block 2"), so that a page with several code blocks has landmarks a
 * screen reader can tell apart (axe: landmark-unique). Material adds the
 * bars after the page loads, so they are named as they appear.
 */
(() => {
  "use strict";

  const name = () => {
    document.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach(nav => {
      const blocks = [...document.querySelectorAll("pre > code, pre")].map(node => node.closest("pre"));
      const number = [...new Set(blocks)].indexOf(nav.closest("pre")) + 1;
      nav.setAttribute("aria-label", number > 0 ? `Code block ${number}` : "Code block");
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    name();
    new MutationObserver(name).observe(document.body, { childList: true, subtree: true });
  });
})();
