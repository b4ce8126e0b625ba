// New meeting form (templates/projets/reunion_form.html): changing the kind of meeting ticks the
// members of that comité, listed in each checkbox's data-comites (a workshop keeps the choice).
(function () {
  var kind = document.getElementById("id_kind");
  if (!kind) { return; }
  kind.addEventListener("change", function () {
    if (kind.value === "atelier") { return; }
    document.querySelectorAll('input[name="invites"]').forEach(function (box) {
      box.checked = (box.dataset.comites || "").split(" ").indexOf(kind.value) !== -1;
    });
  });
})();
