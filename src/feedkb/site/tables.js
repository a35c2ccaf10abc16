// feedkb: the deals tables sort and filter, and the company directory narrows as a member
// types. One listener per kind of event on the document: a page the theme swaps in (instant
// navigation) needs nothing set up, and the rows' order and filters are worked out from the
// rows themselves (data-m: month, data-r: the round's rank, data-a: the amount in yuan).
(function () {
  "use strict";
  // The theme runs a page's scripts again each time it shows the page: listen once.
  if (window.feedkbTables) return;
  window.feedkbTables = true;

  // Date order is the page's own (newest first); round and amount sort by their number, with
  // rows that have none after the others either way, and rows of one number in date order.
  function sortRows(table, key, descending) {
    var body = table.tBodies[0];
    if (!table.feedkbRows) table.feedkbRows = Array.prototype.slice.call(body.rows);
    var rows = table.feedkbRows.slice();
    if (key === "date") {
      if (!descending) rows.reverse();
    } else {
      var attribute = key === "round" ? "data-r" : "data-a";
      var sign = descending ? -1 : 1;
      rows = rows.map(function (row, index) {
        var value = row.getAttribute(attribute);
        return { row: row, index: index, value: value === null ? null : Number(value) };
      }).sort(function (a, b) {
        if (a.value === null || b.value === null) {
          return (a.value === null) - (b.value === null) || a.index - b.index;
        }
        return sign * (a.value - b.value) || a.index - b.index;
      }).map(function (entry) { return entry.row; });
    }
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
  }

  function filterRows(view) {
    var wanted = {};
    view.querySelectorAll("[data-fk-filter]").forEach(function (select) {
      wanted[select.getAttribute("data-fk-filter")] = select.value;
    });
    var shown = 0;
    var rows = view.querySelector("table").tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var round = row.getAttribute("data-r") || "none";
      var match = (!wanted.r || wanted.r === round) && (!wanted.m || wanted.m === row.getAttribute("data-m"));
      row.hidden = !match;
      if (match) shown += 1;
    }
    view.querySelector(".fk-deal-count").textContent =
      shown === rows.length ? "共 " + rows.length + " 起" : "显示 " + shown + " / " + rows.length + " 起";
  }

  // Names are compared as NFKC in lower case: "ＡＩ" finds "AI", "openai" finds "OpenAI".
  function folded(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function findCompanies(input) {
    var query = folded(input.value.trim());
    var list = document.querySelector(".fk-directory");
    var shown = 0;
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      var name = items[i].firstChild;
      var match = !query || folded(name.textContent).indexOf(query) >= 0;
      items[i].hidden = !match;
      if (match) shown += 1;
    }
    document.querySelector(".fk-find-count").textContent =
      shown === items.length ? "共 " + items.length + " 家" : "找到 " + shown + " 家";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fk-sort]");
    if (!button) return;
    var header = button.parentNode;
    var descending = header.getAttribute("aria-sort") !== "descending";
    header.parentNode.querySelectorAll("th[aria-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    sortRows(button.closest("table"), button.getAttribute("data-fk-sort"), descending);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-fk-filter]")) {
      filterRows(event.target.closest(".fk-deal-view"));
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-fk-find]")) {
      findCompanies(event.target);
    }
  });
})();
