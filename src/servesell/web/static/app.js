// servesell web: keyboard shortcuts on the agent desktop and the language switch.
// No inline scripts (the Content-Security-Policy forbids them); htmx does the rest.
(function () {
  "use strict";
  var ACTIONS = { a: "accepted", d: "declined", n: "not_offered" };

  function openCards() {
    return Array.prototype.slice.call(document.querySelectorAll(".offer[data-open]"));
  }

  function activeCard() {
    var focused = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(".offer[data-open]") : null;
    return focused || document.querySelector(".offer.active[data-open]") || openCards()[0] || null;
  }

  function select(card) {
    document.querySelectorAll(".offer.active").forEach(function (c) { c.classList.remove("active"); });
    if (card) { card.classList.add("active"); card.focus({ preventScroll: false }); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    var key = (event.key || "").toLowerCase();
    if (/^[1-9]$/.test(key)) {
      var card = document.querySelectorAll(".offer")[Number(key) - 1];
      if (card) { event.preventDefault(); select(card); }
      return;
    }
    var result = ACTIONS[key];
    if (!result) { return; }
    var active = activeCard();
    var button = active && active.querySelector('button[name="result"][value="' + result + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]")) {
      target.form.submit();
    }
  });
})();
