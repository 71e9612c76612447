// Filters for the transfer page's table of claims (the case explorer is
// explorer.js). Each row carries its values in
// data-* attributes (space-separated ids); a row shows when it has every
// chosen value. The choices are kept in the address, so a filtered view can be
// bookmarked or shared. Without this script the table lists every case.
(function () {
  function setUp() {
    var form = document.getElementById("t2-filters");
    var table = document.getElementById("t2-explore");
    if (!form || !table || form.dataset.ready) return;
    form.dataset.ready = "1";
    form.hidden = false;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var shown = document.getElementById("t2-shown");
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
    });

    function apply() {
      var count = 0;
      var query = new URLSearchParams();
      rows.forEach(function (row) {
        var visible = selects.every(function (select) {
          if (!select.value) return true;
          return (row.getAttribute("data-" + select.name) || "").split(" ").indexOf(select.value) !== -1;
        });
        row.hidden = !visible;
        if (visible) count += 1;
      });
      selects.forEach(function (select) { if (select.value) query.set(select.name, select.value); });
      var noun = form.getAttribute("data-noun") || "case";
      shown.textContent = count + " " + noun + (count === 1 ? "" : "s") + (query.toString() ? " match." : ".");
      var search = query.toString();
      history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    }

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    apply();
  }
  if (window.document$) window.document$.subscribe(setUp); else document.addEventListener("DOMContentLoaded", setUp);
})();
