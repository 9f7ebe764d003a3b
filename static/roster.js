/* Community Hub's only script, and optional: the roster works the same without it.
   With it, every tap on the roster is kept in this phone's storage until the roster is saved, so a reload
   or a page closed by mistake loses nothing; a live count shows who is present; a double tap on Save sends
   one request. The draft belongs to one version of the session: once a save (or any change) moves the
   version on, the old draft is dropped. On the paper sheet, it shows a Print button. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("form[data-m]");
  if (!form) { return; }
  var key = "hub-roster-" + form.getAttribute("data-m");
  var version = form.getAttribute("data-v");
  var boxes = form.querySelectorAll("input[name=p]");
  var cells = form.querySelectorAll("input[name^=g_]");
  var count = form.querySelector(".count");

  function read() {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }

  function keep() {
    var draft = {v: version, p: {}, g: {}};
    boxes.forEach(function (box) { draft.p[box.value] = box.checked ? 1 : 0; });
    cells.forEach(function (cell) { draft.g[cell.name] = cell.value; });
    try { localStorage.setItem(key, JSON.stringify(draft)); } catch (e) { /* storage full or off */ }
  }

  function show() {
    if (!count) { return; }
    var present = 0;
    boxes.forEach(function (box) { if (box.checked) { present += 1; } });
    count.querySelector("b").textContent = present;
    count.hidden = false;
  }

  var draft = read();
  if (draft && draft.v === version) {
    boxes.forEach(function (box) {
      if (box.value in draft.p) { box.checked = draft.p[box.value] === 1; }
    });
    cells.forEach(function (cell) {
      if (cell.name in draft.g) { cell.value = draft.g[cell.name]; }
    });
  } else if (draft) {
    localStorage.removeItem(key);  // saved since (the version moved on): the server has the truth
  }
  show();

  form.addEventListener("change", function () { keep(); show(); });
  form.addEventListener("input", keep);
  form.addEventListener("submit", function () {
    // After the request has left, so the button's own submission is not stopped.
    setTimeout(function () {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
  });
})();
