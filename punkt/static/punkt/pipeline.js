// The pipeline board: drag a card to another stage's column to move it there (the same
// POST as its ◀ ▶ buttons, which are the keyboard's way).
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".board-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.move);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".board-column.drop").forEach(function (c) {
      c.classList.remove("drop");
    });
  });
  document.addEventListener("dragover", function (e) {
    var column = e.target.closest && e.target.closest(".board-column");
    if (!column || !dragged) return;
    e.preventDefault();
    column.classList.add("drop");
  });
  document.addEventListener("dragleave", function (e) {
    var column = e.target.closest && e.target.closest(".board-column");
    if (column && !column.contains(e.relatedTarget)) column.classList.remove("drop");
  });
  document.addEventListener("drop", function (e) {
    var column = e.target.closest && e.target.closest(".board-column");
    if (!column || !dragged) return;
    e.preventDefault();
    if (column.contains(dragged)) return;
    var form = document.createElement("form");
    form.method = "post";
    form.action = dragged.dataset.move;
    [["csrfmiddlewaretoken", document.getElementById("board-csrf").value],
     ["stage_id", column.dataset.stage], ["back", "board"]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  });
})();
