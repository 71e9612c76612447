// Filters for the transfer page's table of claims (the case explorer is
// explorer.js). The claims come from transfer/claims.json; a claim shows when it
// has every chosen value, and the table lists the claims found, a hundred at a
// time. The choices are kept in the address, so a filtered view can be
// bookmarked or shared. Content reaches the page as text (textContent), never
// as HTML. Without this script the table keeps its first claims.
(function () {
  "use strict";
  var STEP = 100;  // rows drawn at once; "Show more claims" draws the next

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child !== null) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function setUp() {
    var form = document.getElementById("t2-filters");
    var table = document.getElementById("t2-explore");
    if (!form || !table || form.dataset.started) return;
    form.dataset.started = "1";
    fetch(table.getAttribute("data-src")).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      start(form, table, data);
    }).catch(function () {
      // The first claims stay, and the filters stay hidden.
    });
  }

  function start(form, table, data) {
    var root = table.getAttribute("data-root");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var body = table.tBodies[0];
    var shown = document.getElementById("t2-shown");
    var first = document.getElementById("t2-claims-first");
    var more = document.getElementById("t2-more");
    var moreBox = document.getElementById("t2-more-box");  // the button's own display would override `hidden`
    var found = [];
    var drawn = 0;
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
    });

    function label(name, value) {
      var labels = data.labels[name] || {};
      return Object.prototype.hasOwnProperty.call(labels, value) ? labels[value] : value;
    }

    function row(claim) {
      var effect = el("td", {}, [claim.effect]);
      if (claim.against) {
        effect.appendChild(document.createTextNode(" "));
        effect.appendChild(el("em", { text: "Against:" }));
        effect.appendChild(document.createTextNode(" " + claim.against));
      }
      if (claim.cites.length) {
        var cites = el("span", { className: "t2-cite" }, ["("]);
        claim.cites.forEach(function (cite, i) {
          if (i) cites.appendChild(document.createTextNode("; "));
          cites.appendChild(el("a", { href: root + cite[0], text: cite[1] }));
        });
        cites.appendChild(document.createTextNode(")"));
        effect.appendChild(document.createTextNode(" "));
        effect.appendChild(cites);
      }
      return el("tr", { "data-case": claim.case, "data-claim": String(claim.claim) }, [
        el("td", {}, [el("a", { href: root + claim.url, text: claim.title })]),
        el("td", {}, [el("a", { href: root + data.codebook + "#transfer_objects-" + claim.what, text: label("what", claim.what) }),
          " (" + label("channel", claim.channel).toLowerCase() + ")"]),
        el("td", { text: claim.to }),
        el("td", { text: claim.when === null ? "" : String(claim.when) }),
        effect,
        el("td", { text: label("evidence", claim.evidence) }),
        el("td", { text: label("confidence", claim.confidence) })]);
    }

    function drawMore() {
      var next = found.slice(drawn, drawn + STEP);
      next.forEach(function (claim) { body.appendChild(row(claim)); });
      drawn += next.length;
      moreBox.hidden = drawn >= found.length;
    }

    function apply() {
      var query = new URLSearchParams();
      selects.forEach(function (select) { if (select.value) query.set(select.name, select.value); });
      found = data.claims.filter(function (claim) {
        return selects.every(function (select) { return !select.value || claim[select.name] === select.value; });
      });
      body.textContent = "";
      drawn = 0;
      drawMore();
      first.hidden = true;
      var count = found.length;
      shown.textContent = count + " claim" + (count === 1 ? "" : "s") +
        (query.toString() ? " match." : ".");
      var search = query.toString();
      history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    }

    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    more.addEventListener("click", drawMore);
    apply();
    form.dataset.ready = "1";
  }
  if (window.document$) window.document$.subscribe(setUp); else document.addEventListener("DOMContentLoaded", setUp);
})();
