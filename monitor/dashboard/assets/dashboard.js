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

  function compare(a, b, key) {
    var x = byRow[a.id].sort[key];
    var y = byRow[b.id].sort[key];
    if (x === y) {
      return 0;
    }
    if (x === null || x === undefined) {
      return 1;
    }
    if (y === null || y === undefined) {
      return -1;
    }
    return x < y ? -1 : 1;
  }

  function sortBy(th, key) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = original.slice();
    rows.sort(function (a, b) {
      var order = compare(a, b, key);
      if (order !== 0 && !ascending && byRow[a.id].sort[key] !== null && byRow[b.id].sort[key] !== null) {
        order = -order;
      }
      return order || original.indexOf(a) - original.indexOf(b);
    });
    rows.forEach(function (tr) {
      tbody.appendChild(tr);
    });
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
