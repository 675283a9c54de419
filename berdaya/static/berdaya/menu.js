// On a wide screen the menu starts open (on a phone it folds behind its button: base.html). Loaded without defer
// right after the menu, so that it opens before the page is first drawn; a file, not an inline script, because the
// Content-Security-Policy allows scripts from the site's own files only.
(function () {
  "use strict";
  var menu = document.getElementById("menu");
  if (menu && window.matchMedia("(min-width: 800px)").matches) menu.open = true;
})();
