// The case explorer (/explore/) and the compare page (/compare/), both built in
// the browser from the JSON the site publishes under /explore/ (index.json: the
// facets and a short row per case; cases-<n>.json: each case's compare rows,
// its row of data/cases.csv and its record of data/cases.json).
//
// Explorer: several values of a facet widen the choice (OR), facets narrow it
// (AND), and each value shows how many cases choosing it would give with the
// other facets as they are. The state lives in the address, so a view can be
// bookmarked or shared. The downloads hold exactly the cases shown.
// Every piece of content reaches the page as text (textContent), never as HTML.
// Without this script the pages keep their static lists.
(function () {
  "use strict";
  var PAGE_SIZE = 50;
  var MAX_COMPARE = 4;
  var SHORT_FACET = 10;  // values shown before "Show all"; a longer facet also gets a filter box
  var loaded = {};
  var FOLDED = { "\u00f8": "o", "\u0142": "l", "\u0111": "d", "\u0131": "i", "\u00e6": "ae", "\u0153": "oe", "\u00df": "ss" };

  function getJSON(url) {
    if (!loaded[url]) {
      loaded[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      });
    }
    return loaded[url];
  }

  function fold(text) {
    // Accents need not be typed, nor letters that do not decompose (Rød-Larsen: "rod-larsen").
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[\u00f8\u0142\u0111\u0131\u00e6\u0153\u00df]/g, function (c) { return FOLDED[c]; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function plural(count, noun) {
    return count.toLocaleString("en") + " " + noun + (count === 1 ? "" : "s");
  }

  // The details of the cases at these positions of the index, loaded chunk by chunk.
  function details(base, index, positions) {
    var chunks = {};
    positions.forEach(function (i) { chunks[Math.floor(i / index.chunk_size)] = true; });
    var numbers = Object.keys(chunks).map(Number);
    return Promise.all(numbers.map(function (n) { return getJSON(base + index.chunks[n]); })).then(function (parts) {
      var found = {};
      parts.forEach(function (part) { part.forEach(function (item) { found[item.id] = item; }); });
      return positions.map(function (i) { return found[index.cases[i].id]; });
    });
  }

  // ---------------------------------------------------------------- explorer

  function setUpExplorer(root) {
    var base = root.getAttribute("data-root");
    getJSON(root.getAttribute("data-index")).then(function (index) {
      startExplorer(root, base, index);
    }).catch(function () {
      root.hidden = true;  // the static list stays
    });
  }

  function startExplorer(root, base, index) {
    var facets = index.facets;
    var cases = index.cases;
    var haystacks = cases.map(function (c) { return fold([c.title].concat(c.also_known_as, [c.summary]).join(" \u0000 ")); });
    var idPosition = {};
    cases.forEach(function (c, i) { idPosition[c.id] = i; });
    var chosen = facets.map(function (f) { return new Uint8Array(f.values.length); });
    var state = { words: "", page: 1, compare: [] };
    var query = root.querySelector("#t2-q");
    var facetBox = root.querySelector("#t2-facet-list");
    var status = root.querySelector("#t2-status");
    var suggestion = root.querySelector("#t2-suggest");
    var list = root.querySelector("#t2-results");
    var pager = root.querySelector("#t2-pages");
    var compareBar = root.querySelector("#t2-compare-bar");
    var controls = [];  // per facet: {details, items: [{li, input, count}], chosenNote}
    var current = [];   // positions of the cases shown, in index order

    function readAddress() {
      var params = new URLSearchParams(window.location.search);
      facets.forEach(function (facet, f) {
        chosen[f].fill(0);
        params.getAll(facet.name).forEach(function (wanted) {
          facet.values.forEach(function (value, v) {
            // An old link to a lesson (without a stance) chooses both stances.
            if (value[0] === wanted || (facet.name === "lesson" && value[0].split(":")[1] === wanted)) chosen[f][v] = 1;
          });
        });
      });
      state.words = params.get("text") || "";
      state.page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
      state.compare = (params.get("compare") || "").split(",").filter(function (id, i, all) {
        return id && idPosition.hasOwnProperty(id) && all.indexOf(id) === i;
      }).slice(0, MAX_COMPARE);
      query.value = state.words;
    }

    function writeAddress() {
      var params = new URLSearchParams();
      if (state.words.trim()) params.set("text", state.words.trim());
      facets.forEach(function (facet, f) {
        facet.values.forEach(function (value, v) { if (chosen[f][v]) params.append(facet.name, value[0]); });
      });
      if (state.page > 1) params.set("page", String(state.page));
      if (state.compare.length) params.set("compare", state.compare.join(","));
      var search = params.toString();
      history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    }

    function words() {
      return fold(state.words).split(/\s+/).filter(Boolean);
    }

    function passesWords(i, wanted) {
      for (var w = 0; w < wanted.length; w++) if (haystacks[i].indexOf(wanted[w]) === -1) return false;
      return true;
    }

    function passesFacet(i, f) {
      var values = cases[i].facets[f];
      for (var k = 0; k < values.length; k++) if (chosen[f][values[k]]) return true;
      return false;
    }

    function activeFacets() {
      var active = [];
      chosen.forEach(function (mask, f) { if (mask.indexOf(1) !== -1) active.push(f); });
      return active;
    }

    // The cases that pass every choice, and for each facet value the number of
    // cases that pass every other facet and have that value.
    function evaluate() {
      var wanted = words();
      var active = activeFacets();
      var counts = facets.map(function (f) { return new Int32Array(f.values.length); });
      var shown = [];
      for (var i = 0; i < cases.length; i++) {
        if (wanted.length && !passesWords(i, wanted)) continue;
        var failed = -1;
        var fails = 0;
        for (var a = 0; a < active.length && fails < 2; a++) {
          if (!passesFacet(i, active[a])) { fails += 1; failed = active[a]; }
        }
        if (fails === 0) {
          shown.push(i);
          for (var f = 0; f < facets.length; f++) {
            var values = cases[i].facets[f];
            for (var k = 0; k < values.length; k++) counts[f][values[k]] += 1;
          }
        } else if (fails === 1) {
          var own = cases[i].facets[failed];
          for (var m = 0; m < own.length; m++) counts[failed][own[m]] += 1;
        }
      }
      return { shown: shown, counts: counts };
    }

    function countWithout(drop) {
      var wanted = drop.words ? [] : words();
      var saved = drop.facet === undefined ? null : chosen[drop.facet][drop.value];
      if (saved !== null) chosen[drop.facet][drop.value] = 0;
      var active = activeFacets();
      var count = 0;
      for (var i = 0; i < cases.length; i++) {
        if (wanted.length && !passesWords(i, wanted)) continue;
        if (active.every(function (f) { return passesFacet(i, f); })) count += 1;
      }
      if (saved !== null) chosen[drop.facet][drop.value] = saved;
      return count;
    }

    // When nothing matches: the one choice whose removal gives the most cases.
    function bestDrop() {
      var options = [];
      if (words().length) options.push({ words: true, label: "the words \u201c" + state.words.trim() + "\u201d" });
      facets.forEach(function (facet, f) {
        facet.values.forEach(function (value, v) {
          if (chosen[f][v]) options.push({ facet: f, value: v, label: facet.label + ": " + value[1] });
        });
      });
      var best = null;
      options.forEach(function (option) {
        option.count = countWithout(option);
        if (!best || option.count > best.count) best = option;
      });
      return best;
    }

    function buildFacets() {
      var narrow = window.matchMedia("(max-width: 59.9375em)").matches;
      facets.forEach(function (facet, f) {
        var items = [];
        var ul = el("ul", { className: "t2-facet-values" });
        facet.values.forEach(function (value, v) {
          var input = el("input", { type: "checkbox", name: facet.name, value: value[0] });
          var count = el("span", { className: "t2-facet-count" });
          var li = el("li", {}, [el("label", {}, [input, " ", el("span", { text: value[1] }), " ", count])]);
          input.addEventListener("change", function () {
            chosen[f][v] = input.checked ? 1 : 0;
            state.page = 1;
            update();
          });
          ul.appendChild(li);
          items.push({ li: li, input: input, count: count, label: fold(value[1]) });
        });
        var chosenNote = el("span", { className: "t2-facet-chosen" });
        var summary = el("summary", {}, [el("span", { className: "t2-facet-name", text: facet.label }), " ", chosenNote]);
        var group = el("div", { role: "group", "aria-label": facet.label });
        var control = { details: null, items: items, chosenNote: chosenNote, expanded: false, filter: "" };
        if (facet.values.length > SHORT_FACET) {
          var box = el("input", { type: "search", className: "t2-facet-filter", "aria-label": "Find a value of " + facet.label, placeholder: "Find a value" });
          box.addEventListener("input", function () { control.filter = fold(box.value.trim()); showItems(control); });
          group.appendChild(box);
        }
        group.appendChild(ul);
        if (facet.values.length > SHORT_FACET) {
          var more = el("button", { type: "button", className: "t2-facet-more", "aria-expanded": "false", text: "Show all " + facet.values.length });
          more.addEventListener("click", function () {
            control.expanded = !control.expanded;
            more.setAttribute("aria-expanded", String(control.expanded));
            more.textContent = control.expanded ? "Show the " + SHORT_FACET + " most common" : "Show all " + facet.values.length;
            showItems(control);
          });
          group.appendChild(more);
        }
        var details = el("details", { className: "t2-facet", "data-facet": facet.name }, [summary, group]);
        // On a wide screen the first facets start open; on a phone only those with a choice, so the results show.
        if ((f < 3 && !narrow) || chosen[f].indexOf(1) !== -1) details.open = true;
        control.details = details;
        controls.push(control);
        facetBox.appendChild(details);
      });
    }

    function showItems(control) {
      control.items.forEach(function (item, v) {
        var visible = control.filter ? item.label.indexOf(control.filter) !== -1
          : control.expanded || v < SHORT_FACET || item.input.checked;
        item.li.hidden = !visible;
      });
    }

    function updateFacets(counts) {
      controls.forEach(function (control, f) {
        var picked = 0;
        control.items.forEach(function (item, v) {
          var n = counts[f][v];
          item.input.checked = chosen[f][v] === 1;
          if (item.input.checked) picked += 1;
          var text = "(" + n.toLocaleString("en") + ")";
          if (item.count.textContent !== text) item.count.textContent = text;
          var off = n === 0 && !item.input.checked;
          if (item.input.disabled !== off) item.input.disabled = off;
          item.li.classList.toggle("t2-facet-empty", off);
        });
        control.chosenNote.textContent = picked ? "(" + picked + " chosen)" : "";
        showItems(control);
      });
    }

    function renderRows() {
      var pages = Math.max(1, Math.ceil(current.length / PAGE_SIZE));
      if (state.page > pages) state.page = pages;
      var first = (state.page - 1) * PAGE_SIZE;
      var part = current.slice(first, first + PAGE_SIZE);
      var items = part.map(function (i) {
        var c = cases[i];
        var pick = el("input", { type: "checkbox", className: "t2-pick", value: c.id });
        pick.checked = state.compare.indexOf(c.id) !== -1;
        pick.disabled = !pick.checked && state.compare.length >= MAX_COMPARE;
        pick.addEventListener("change", function () {
          if (pick.checked && state.compare.indexOf(c.id) === -1) state.compare.push(c.id);
          if (!pick.checked) state.compare = state.compare.filter(function (id) { return id !== c.id; });
          renderCompareBar();
          list.querySelectorAll("input.t2-pick").forEach(function (other) {
            other.disabled = !other.checked && state.compare.length >= MAX_COMPARE;
          });
          writeAddress();
        });
        var meta = [c.conflict];
        if (c.convenors.length) meta.push("convened by " + c.convenors.join("; "));
        if (c.outcomes.length) meta.push("outcomes: " + c.outcomes.join("; "));
        return el("li", { className: "t2-result", "data-id": c.id }, [
          el("p", { className: "t2-result-title" }, [el("a", { href: base + c.url, text: c.title }), " ",
            el("span", { className: "t2-period", text: "(" + c.period + ")" })]),
          c.also_known_as.length ? el("p", { className: "t2-aka", text: "Also known as: " + c.also_known_as.join("; ") }) : null,
          el("p", { className: "t2-result-meta", text: meta.join(" \u00b7 ") }),
          el("label", { className: "t2-pick-label" }, [pick, " Compare", el("span", { className: "t2-sr", text: " " + c.title })]),
        ]);
      });
      list.replaceChildren.apply(list, items);
      list.setAttribute("start", String(first + 1));
      pager.replaceChildren();
      if (pages > 1) {
        var previous = el("button", { type: "button", className: "md-button", text: "Previous page" });
        var next = el("button", { type: "button", className: "md-button", text: "Next page" });
        previous.disabled = state.page === 1;
        next.disabled = state.page === pages;
        previous.addEventListener("click", function () { state.page -= 1; update(true); });
        next.addEventListener("click", function () { state.page += 1; update(true); });
        pager.append(previous, " ", el("span", { text: "Page " + state.page + " of " + pages }), " ", next);
      }
      return first;
    }

    function renderCompareBar() {
      var titles = state.compare.map(function (id) { return cases[idPosition[id]].title; });
      compareBar.replaceChildren();
      if (!titles.length) {
        compareBar.append("Tick \u201cCompare\u201d beside two to four cases to see them side by side.");
        return;
      }
      compareBar.append("Chosen to compare: " + titles.join("; ") + ". ");
      if (titles.length >= 2) {
        compareBar.append(el("a", { className: "md-button", id: "t2-compare-link",
          href: root.getAttribute("data-compare") + "?cases=" + state.compare.map(encodeURIComponent).join(","),
          text: "Compare these " + titles.length + " cases" }));
      } else {
        compareBar.append("Choose at least one more. ");
      }
      var clear = el("button", { type: "button", className: "md-button", text: "Clear the choice" });
      clear.addEventListener("click", function () { state.compare = []; update(true); });
      compareBar.append(" ", clear);
    }

    function update(keepScroll) {
      var result = evaluate();
      current = result.shown;
      updateFacets(result.counts);
      var first = renderRows();
      var filtered = words().length || activeFacets().length;
      suggestion.replaceChildren();
      if (!current.length) {
        status.textContent = "No case matches all of these choices.";
        var drop = bestDrop();
        if (drop && drop.count) {
          var button = el("button", { type: "button", className: "md-button", id: "t2-drop",
            text: "Drop \u201c" + drop.label + "\u201d" });
          button.addEventListener("click", function () {
            if (drop.words) { state.words = ""; query.value = ""; } else chosen[drop.facet][drop.value] = 0;
            state.page = 1;
            update();
          });
          suggestion.append("Dropping " + drop.label + " gives " + plural(drop.count, "case") + ". ", button);
        }
      } else {
        status.textContent = plural(current.length, "case") + (filtered ? " match" + (current.length === 1 ? "es" : "") : "")
          + (current.length > PAGE_SIZE ? "; showing " + (first + 1) + "\u2013" + Math.min(first + PAGE_SIZE, current.length) : "") + ".";
      }
      root.querySelectorAll(".t2-download").forEach(function (b) { b.disabled = !current.length; });
      renderCompareBar();
      writeAddress();
      if (keepScroll === true) status.scrollIntoView({ block: "nearest" });
    }

    function download(kind) {
      var positions = current.slice().sort(function (a, b) {
        return cases[a].id < cases[b].id ? -1 : cases[a].id > cases[b].id ? 1 : 0;  // the order of data/cases.*
      });
      return details(base, index, positions).then(function (items) {
        var text;
        var type;
        if (kind === "csv") {
          var lines = [index.csv_columns].concat(items.map(function (item) { return item.csv; }));
          text = "\ufeff" + lines.map(function (cells) { return cells.map(csvQuote).join(","); }).join("\n") + "\n";
          type = "text/csv;charset=utf-8";
        } else {
          text = JSON.stringify(items.map(function (item) { return item.record; }), null, 2) + "\n";
          type = "application/json;charset=utf-8";
        }
        var url = URL.createObjectURL(new Blob([text], { type: type }));
        var link = el("a", { href: url, download: "casebook-cases." + kind });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      });
    }

    readAddress();
    buildFacets();
    query.addEventListener("input", function () { state.words = query.value; state.page = 1; update(); });
    root.querySelector("#t2-clear").addEventListener("click", function () {
      chosen.forEach(function (mask) { mask.fill(0); });
      state.words = "";
      query.value = "";
      state.page = 1;
      update();
    });
    root.querySelector("#t2-filter-form").addEventListener("submit", function (event) { event.preventDefault(); });
    root.querySelector("#t2-download-csv").addEventListener("click", function () { download("csv"); });
    root.querySelector("#t2-download-json").addEventListener("click", function () { download("json"); });
    update();
    root.hidden = false;
    var fallback = document.getElementById("t2-static");
    if (fallback) fallback.hidden = true;
    root.setAttribute("data-ready", "1");
  }

  // Python's csv module (QUOTE_MINIMAL): quote a cell holding a comma, a quote or a line break.
  function csvQuote(cell) {
    return /[",\r\n]/.test(cell) ? '"' + cell.replace(/"/g, '""') + '"' : cell;
  }

  // ---------------------------------------------------------------- compare

  function setUpCompare(root) {
    var base = root.getAttribute("data-root");
    var status = root.querySelector("#t2-compare-status");
    var wanted = (new URLSearchParams(window.location.search).get("cases") || "").split(",")
      .filter(function (id, i, all) { return id && all.indexOf(id) === i; });
    getJSON(root.getAttribute("data-index")).then(function (index) {
      var positions = {};
      index.cases.forEach(function (c, i) { positions[c.id] = i; });
      var unknown = wanted.filter(function (id) { return !positions.hasOwnProperty(id); });
      var ids = wanted.filter(function (id) { return positions.hasOwnProperty(id); }).slice(0, MAX_COMPARE);
      var notes = [];
      if (unknown.length) notes.push("No case has the id " + unknown.join(", ") + ".");
      if (wanted.length - unknown.length > MAX_COMPARE) notes.push("Only the first " + MAX_COMPARE + " cases are compared.");
      var explore = root.getAttribute("data-explore") + (ids.length ? "?compare=" + ids.join(",") : "");
      document.getElementById("t2-compare-back").setAttribute("href", explore);
      if (ids.length < 2) {
        status.textContent = notes.concat(["Choose two to four cases in the explorer to compare them."]).join(" ");
        return null;
      }
      var chosen = ids.map(function (id) { return positions[id]; });
      return details(base, index, chosen).then(function (items) {
        renderComparison(root, base, index, chosen, items);
        status.textContent = notes.concat(["Comparing " + plural(ids.length, "case") + "; rows marked \u201cdiffers\u201d are not the same for all of them."]).join(" ");
        root.setAttribute("data-ready", "1");
      });
    }).catch(function () {
      status.textContent = "The cases could not be loaded.";
    });
  }

  function renderComparison(root, base, index, chosen, items) {
    var head = el("tr", {}, [el("th", { scope: "col", text: "" }, [el("span", { className: "t2-sr", text: "Field" })])]);
    chosen.forEach(function (i) {
      var c = index.cases[i];
      head.appendChild(el("th", { scope: "col" }, [el("a", { href: base + c.url, text: c.title })]));
    });
    var body = el("tbody");
    index.compare_fields.forEach(function (label, row) {
      var cells = items.map(function (item) { return item.compare[row]; });
      if (cells.every(function (values) { return !values.length; })) return;
      var keys = cells.map(function (values) { return JSON.stringify(values.slice().sort()); });
      var differs = keys.some(function (key) { return key !== keys[0]; });
      var th = el("th", { scope: "row" }, [label]);
      if (differs) th.append(" ", el("span", { className: "t2-differs-tag", text: "differs" }));
      var tr = el("tr", { className: differs ? "t2-differs" : "t2-same" }, [th]);
      cells.forEach(function (values) {
        tr.appendChild(el("td", {}, values.length
          ? [values.length === 1 ? el("span", { text: values[0] })
            : el("ul", {}, values.map(function (value) { return el("li", { text: value }); }))]
          : [el("span", { className: "t2-none", text: "\u2013" }), el("span", { className: "t2-sr", text: "not recorded" })]));
      });
      body.appendChild(tr);
    });
    var table = el("table", { className: "t2-compare-table" }, [
      el("caption", { className: "t2-sr", text: "The chosen cases side by side" }), el("thead", {}, [head]), body]);
    var onlyDiff = root.querySelector("#t2-only-differences");
    onlyDiff.addEventListener("change", function () { table.classList.toggle("t2-only-differences", onlyDiff.checked); });
    root.querySelector("#t2-compare-tools").hidden = false;
    root.querySelector("#t2-compare-table").replaceChildren(table);
  }

  function setUp() {
    var explorer = document.getElementById("t2-explorer");
    if (explorer && !explorer.dataset.started) {
      explorer.dataset.started = "1";
      setUpExplorer(explorer);
    }
    var compare = document.getElementById("t2-compare");
    if (compare && !compare.dataset.started) {
      compare.dataset.started = "1";
      setUpCompare(compare);
    }
  }
  if (window.document$) window.document$.subscribe(setUp); else document.addEventListener("DOMContentLoaded", setUp);
})();
