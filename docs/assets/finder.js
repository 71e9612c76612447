// "Cases like mine": scores every case against the situation chosen in the form,
// with the weights the page carries (the same measure as the case pages' "Related
// cases"), lists the closest with the reason, and gathers the lessons those cases
// support and cut against. The choices are kept in the address. Without this
// script the page lists every case with its situation.
(function () {
  var LIMIT = 10;
  function setUp() {
    var form = document.getElementById("t2-finder");
    var list = document.getElementById("t2-finder-results");
    if (!form || !list || form.dataset.ready) return;
    form.dataset.ready = "1";
    form.hidden = false;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var items = Array.prototype.slice.call(list.children);
    var status = document.getElementById("t2-finder-status");
    var lessonBox = document.getElementById("t2-finder-lessons");
    var titles = {};
    Array.prototype.forEach.call(document.querySelectorAll("#t2-lesson-titles li"), function (li) {
      titles[li.getAttribute("data-id")] = li.innerHTML;
    });
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
    });

    function valuesOf(item, name) {
      return (item.getAttribute("data-" + name) || "").split(" ").filter(Boolean);
    }

    function describe(select) {
      var phrase = select.getAttribute("data-phrase-" + select.value);
      if (phrase) return phrase;
      var label = select.options[select.selectedIndex].textContent.toLowerCase();
      return select.getAttribute("data-label") + " (" + label + ")";
    }

    function apply() {
      var chosen = selects.filter(function (select) { return select.value; });
      var query = new URLSearchParams();
      chosen.forEach(function (select) { query.set(select.name, select.value); });
      history.replaceState(null, "", query.toString() ? "?" + query.toString() : window.location.pathname);
      var scored = items.map(function (item, position) {
        var score = 0, why = [];
        chosen.forEach(function (select) {
          if (valuesOf(item, select.name).indexOf(select.value) !== -1) {
            score += Number(select.getAttribute("data-weight"));
            why.push(describe(select));
          }
        });
        return {item: item, score: score, why: why, position: position};
      });
      scored.sort(function (a, b) { return b.score - a.score || a.position - b.position; });
      var shown = 0, lessons = Object.create(null);  // lesson ids such as "constructor" are ordinary keys
      scored.forEach(function (entry) {
        var visible = !chosen.length || (entry.score > 0 && shown < LIMIT);
        entry.item.hidden = !visible;
        var why = entry.item.querySelector(".t2-why");
        why.textContent = chosen.length && visible ? "— matches " + entry.why.join(", ") : "";
        list.appendChild(entry.item);
        if (chosen.length && visible) {
          shown += 1;
          ["supports", "complicates"].forEach(function (stance) {
            valuesOf(entry.item, stance).forEach(function (id) {
              lessons[id] = lessons[id] || {supports: 0, complicates: 0};
              lessons[id][stance] += 1;
            });
          });
        }
      });
      var ids = Object.keys(lessons).sort(function (a, b) {
        return (lessons[b].supports - lessons[a].supports) || (lessons[a].complicates - lessons[b].complicates);
      });
      var box = lessonBox.querySelector("ul");
      box.innerHTML = "";
      ids.forEach(function (id) {
        var li = document.createElement("li");
        li.innerHTML = titles[id] || id;
        li.appendChild(document.createTextNode(": supported by " + lessons[id].supports +
          (lessons[id].complicates ? ", cut against by " + lessons[id].complicates : "") + " of these cases"));
        box.appendChild(li);
      });
      lessonBox.hidden = !ids.length;
      status.textContent = !chosen.length ? "Choose at least one feature of your situation; every case is listed below."
        : shown ? "The " + shown + (shown === 1 ? " closest case" : " closest cases") + ", best match first."
        : "No case matches any of these features yet.";
    }

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    apply();
  }
  if (window.document$) window.document$.subscribe(setUp); else document.addEventListener("DOMContentLoaded", setUp);
})();
