// "Cases like mine": scores every case of finder/cases.json against the situation
// chosen in the form, with the weights the form carries (the measure of
// generator/similarity.py, which the case pages' "Related cases" also use: a
// feature counts its weight when the case has the value chosen, ties keep the
// order of the index of cases), lists the closest with the reason, and gathers
// the lessons those cases support and cut against. The choices are kept in the
// address. Content reaches the page as text (textContent), never as HTML.
// Without this script, or before any choice, the page keeps its static list of
// the first cases.
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function setUp() {
    var form = document.getElementById("t2-finder");
    var list = document.getElementById("t2-finder-results");
    if (!form || !list || form.dataset.started) return;
    form.dataset.started = "1";
    fetch(list.getAttribute("data-src")).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      start(form, list, data);
    }).catch(function () {
      // The static list stays, and the form stays hidden.
    });
  }

  function start(form, list, data) {
    var root = list.getAttribute("data-root");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var staticItems = Array.prototype.slice.call(list.children);
    var status = document.getElementById("t2-finder-status");
    var lessonBox = document.getElementById("t2-finder-lessons");
    var first = document.getElementById("t2-finder-first");
    var all = document.getElementById("t2-finder-all");
    var position = {};
    data.features.forEach(function (name, f) { position[name] = f; });
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
    });

    function describe(select) {
      var phrase = select.getAttribute("data-phrase-" + select.value);
      if (phrase) return phrase;
      var label = select.options[select.selectedIndex].textContent.toLowerCase();
      return select.getAttribute("data-label") + " (" + label + ")";
    }

    function item(entry, why) {
      var li = el("li", { "data-id": entry.id }, [
        el("a", { href: root + entry.url, text: entry.title }), " ",
        el("span", { className: "t2-period", text: "(" + entry.period + ")" }), " ",
        el("span", { className: "t2-why", text: "— matches " + why.join(", ") })]);
      if (entry.situation) {
        var phase = entry.situation[1] ? el("a", { href: root + entry.situation[1], text: entry.situation[0] })
          : document.createTextNode(entry.situation[0]);
        li.appendChild(el("br"));
        li.appendChild(el("span", { className: "t2-situation" }, [phase, entry.situation[2]]));
      }
      if (entry.claims && entry.claims.length) {
        li.appendChild(el("ul", { className: "t2-claims" }, entry.claims.map(function (line) {
          return el("li", { text: line });
        })));
      } else if (entry.claims) {
        li.appendChild(el("br"));
        li.appendChild(el("span", { className: "t2-claims-none",
          text: "No transfer to the official track in the sources read." }));
      }
      return li;
    }

    function lessonsOf(matches) {
      var counts = Object.create(null);  // lesson ids such as "constructor" are ordinary keys
      var order = [];
      matches.forEach(function (match) {
        ["supports", "complicates"].forEach(function (stance) {
          match.entry[stance].forEach(function (id) {
            if (!counts[id]) { counts[id] = { supports: 0, complicates: 0 }; order.push(id); }
            counts[id][stance] += 1;
          });
        });
      });
      order.sort(function (a, b) {
        return (counts[b].supports - counts[a].supports) || (counts[a].complicates - counts[b].complicates);
      });
      return order.map(function (id) { return { id: id, counts: counts[id] }; });
    }

    function showLessons(found) {
      var box = lessonBox.querySelector("ul");
      box.textContent = "";
      found.forEach(function (lesson) {
        var known = Object.prototype.hasOwnProperty.call(data.lessons, lesson.id) ? data.lessons[lesson.id] : null;
        var counts = lesson.counts;
        box.appendChild(el("li", {}, [
          known ? el("a", { href: root + known[1], text: known[0] }) : lesson.id,
          ": supported by " + counts.supports + (counts.complicates ? ", cut against by " + counts.complicates : "") +
          " of these cases"]));
      });
      lessonBox.hidden = !found.length;
    }

    function apply() {
      var chosen = selects.filter(function (select) { return select.value; });
      var query = new URLSearchParams();
      chosen.forEach(function (select) { query.set(select.name, select.value); });
      history.replaceState(null, "", query.toString() ? "?" + query.toString() : window.location.pathname);
      first.hidden = all.hidden = chosen.length > 0;
      if (!chosen.length) {
        list.replaceChildren.apply(list, staticItems);
        showLessons([]);
        status.textContent = "Choose at least one feature of your situation; the first cases of the index are listed below.";
        return;
      }
      var wanted = chosen.map(function (select) {
        return { feature: position[select.name], value: select.value, weight: Number(select.getAttribute("data-weight")),
                 why: describe(select) };
      });
      var scored = [];
      data.cases.forEach(function (entry, index) {
        var score = 0, why = [];
        wanted.forEach(function (choice) {
          if (entry.features[choice.feature].indexOf(choice.value) !== -1) {
            score += choice.weight;
            why.push(choice.why);
          }
        });
        if (score > 0) scored.push({ entry: entry, score: score, why: why, index: index });
      });
      scored.sort(function (a, b) { return b.score - a.score || a.index - b.index; });
      var matches = scored.slice(0, data.limit);
      list.replaceChildren.apply(list, matches.map(function (match) { return item(match.entry, match.why); }));
      showLessons(lessonsOf(matches));
      var shown = matches.length;
      status.textContent = shown ? "The " + shown + (shown === 1 ? " closest case" : " closest cases") + ", best match first."
        : "No case matches any of these features yet.";
    }

    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    apply();
    form.dataset.ready = "1";
  }
  if (window.document$) window.document$.subscribe(setUp); else document.addEventListener("DOMContentLoaded", setUp);
})();
