// The 404 page: when the missing address looks like a case's (cases/<id>/), offer
// the case whose id or former id is nearest to it (cases/ids.json, written by the
// generator). Titles come from content, so they are inserted as text only.
(function () {
  var script = document.currentScript;
  var box = document.getElementById("t2-not-found-suggestion");
  if (!script || !box) return;
  var root = script.src.replace(/assets\/not-found\.js(\?.*)?$/, "");
  var rootPath = new URL(root).pathname;
  var path = window.location.pathname;
  if (path.indexOf(rootPath) === 0) path = path.slice(rootPath.length);
  var match = /^cases\/([^\/]+)/.exec(decodeURIComponent(path));
  if (!match) return;
  var wanted = match[1].toLowerCase();

  function distance(a, b) {  // Levenshtein, two rows
    var previous = [], current = [], i, j;
    for (j = 0; j <= b.length; j++) previous[j] = j;
    for (i = 1; i <= a.length; i++) {
      current = [i];
      for (j = 1; j <= b.length; j++) {
        current[j] = Math.min(previous[j] + 1, current[j - 1] + 1,
                              previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      previous = current;
    }
    return previous[b.length];
  }

  fetch(root + "cases/ids.json").then(function (response) {
    return response.ok ? response.json() : [];
  }).then(function (rows) {
    var best = null, bestScore = Infinity;
    rows.forEach(function (row) {
      var score = distance(wanted, row[0]);
      if (row[0].indexOf(wanted) === 0 && wanted.length >= 4) score = Math.min(score, 1);
      if (score < bestScore) { best = row; bestScore = score; }
    });
    if (!best || bestScore > Math.max(3, Math.floor(best[0].length / 3))) return;
    var link = document.createElement("a");
    link.href = root + "cases/" + best[1] + "/";
    link.textContent = best[2];
    box.textContent = "Did you mean ";
    box.appendChild(link);
    box.appendChild(document.createTextNode("?"));
    box.hidden = false;
  }).catch(function () {});
})();
