// ESMS add page (templates/grappe/esms_add.html): with JavaScript, the manual entry only appears
// when the FINESS number is unknown to the registry (the lookup answer carries data-etat).
(function () {
  var result = document.getElementById("resultat-finess");
  var manual = document.getElementById("saisie-manuelle");
  if (!result || !manual) { return; }
  function sync() {
    var state = result.querySelector("[data-etat]");
    manual.hidden = !(state && state.getAttribute("data-etat") === "inconnu");
  }
  sync();
  result.addEventListener("htmx:afterSwap", sync);
})();
