"""Names for the widgets a screen reader cannot name by itself (WCAG 2.1: every control
and every picture has one).

ipywidgets 8 draws a slider with noUiSlider: its handle is a <div role="slider"> that the
description's <label> cannot point at, so a screen reader says "slider" and nothing else;
and an Image widget's <img> has no alt text (ipywidgets has no trait for either). A small
script, shown by an Output widget inside the layout (JupyterLab, Notebook 7 and Colab run
a script that a cell's output or an Output widget holds), gives each slider handle its
description as aria-label and each marked picture its alt text, and does so again whenever
the front end redraws a widget. tests/test_browser.py checks the bench with axe-core in
JupyterLab.
"""

import json

ROOT_CLASS = "nnlib-named"

_SCRIPT = """\
(function (alts) {
  var host = (typeof element !== 'undefined' && element) || null;
  if (host && !host.closest && host[0]) host = host[0];            // jQuery, in Notebook 6
  if (!host || !host.closest) return;
  function name(root) {
    root.querySelectorAll('.widget-slider').forEach(function (slider) {
      var label = slider.querySelector('.widget-label');
      var text = label ? label.textContent.trim() : '';
      if (!text) return;
      slider.querySelectorAll('[role="slider"]').forEach(function (handle) {
        if (handle.getAttribute('aria-label') !== text) handle.setAttribute('aria-label', text);
      });
    });
    Object.keys(alts).forEach(function (cls) {
      root.querySelectorAll('img.' + cls).forEach(function (img) {
        if (img.alt !== alts[cls]) img.alt = alts[cls];
      });
    });
  }
  // the script runs as its output is rendered, before the front end attaches it to the
  // page: wait (up to a minute) for the layout around it
  var tries = 0;
  (function attach() {
    var root = host.closest('.%s');
    if (!root) {
      if (++tries < 600) setTimeout(attach, 100);
      return;
    }
    name(root);
    new MutationObserver(function () { name(root); }).observe(root, {childList: true, subtree: true});
  })();
})(%s);
"""


def name_widgets(widgets, root, alts):
    """Mark `root` (an ipywidgets Box) and return an Output widget to put inside it, whose
    script names the sliders under `root` and gives each Image widget with a DOM class
    in `alts` ({class: alt text}) its alt text."""
    from IPython.display import Javascript, display

    root.add_class(ROOT_CLASS)
    names = widgets.Output(layout=widgets.Layout(height="0px", overflow="hidden"))
    with names:
        display(Javascript(_SCRIPT % (ROOT_CLASS, json.dumps(alts))))
    return names
