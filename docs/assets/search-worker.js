/*
 * The casebook's search, behind Material for MkDocs' search interface.
 *
 * Material runs its search in a web worker and talks to it with four messages
 * (SETUP, READY, QUERY, RESULT); the theme lets a site give its own worker
 * (the "search" entry of its configuration, set in overrides/main.html). This
 * worker answers Material's queries from the Pagefind index that the build
 * writes to pagefind/ (for a large site, in parts: pagefind/, pagefind-2/, …,
 * listed in search/indexes.json and merged here; see generator/search.py): a
 * chunked index, of which a query loads only the few chunks its words need,
 * so a reader never downloads the whole index.
 *
 * On top of Pagefind it adds what readers asked for:
 *   - a kind filter (cases, lessons, sources, …), set from the buttons in the
 *     search dialog (assets/search.js sends a "t2:kind" message);
 *   - spelling: a query word that occurs nowhere in the collection (and
 *     begins no word of it) is replaced by the nearest word that does
 *     (search/words/<letter>.json, written by the build), and the corrected
 *     query is run instead;
 *   - a status line for the dialog ("t2:status": totals by kind, the
 *     correction made), which Material ignores.
 * Everything it renders is escaped here: Material inserts titles and texts as
 * HTML.
 */
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;  // Material's message types
const SHOWN = 20;         // results whose text is fetched and shown
const SECTIONS = 3;       // matching sections shown under a page
const SOURCE_WEIGHT = 0.3;  // how much a source page's score counts against other pages' (see ranked)
const WORDS = "words";    // the kind of a part's page of the words it lacks (generator/search.py): never shown
const OPTIONS = {
  excerptLength: 26,
  // A long case page is not a worse match than a short one: soften
  // Pagefind's length penalty, which otherwise favours the short source pages.
  ranking: { pageLength: 0.25, termFrequency: 0.8 },
};
const root = new URL("../", self.location.href);  // this file is <site>/assets/search-worker.js

let pagefind = null;
let query = "";
let kind = "";
let latest = 0;
const lexicon = new Map();  // first letter -> Promise of {counts: {word: occurrences}, sorted: [word, …]}

self.addEventListener("message", async ({ data }) => {
  if (data.type === SETUP) {
    const listed = await fetch(new URL("search/indexes.json", root)).then(response => response.json());
    const [first, ...others] = listed.map(folder => new URL(folder, root).href);
    pagefind = await import(new URL("pagefind.js", first).href);
    await pagefind.options({ basePath: first, ...OPTIONS });
    for (const index of others) await pagefind.mergeIndex(index, OPTIONS);
    await pagefind.init();
    // Merged parts count results by kind only once their filter indexes are loaded.
    if (others.length) await pagefind.filters();
    self.postMessage({ type: READY });
  } else if (data.type === QUERY) {
    query = data.data;
    answer();
  } else if (data.type === "t2:kind") {
    kind = data.kind;
    answer();
  }
});

async function answer() {
  const ticket = ++latest;
  const text = query.trim();
  if (!text || !pagefind) {
    self.postMessage({ type: RESULT, data: { items: [] } });
    self.postMessage({ type: "t2:status", query, total: 0, counts: {}, corrected: "", suggestion: "" });
    return;
  }
  // A word that occurs nowhere in the collection is a misspelling or a name we
  // lack: Pagefind would answer it with loose partial matches, so search for
  // the nearest known word instead, and say so.
  const { corrected, suggestion } = await spell(text);
  const search = await ranked(corrected || text);
  const shown = await Promise.all(search.results.slice(0, SHOWN).map(result => result.data()));
  if (ticket !== latest) return;  // a newer query is on its way
  const terms = Object.fromEntries(words(corrected || text).map(word => [word, true]));
  const items = shown.map((page, rank) => toItems(page, SHOWN - rank, terms));
  self.postMessage({ type: RESULT, data: { items } });
  self.postMessage({
    type: "t2:status", query, corrected, suggestion,
    total: search.results.length,
    counts: search.totalFilters?.kind || search.filters?.kind || {},
  });
}

/*
 * Search, with source pages ranked below the pages that cite them: a source
 * page is short and names its author again and again, so on Pagefind's score
 * alone it outranks the case a reader is looking for. Sources are searched
 * apart and their scores scaled down before the two lists are merged.
 */
async function ranked(text) {
  if (kind) return pagefind.search(text, { filters: { kind } });
  const [pages, sources] = await Promise.all([
    pagefind.search(text, { filters: { kind: { none: ["source", WORDS] } } }),
    pagefind.search(text, { filters: { kind: "source" } }),
  ]);
  const results = [
    ...pages.results,
    ...sources.results.map(result => ({ ...result, score: result.score * SOURCE_WEIGHT })),
  ].sort((a, b) => b.score - a.score);
  return { ...pages, results, totalFilters: pages.totalFilters };
}

