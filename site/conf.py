"""Sphinx configuration of the course website. `make site` (tools/build_site.py) stages the
notebooks into build/site-src/ and builds build/site/ with this file.

Everything a page loads is in build/site/: the theme's CSS and JS (Furo ships them in its
wheel, and uses the system's fonts), MathJax (vendored from the django-static-mathjax wheel
by tools/build_site.py) and the pictures of the stored outputs. Nothing is executed.
"""

from pathlib import Path

# where tools/build_site.py puts the MathJax files it vendors (copied into _static/)
VENDOR = str(Path(__file__).resolve().parent.parent / "build" / "site-vendor")

project = "Neural networks from scratch, in NumPy"
author = "the course's authors"
copyright = "the course's authors"
root_doc = "index"
language = "en"

extensions = ["myst_nb"]
exclude_patterns = []

# The notebooks as they are: their stored outputs, never re-executed.
nb_execution_mode = "off"
# The widget view needs a widget manager and a kernel, and myst-nb would fetch the manager
# from a CDN: drop it, so that the bench's static picture (its text/html) is shown.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
# stderr outputs (warnings a lesson shows on purpose) stay, as in the notebook
nb_output_stderr = "show"

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# MathJax from build/site/_static/mathjax/, not from a CDN. Its configuration is the one
# myst-parser would set (MathJax 3 reads the same `window.MathJax` as 4); stated here, and
# the CSS file as the tuple Sphinx turns it into, so that an unchanged build is not taken
# for a changed configuration (which re-renders every page).
mathjax_path = "mathjax/tex-chtml.js"
mathjax4_config = {"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}

html_theme = "furo"
html_title = project
# (without one, browsers ask for /favicon.ico, which the site does not have)
html_favicon = "_static/favicon.svg"
html_static_path = ["_static", VENDOR]
html_css_files = [("course.css", {})]
# keyboard access to the code blocks that scroll (see the file)
html_js_files = [("course.js", {})]
pygments_dark_style = "native"   # Furo's default
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_last_updated_fmt = None
html_theme_options = {"navigation_with_keys": True}
