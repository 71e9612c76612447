// "Cite this case": fill in the day the reader consulted the page. The page is
// static, so each citation holds a placeholder in a span whose data-t2-accessed
// attribute has the style's words around {date}; the reader's own date goes there.
(function () {
  function fill() {
    var today = new Date().toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" });
    document.querySelectorAll("[data-t2-accessed]").forEach(function (span) {
      span.textContent = span.getAttribute("data-t2-accessed").replace("{date}", today);
    });
  }
  if (window.document$) window.document$.subscribe(fill); else document.addEventListener("DOMContentLoaded", fill);
})();