/* One Pagefind result as Material's group: the page, then its best sections. */
function toItems(page, score, terms) {
  const isSource = page.filters?.kind?.includes("source");
  // The kind ("Case", "Source", …) as a label after the title. Not as Material's
  // tags: those are a <nav> landmark per result, which screen readers list.
  const label = page.meta?.kind ? ` <span class="t2-result-kind">${escapeHtml(page.meta.kind)}</span>` : "";
  const title = escapeHtml(page.meta?.title || page.url) + label;
  const text = isSource ? escapeHtml(page.meta?.work || "") : markExcerpt(page.excerpt);
  const location = page.url.replace(/^\//, "");  // relative to the site's base, which Material adds
  // A page of many entries (the inventory) is answered by its best entry, not by the page.
  const entry = page.filters?.kind?.includes("inventory") && (page.sub_results || []).find(s => s.url.includes("#"));
  if (entry) {
    return [{ location: entry.url.replace(/^\//, ""), title: escapeHtml(entry.title) + label,
              text: markExcerpt(entry.excerpt), score, terms }];
  }
  const items = [{ location, title, text, score, terms }];
  for (const section of (page.sub_results || []).slice(0, SECTIONS + 1)) {
    if (!section.url.includes("#") || isSource) continue;  // the page itself, or a reference's parts
    items.push({
      location: section.url.replace(/^\//, ""), title: escapeHtml(section.title),
      text: markExcerpt(section.excerpt), score: 0, terms,
    });
  }
  return items.slice(0, SECTIONS + 1);
}

/* Pagefind's excerpt is plain text with <mark> around the matches: keep only those marks. */
function markExcerpt(excerpt) {
  return (excerpt || "").split(/(<mark>|<\/mark>)/).map(part =>
    part === "<mark>" || part === "</mark>" ? part : escapeHtml(unescapeHtml(part))).join("");
}

function unescapeHtml(text) {
  return text.replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_, name) =>
    ({ lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'", amp: "&" })[name]);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, c =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/* ---- spelling ---------------------------------------------------------- */

/* Fold a word as the build does: lower case, accents and special letters to ASCII. */
const SPECIAL = { "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ı": "i", "þ": "th", "ð": "d" };

function fold(text) {
  return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")
    .replace(/[øæœßłđıþð]/g, c => SPECIAL[c]);
}

function words(text) {
  return fold(text).split(/[^a-z0-9]+/).filter(Boolean);
}

/* The collection's words beginning with `letter`: {counts: {word: n}, sorted: [word, …]}. */
function wordsOf(letter) {
  if (!/^[a-z]$/.test(letter)) return Promise.resolve({ counts: {}, sorted: [] });
  if (!lexicon.has(letter)) {
    lexicon.set(letter, fetch(new URL(`search/words/${letter}.json`, root))
      .then(response => response.ok ? response.json() : {})
      .catch(() => ({}))
      .then(counts => ({ counts, sorted: Object.keys(counts).sort() })));
  }
  return lexicon.get(letter);
}

/*
 * Check the spelling of a query. A word that occurs nowhere and begins no word
 * of the collection is replaced (`corrected`: the query to run instead); a
 * word that only begins other words may be one being typed, or a misspelling
 * such as "Ache" for Aceh, so the nearest whole word is offered instead
 * (`suggestion`: "did you mean"). Both are "" when there is nothing to change.
 */
async function spell(text) {
  const corrected = [], suggested = [];
  let replaced = false, offered = false;
  for (const word of words(text)) {
    const known = word.length < 4 || !/^[a-z]+$/.test(word) ? null : await wordsOf(word[0]);
    if (!known || Object.hasOwn(known.counts, word)) {
      corrected.push(word); suggested.push(word);
      continue;
    }
    const nearest = nearestWord(word, known.counts);
    if (isPrefix(word, known.sorted)) {
      corrected.push(word);
      suggested.push(nearest || word);
      offered = offered || Boolean(nearest);
    } else {
      corrected.push(nearest || word);
      suggested.push(nearest || word);
      replaced = replaced || Boolean(nearest);
    }
  }
  return {
    corrected: replaced ? corrected.join(" ") : "",
    suggestion: offered ? suggested.join(" ") : "",
  };
}

/* Whether `word` begins some word of the collection (`sorted`, in code-point order). */
function isPrefix(word, sorted) {
  let low = 0, high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < word) low = middle + 1; else high = middle;
  }
  return low < sorted.length && sorted[low].startsWith(word);
}

/* The known word fewest edits from `word` (one edit for short words, two for long), the commonest on a tie. */
function nearestWord(word, counts) {
  const limit = word.length < 7 ? 1 : 2;
  let best = null, bestDistance = limit + 1, bestCount = 0;
  for (const [candidate, count] of Object.entries(counts)) {
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(word, candidate, limit);
    if (distance < bestDistance || (distance === bestDistance && count > bestCount)) {
      best = candidate; bestDistance = distance; bestCount = count;
    }
  }
  return best;
}

/* Optimal string alignment distance (a swap of two letters counts as one edit), or limit + 1 past the limit. */
function editDistance(a, b, limit) {
  let before = null;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, before[j - 2] + 1);
      }
      current.push(value);
      smallest = Math.min(smallest, value);
    }
    if (smallest > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length];
}
