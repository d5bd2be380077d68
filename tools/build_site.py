"""Build the course website, build/site/, from the executed notebooks' stored outputs.

    python tools/build_site.py      (`make site` runs it in .venv-site)

Nothing is executed. The notebooks are staged into build/site-src/ for Sphinx + myst-nb
(site/conf.py), changed only for the web:
- 00_index becomes the site's index page, with the table of contents (lessons in course
  order, then the notation card); links to it follow;
- each notebook's Colab badge cell (tag "colab-badge", an outside image) becomes a row of
  plain links: Open in Colab, Launch Binder, Download the .ipynb;
- after a cell whose output is a live widget (the test bench), a note says that it runs in
  Jupyter or Colab; the page shows the widget's stored static picture;
- the notation card: a page made from the index's "Notation and shapes" cell and the
  README's "Conventions", so it never drifts from them; links to the card go there.
MathJax is copied from the django-static-mathjax wheel into build/site/_static/mathjax/.
The built pages are then finished for accessibility (WCAG 2.1 AA, checked by axe-core in
tests/test_site.py): the sidebar's captions ("Lessons", "Reference"), which Sphinx marks
role="heading" without a level, get aria-level="2"; and each figure's <img>, to which
myst-nb gives its file name as alt text, gets the alt text the lesson wrote for it
(nnlib.plots.show stores it in the output's metadata).
Staged files are rewritten only when their content changes, so Sphinx rebuilds only the
pages whose notebook changed.
"""

import base64
import filecmp
import hashlib
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colab_cells import BADGE_TAG, course_config  # noqa: E402  (the one reader of [tool.course])

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CONF = ROOT / "site"
BUILD = ROOT / "build"
SOURCE, OUT = BUILD / "site-src", BUILD / "site"
VENDOR, DOCTREES = BUILD / "site-vendor", BUILD / "site-doctrees"
INDEX_NOTEBOOK = "00_index.ipynb"
NOTATION_HEADING = "## Notation and shapes"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("```{note}\nThe controls above run in Jupyter or Colab: open this lesson "
               "with the buttons at the top of the page. Here you see what the lesson's last "
               "run stored.\n```")
# MathJax 3's parts that tex-chtml.js loads (fonts, TeX extensions on demand, the menu's
# accessibility tools), relative to the wheel's es5/ folder
MATHJAX_PARTS = ["tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "a11y", "sre", "ui"]


def docname(notebook):
    """The page name of a notebook: the index is the site's index page."""
    return "index" if notebook == INDEX_NOTEBOOK else Path(notebook).stem


def run_it_row(notebook, config):
    """The row of links at the top of a lesson: Colab and Binder open its student edition
    (student/: the exercises as stubs, to be worked); the download is the page's notebook."""
    slug, branch = config["repository"].removeprefix("https://github.com/"), config["branch"]
    colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}/student/{notebook}"
    binder = f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/student/{notebook}"
    return (f'<div class="run-it" role="group" aria-label="Run this lesson">'
            f'<a class="run-it-colab" href="{colab}">Open in Colab</a>'
            f'<a class="run-it-binder" href="{binder}">Launch Binder</a>'
            f'<a class="run-it-download" href="notebooks/{notebook}" download>'
            f"Download {notebook}</a></div>")


def rewrite_links(source):
    """Links between notebooks, as pages: the index's new name, the notation card's page,
    and JupyterLab's heading anchors (case kept) as Sphinx's (lower case)."""
    card_anchor = "#" + NOTATION_HEADING.lstrip("# ").lower().replace(" ", "-")

    def link(match):
        target, anchor = match.group(1), (match.group(2) or "").lower()
        if target == INDEX_NOTEBOOK and anchor == card_anchor:
            return "](notation.md)"
        return f"]({docname(target)}.ipynb{anchor})"
    return re.sub(r"\]\((\d\d_[\w-]+\.ipynb)(#[^)\s]*)?\)", link, source)


