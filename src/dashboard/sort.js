// Sortable tables: each heading's button sorts the rows by that column's
// data-sort values (numbers as numbers), again to reverse. Without script
// the table reads the same, in the order Grove wrote it.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headings = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headings, function (heading, column) {
    var button = heading.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var ascending = heading.getAttribute("aria-sort") === "descending";
      Array.prototype.forEach.call(headings, function (h) { h.removeAttribute("aria-sort"); });
      heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-sort");
        var y = b.cells[column].getAttribute("data-sort");
        var n = parseFloat(x) - parseFloat(y);
        var order = isNaN(n) ? x.localeCompare(y) : n;
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
