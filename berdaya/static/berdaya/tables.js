// On a phone each table row is shown as a card (berdaya.css); each cell then says which column it is in. This copies
// every column heading's text into its cells' data-label, which the stylesheet shows before the cell's value.
// Tables whose rows htmx replaces are labelled again after each swap. A cell that already has a label keeps it;
// a cell across several columns gets none.
(function () {
  "use strict";

  function label(table) {
    var head = table.tHead ? table.tHead.rows[0] : null;
    if (!head) return;
    var names = [];
    for (var h = 0; h < head.cells.length; h++) {
      var text = head.cells[h].textContent.replace(/\s+/g, " ").trim();
      for (var span = 0; span < (head.cells[h].colSpan || 1); span++) names.push(text);
    }
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var column = 0;
        for (var c = 0; c < rows[r].cells.length; c++) {
          var cell = rows[r].cells[c];
          // A cell across several columns ("No persons found.") belongs to none of them.
          if (cell.colSpan === 1 && names[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        }
      }
    }
  }

  function labelAll(root) {
    var tables = (root || document).querySelectorAll("table");
    for (var t = 0; t < tables.length; t++) label(tables[t]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { labelAll(); });
  else labelAll();
  document.addEventListener("htmx:afterSwap", function () { labelAll(); });
})();