def stage_notebook(path, config, names):
    """The notebook as the site shows it (see the module's docstring)."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and BADGE_TAG in cell.metadata.get("tags", []):
            cells.append(nbformat.v4.new_markdown_cell(run_it_row(path.name, config)))
            continue
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source)
        cells.append(cell)
        if cell.cell_type == "code" and any(WIDGET_VIEW in output.get("data", {})
                                            for output in cell.get("outputs", [])):
            cells.append(nbformat.v4.new_markdown_cell(WIDGET_NOTE))
    if not any(run_it_row(path.name, config) == cell.source for cell in cells):
        cells.insert(0, nbformat.v4.new_markdown_cell(run_it_row(path.name, config)))
    if path.name == INDEX_NOTEBOOK:
        lessons = "\n".join(docname(name) for name in names if name != INDEX_NOTEBOOK)
        cells.append(nbformat.v4.new_markdown_cell(
            f"```{{toctree}}\n:hidden:\n:caption: Lessons\n\n{lessons}\n```\n\n"
            "```{toctree}\n:hidden:\n:caption: Reference\n\nnotation\n```"))
    nb.cells = cells
    return nbformat.writes(nb)


def notation_page(index_path, config):
    """The notation card as a page: the index's "Notation and shapes" cell and the README's
    "Conventions" section, both as they stand."""
    nb = nbformat.read(index_path, as_version=4)
    card = next((cell.source for cell in nb.cells if cell.cell_type == "markdown"
                 and cell.source.lstrip().startswith(NOTATION_HEADING)), None)
    if card is None:
        raise SystemExit(f"{index_path.relative_to(ROOT)}: expected a markdown cell that starts "
                         f"with {NOTATION_HEADING!r} (the notation card), found none")
    card = card.lstrip()[len(NOTATION_HEADING):].strip()
    card = card.replace("The cell after the set-up check confirms",
                        "The cell after the set-up check in the [course index](index.ipynb) "
                        "confirms")
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^## Conventions\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    if match is None:
        raise SystemExit("README.md: expected a '## Conventions' section, found none")
    blob = f"{config['repository']}/blob/{config['branch']}/"
    conventions = re.sub(r"\]\((?!https?://|#)([^)]+)\)", lambda m: f"]({blob}{m.group(1)})",
                         match.group(1).strip())
    return ("# The notation card\n\n"
            "The symbols, shapes and conventions that every lesson and `nnlib` share, as the "
            "[course index](index.ipynb) states them.\n\n"
            f"## Notation and shapes\n\n{rewrite_links(card)}\n\n"
            f"## Conventions in the code\n\n{conventions}\n")


def write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def copy_if_changed(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or not filecmp.cmp(source, target, shallow=False):
        shutil.copy2(source, target)


def vendor_mathjax():
    """MathJax 3 from the django-static-mathjax wheel (the upstream distribution) into
    build/site-vendor/mathjax/, which Sphinx copies to build/site/_static/mathjax/."""
    try:
        import mathjax
    except ImportError:
        raise SystemExit("MathJax: expected the package django-static-mathjax (import mathjax) "
                         "from requirements-site.txt, found none; run `make site`") from None
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    for part in MATHJAX_PARTS:
        source = es5 / part
        if not source.exists():
            raise SystemExit(f"MathJax: expected {source}, found nothing there")
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
        for file in files:
            copy_if_changed(file, VENDOR / "mathjax" / file.relative_to(es5))


def stage(config):
    """build/site-src/: every notebook (staged), the notation page; stale files removed."""
    names = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))
    if INDEX_NOTEBOOK not in names:
        raise SystemExit(f"notebooks/: expected {INDEX_NOTEBOOK} (the course map), found "
                         f"{names}")
    wanted = {"notation.md"}
    for name in names:
        target = f"{docname(name)}.ipynb"
        wanted.add(target)
        write_if_changed(SOURCE / target, stage_notebook(NOTEBOOKS / name, config, names))
    write_if_changed(SOURCE / "notation.md", notation_page(NOTEBOOKS / INDEX_NOTEBOOK, config))
    for path in SOURCE.iterdir():
        if path.name not in wanted:
            path.unlink() if path.is_file() else shutil.rmtree(path)
    return names


# Sphinx writes each toctree caption as <p class="caption" role="heading">, and a heading
# role needs its level (aria-required-attr): the sidebar's captions sit under the site's
# title, so level 2. The change is its own test (a page Sphinx did not rewrite is left
# as it is), so it is made on every page of every build.
HEADING_WITHOUT_LEVEL = re.compile(r'(<p class="caption" role="heading")(?![^>]*aria-level)')


# myst-nb names a figure's file by the SHA-256 of its PNG bytes, and makes that its alt text
FILE_NAME_ALT = re.compile(r'alt="(?:\.\./)*_images/([0-9a-f]{64})\.png"')


def alt_texts(paths):
    """{SHA-256 of a figure's PNG bytes: the alt text stored with it} over the notebooks."""
    texts = {}
    for path in paths:
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                if alt and "image/png" in output.get("data", {}):
                    png = base64.b64decode(output["data"]["image/png"])
                    texts[hashlib.sha256(png).hexdigest()] = alt
    return texts


def finish_html(out, alts):
    """Every built page made complete for assistive technology (see the module's
    docstring), with `alts` from alt_texts; returns how many pages changed."""
    def alt(match):
        text = alts.get(match.group(1))
        return match.group(0) if text is None else f'alt="{html.escape(text)}"'

    changed = 0
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        finished = HEADING_WITHOUT_LEVEL.sub(r'\1 aria-level="2"', text)
        finished = FILE_NAME_ALT.sub(alt, finished)
        if finished != text:
            path.write_text(finished, encoding="utf-8")
            changed += 1
    return changed


def main(argv):
    from sphinx.cmd.build import build_main

    config = course_config()
    names = stage(config)
    vendor_mathjax()
    # -W: a warning (a broken link or reference, an unknown output) fails the build
    status = build_main(["-b", "html", "-q", "-W", "--keep-going", "-c", str(CONF),
                         "-d", str(DOCTREES), str(SOURCE), str(OUT), *argv])
    if status:
        return status
    finish_html(OUT, alt_texts(NOTEBOOKS / name for name in names))
    for name in names:  # the "Download" links: the notebooks as they are, outputs included
        copy_if_changed(NOTEBOOKS / name, OUT / "notebooks" / name)
    for path in (OUT / "notebooks").iterdir():
        if path.name not in names:
            path.unlink()
    print(f"site: {len(names)} notebooks -> {OUT.relative_to(ROOT)}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
