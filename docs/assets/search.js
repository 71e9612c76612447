/*
 * The search dialog's kind filter and status line (see assets/search-worker.js).
 *
 * Loaded in the page head, before Material's bundle, so that it can keep a
 * handle on the search worker Material creates: the filter buttons send the
 * chosen kind to that worker, and its "t2:status" messages fill the status
 * line. Without JavaScript none of this is shown, and neither is Material's
 * search.
 */
(() => {
  "use strict";

  let worker = null;
  const statuses = [];
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      super(url, options);
      if (String(url).includes("search-worker")) {
        worker = this;
        this.addEventListener("message", ({ data }) => {
          if (data && data.type === "t2:status") statuses.forEach(show => show(data));
        });
      }
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    const bar = document.querySelector("[data-t2-search-kinds]");
    const status = document.querySelector("[data-t2-search-status]");
    const input = document.querySelector("[data-md-component=search-query]");
    if (!bar || !status || !input) return;
    bar.hidden = false;
    const buttons = [...bar.querySelectorAll("button[data-kind]")];

    const choose = button => {
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
      if (worker) worker.postMessage({ type: "t2:kind", kind: button.dataset.kind });
    };
    for (const button of buttons) button.addEventListener("click", () => choose(button));

    statuses.push(({ query, corrected, suggestion, total, counts }) => {
      if (query !== input.value) return;  // an answer to an older query
      let all = 0;
      for (const button of buttons) {
        const count = button.dataset.kind ? counts[button.dataset.kind] || 0 : null;
        if (count !== null) all += count;
        const label = button.querySelector(".t2-count");
        if (label) label.textContent = query.trim() && count !== null ? `${count}` : "";
        // A kind with no match is hidden, unless it is the one chosen.
        button.hidden = count === 0 && Boolean(query.trim()) && button.getAttribute("aria-pressed") !== "true";
      }
      const allLabel = buttons[0].querySelector(".t2-count");
      if (allLabel) allLabel.textContent = query.trim() ? `${all}` : "";
      const chosen = buttons.find(b => b.getAttribute("aria-pressed") === "true");
      const what = chosen && chosen.dataset.kind ? chosen.dataset.label : "pages";
      const parts = [];
      if (corrected) parts.push(`No match for “${query.trim()}”; showing results for “${corrected}”.`);
      if (!query.trim()) parts.push("Type to search cases, lessons, convenors, conflicts, sources and the glossary.");
      else if (total === 0) parts.push(all > 0
        ? `No ${what} match; ${all} other pages do: choose “All”.`
        : "Nothing matches. Try fewer words or another spelling.");
      else if (total > 20) parts.push(`The best 20 of ${total} ${what}. Add a word or choose a kind to narrow them down.`);
      else parts.push(`${total} ${total === 1 ? what.replace(/s$/, "") : what}.`);
      status.textContent = parts.join(" ");
      status.dataset.query = query;  // which query the line answers
      if (suggestion) {
        const offer = document.createElement("button");
        offer.type = "button";
        offer.className = "t2-search-suggestion";
        offer.textContent = `Did you mean “${suggestion}”?`;
        offer.addEventListener("click", () => {
          input.value = suggestion;
          input.dispatchEvent(new KeyboardEvent("keyup"));  // Material reads the query on keyup
          input.focus();
        });
        status.append(" ", offer);
      }
    });
  });
})();
