/* The course website's additions to the Furo theme.
 *
 * Code blocks, outputs and tables that scroll sideways (or down) can be reached from the
 * keyboard (WCAG 2.1.1): each scrollable <pre> and table wrapper gets tabindex="0", so Tab
 * stops on it and the arrow keys scroll it; course.css draws its focus ring. Only the
 * blocks that scroll at the window's current width are tab stops: it is checked again
 * when the window is resized (then <html data-course-tabstops> holds the width checked).
 * The theme turns the pages with the left and right arrow keys (navigation_with_keys)
 * except in form fields; in a focused code block those keys scroll it instead.
 */
(function () {
  "use strict";
  var MARK = "data-course-tabstop";   // the tab stops set here (no others are touched)
  var SCROLLERS = "article pre, article .table-wrapper";

  function scrolls(node) {
    return node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
  }

  function tabStops() {
    document.querySelectorAll(SCROLLERS).forEach(function (node) {
      if (scrolls(node)) {
        if (!node.hasAttribute("tabindex")) {
          node.setAttribute("tabindex", "0");
          node.setAttribute(MARK, "");
        }
      } else if (node.hasAttribute(MARK)) {
        node.removeAttribute("tabindex");
        node.removeAttribute(MARK);
      }
    });
    document.documentElement.setAttribute("data-course-tabstops", String(window.innerWidth));
  }

  // (capture phase on the document: before the theme's own listener on the document)
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && target.closest
        && target.closest("pre[" + MARK + "], .table-wrapper[" + MARK + "]")) {
      event.stopPropagation();   // the browser still scrolls the block
    }
  }, true);

  var pending = null;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(tabStops, 150);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tabStops);
  } else {
    tabStops();
  }
  window.addEventListener("load", tabStops);
  window.addEventListener("resize", later);
})();
