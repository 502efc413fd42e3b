(function () {
  "use strict";
  // Filters and sorting for the sources table. Data comes from the JSON block only;
  // nothing read from it is ever written as markup. Without this script every row shows.
  var block = document.getElementById("dashboard-data");
  var table = document.getElementById("sources");
  var form = document.getElementById("filters");
  var shown = document.getElementById("shown");
  if (!block || !table || !form) {
    return;
  }
  var data = JSON.parse(block.textContent);
  var byRow = {};
  data.rows.forEach(function (row) {
    byRow[row.row] = row;
  });
  var tbody = table.tBodies[0];
  var original = Array.prototype.slice.call(tbody.rows);

  function wanted() {
    return {
      verdict: form.elements.verdict.value,
      health: form.elements.health.value,
      owner: form.elements.owner.value,
      document: form.elements.document.value,
      changed: form.elements.changed.checked
    };
  }

  function matches(row, f) {
    if (f.verdict && row.verdict !== f.verdict) {
      if (!(f.verdict === "failing" && data.failing.indexOf(row.verdict) >= 0)) {
        return false;
      }
    }
    if (f.health && row.health !== f.health) {
      return false;
    }
    if (f.owner && row.owner !== f.owner) {
      return false;
    }
    if (f.document && row.documents.indexOf(f.document) < 0) {
      return false;
    }
    return !(f.changed && !row.changed);
  }

  function apply() {
    var f = wanted();
    var count = 0;
    original.forEach(function (tr) {
      var row = byRow[tr.id];
      var show = !row || matches(row, f);
      tr.hidden = !show;
      if (show) {
        count += 1;
      }
    });
    shown.textContent = "Showing " + count + " of " + original.length + " sources.";
  }

  // Words sort as a reader expects: accents beside their letter ("Évaluation" among
  // the e's), numbers by value ("Report 9" before "Report 10"), case ignored. Times are
  // ISO 8601 text in UTC and sort as text.
  var WORDS = { source: true, owner: true, archive: true };
  var collator = window.Intl ? new Intl.Collator(undefined, { numeric: true }) : null;
  var position = {};
  original.forEach(function (tr, i) {
    position[tr.id] = i;
  });

  function valueOf(tr, key) {
    var row = byRow[tr.id];
    var value = row ? row.sort[key] : null;
    return value === undefined ? null : value;
  }

  function order(x, y, words) {
    if (words && collator && typeof x === "string" && typeof y === "string") {
      return collator.compare(x, y);
    }
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function sortBy(th, key) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var words = WORDS[key] === true;
    var rows = original.map(function (tr) {
      return { tr: tr, value: valueOf(tr, key), at: position[tr.id] };
    });
    // Missing values last either way; equal ones keep the registry's order.
    rows.sort(function (a, b) {
      var result;
      if (a.value === null || b.value === null) {
        result = (a.value === null) - (b.value === null);
      } else {
        result = order(a.value, b.value, words);
        result = ascending ? result : -result;
      }
      return result || a.at - b.at;
    });
    var sorted = document.createDocumentFragment();
    rows.forEach(function (row) {
      sorted.appendChild(row.tr);
    });
    tbody.appendChild(sorted);
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var key = th.getAttribute("data-sort");
    if (!key) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) {
      button.appendChild(th.firstChild);
    }
    th.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(th, key);
    });
  });

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply();
  });
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0);
  });
  form.hidden = false;
  apply();
})();
