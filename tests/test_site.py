"""The course website (build/site/, made by `make site`) in a real browser, offline.

build/site/ is served on 127.0.0.1 (a free port) by Python's own HTTP server, and Debian's
Chromium opens the index, every lesson and the notation card with every request outside
the site blocked and recorded. On each page: the math is typeset (no raw `$…$` or TeX
command left in the text outside code), every image has loaded, every movie player the
notebook stored is there and advances on Play, every internal link answers 200 and its
anchor exists, the console shows no error, no request left the site and none failed.
Lesson pages also keep the course order (sidebar, Previous/Next) and the "run it" row.
And every page passes axe-core (the accessibility engine, pinned in package.json and
installed into node_modules/ by `make test`) with the rules of WCAG 2.0 and 2.1, levels A
and AA: no violation at all.

`make test` builds the site first (`test: ... site`). Needs /usr/bin/chromium and the
`playwright` package as tests/test_browser.py does, and node_modules/axe-core (`make axe`)
for the accessibility test; without them, or without a built site, the tests are skipped,
except under CI (CI=true), where they fail.
"""

import html.parser
import json
import os
import re
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from chromium import chromium, missing

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# the WCAG 2.1 success criteria at levels A and AA (2.1 adds to 2.0's, so both are asked for)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
INDEX_NOTEBOOK = "00_index.ipynb"


def page_of(notebook):
    return "index.html" if notebook == INDEX_NOTEBOOK else f"{Path(notebook).stem}.html"


# course order: the index, the lessons, then the notation card
PAGES = [page_of(name) for name in NOTEBOOKS] + ["notation.html"]
NOTEBOOK_OF = {page_of(name): name for name in NOTEBOOKS}
# SITE_SCREENSHOTS=folder: save each page as the browser shows it
SCREENSHOTS = os.environ.get("SITE_SCREENSHOTS")


def stored_players(notebook):
    """How many movie players the notebook's stored outputs hold."""
    nb = json.loads((ROOT / "notebooks" / notebook).read_text())
    return sum("".join(output.get("data", {}).get("text/html", "")).count('class="nnlib-movie"')
               for cell in nb["cells"] for output in cell.get("outputs", []))


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """build/site/ served on 127.0.0.1; yields the base URL (no trailing slash)."""
    if not (SITE / "index.html").exists():
        missing(f"{SITE.relative_to(ROOT)}/index.html not found",
                "build the site with `make site`")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(site):
    """Headless Chromium with a fresh profile; yields the browser context."""
    with chromium("nnlib-site") as context:
        yield context


class Visit:
    """A page opened with every request outside `base` blocked and recorded, and the
    console's errors, failed requests and error responses recorded."""

    def __init__(self, context, base):
        self.base, self.outside, self.errors = base, [], []
        self.page = page = context.new_page()
        page.route("**/*", self._route)
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: r.url.startswith(base + "/") and self.errors.append(
            f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"HTTP {r.status}: {r.url}"))

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, name):
        self.page.goto(f"{self.base}/{name}", wait_until="load", timeout=60_000)
        wait_for_mathjax(self.page)
        return self.page

    def close(self):
        self.page.close()


@pytest.fixture
def visit(browser, site):
    visits = []

    def open_visit():
        visits.append(Visit(browser, site))
        return visits[-1]

    yield open_visit
    for v in visits:
        v.close()


def wait_for_mathjax(page):
    """Wait until MathJax has loaded and typeset the page (Sphinx loads it only on pages
    with math; check_math fails a page whose math is left untypeset)."""
    script = page.query_selector("script[src*='mathjax/']")
    if not script:
        return
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=30_000)
    except Exception:  # noqa: BLE001  (say what did not load)
        pytest.fail(f"{page.url}: MathJax did not start within 30 s "
                    f"(script {script.get_attribute('src')})")
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


# Text outside code, scripts and typeset math: what a reader sees as prose, tables and
# captions (closed <details> included: MathJax typesets them too).
PROSE_TEXT = """() => {
    const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
    const walker = document.createTreeWalker(document.querySelector('article') || document.body,
                                             NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode())
        if (!node.parentElement.closest(skip) && node.textContent.trim())
            texts.push(node.textContent);
    return texts.join(' ');
}"""
RAW_TEX = re.compile(r"\$[^$\s][^$]*\$|\\[A-Za-z]+")


def check_math(page, name):
    """Every math node holds typeset output, and no TeX is left raw in the prose."""
    untyped = page.evaluate("""() => [...document.querySelectorAll('.math')]
        .filter(node => !node.querySelector('mjx-container'))
        .map(node => node.textContent.slice(0, 60))""")
    assert untyped == [], f"{name}: math not typeset by MathJax: {untyped[:5]}"
    raw = sorted(set(RAW_TEX.findall(page.evaluate(PROSE_TEXT))))
    assert raw == [], f"{name}: raw TeX left in the page's text: {raw[:10]}"
    return page.evaluate("() => document.querySelectorAll('mjx-container').length")


def check_images(page, name, timeout=15_000):
    """Every <img> has loaded (each is scrolled into view first, in case it loads lazily)."""
    page.evaluate("() => document.querySelectorAll('img').forEach(img => img.scrollIntoView())")
    try:
        page.wait_for_function("() => [...document.images].every(img => img.complete "
                               "&& img.naturalWidth > 0)", timeout=timeout)
    except Exception:  # noqa: BLE001  (report which images did not load)
        broken = page.evaluate("() => [...document.images].filter(img => !(img.complete && "
                               "img.naturalWidth > 0)).map(img => img.src.slice(0, 80))")
        pytest.fail(f"{name}: images did not load: {broken}")
    return page.evaluate("() => document.images.length")


def check_alt_texts(page, name):
    """Every <img> says what it shows: the alt text its lesson wrote, never a file name."""
    from nnlib._figures import check_alt

    problems = []
    for alt in page.evaluate("() => [...document.images].map(img => img.getAttribute('alt'))"):
        try:
            check_alt(alt)
        except (TypeError, ValueError) as error:
            problems.append(str(error))
    assert problems == [], f"{name}: {problems[:5]}"


def check_players(page, name):
    """Each movie player's script ran, and the player advances on Play."""
    players = page.query_selector_all(".nnlib-movie")
    for number, player in enumerate(players):
        where = f"{name} player {number}"
        player.scroll_into_view_if_needed()
        assert player.query_selector('[data-do="hint"]') is None, \
            f"{where}: the player's script did not run (its hint is still there)"
        image = player.query_selector("img")
        first = image.get_attribute("src")
        player.query_selector('[data-do="play"]').click()
        page.wait_for_function("([img, src]) => img.getAttribute('src') !== src",
                               arg=[image, first], timeout=10_000)
        player.query_selector('[data-do="play"]').click()   # pause
    return len(players)


class Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for key, value in attrs if key in ("id", "name") and value)


_FETCHED = {}


def fetch(url):
    """(status, the ids in the page if it is HTML) for a local URL, fetched once."""
    if url not in _FETCHED:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                status, body = response.status, response.read()
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, body, kind = error.code, b"", ""
        ids = Ids()
        if "html" in kind:
            ids.feed(body.decode("utf-8", "replace"))
        _FETCHED[url] = status, ids.ids
    return _FETCHED[url]


def check_links(page, base, name):
    """Every link, script, stylesheet and image on the site answers 200, and every anchor
    exists in its page. Returns how many were checked."""
    urls = page.evaluate("""() => [
        ...[...document.querySelectorAll('a[href]')].map(a => a.href),
        ...[...document.querySelectorAll('link[href]')].map(l => l.href),
        ...[...document.querySelectorAll('script[src]')].map(s => s.src),
        ...[...document.querySelectorAll('img[src]')].map(i => i.src)]""")
    own_ids = set(page.evaluate("() => [...document.querySelectorAll('[id], [name]')]"
                                ".map(n => n.id || n.getAttribute('name'))"))
    problems, checked = [], 0
    for url in sorted(set(urls)):
        if not url.startswith(base + "/"):
            continue   # outside links (Colab, Binder, GitHub) are links, not requests
        checked += 1
        address, _, anchor = url.partition("#")
        status, ids = fetch(address)
        if status != 200:
            problems.append(f"{url}: HTTP {status}")
        elif anchor:
            here = address == f"{base}/{name}"
            if anchor not in (own_ids if here else ids):
                problems.append(f"{url}: no element with id {anchor!r}")
    assert problems == [], f"{name}: broken internal links: {problems}"
    return checked


def course_order(page, base, name):
    """The sidebar lists the pages in course order; Previous/Next lead to the neighbours."""
    sidebar = page.evaluate("() => [...document.querySelectorAll('.sidebar-tree a.reference')]"
                            ".map(a => a.href.split('#')[0])")
    assert sidebar == [f"{base}/{p}" for p in PAGES[1:]], f"{name}: sidebar {sidebar}"
    i = PAGES.index(name)
    for kind, neighbour in (("prev-page", PAGES[i - 1] if i else None),
                            ("next-page", PAGES[i + 1] if i + 1 < len(PAGES) else None)):
        link = page.query_selector(f".related-pages a.{kind}")
        href = link.evaluate("a => a.href") if link else None
        expected = f"{base}/{neighbour}" if neighbour else None
        assert href == expected, f"{name}: {kind} link goes to {href}, expected {expected}"


def check_run_it(page, base, name):
    """The "run it" row: Colab and Binder open this lesson's student edition; the download
    is the notebook the page shows."""
    notebook = NOTEBOOK_OF[name]
    links = page.evaluate("() => [...document.querySelectorAll('.run-it a')]"
                          ".map(a => [a.className, a.href, a.hasAttribute('download')])")
    kinds = {kind: (href, download) for kind, href, download in links}
    assert set(kinds) == {"run-it-colab", "run-it-binder", "run-it-download"}, \
        f"{name}: the run-it row has {links}"
    colab, binder = kinds["run-it-colab"][0], kinds["run-it-binder"][0]
    assert colab.startswith("https://colab.research.google.com/github/") \
        and colab.endswith(f"/student/{notebook}"), f"{name}: Colab link {colab}"
    assert binder.startswith("https://mybinder.org/v2/gh/") \
        and binder.endswith(f"urlpath=lab/tree/student/{notebook}"), f"{name}: Binder link {binder}"
    href, download = kinds["run-it-download"]
    assert download and href == f"{base}/notebooks/{notebook}", f"{name}: download link {href}"
    with urllib.request.urlopen(href, timeout=10) as response:
        assert response.read() == (ROOT / "notebooks" / notebook).read_bytes(), \
            (f"{name}: the downloaded notebook differs from notebooks/{notebook}: "
             "the site is older than the notebook; run `make site`")
    assert not page.query_selector("img[src*='colab-badge'], img[src*='badge_logo']"), name


@pytest.mark.parametrize("name", PAGES)
def test_page_offline(visit, site, name):
    v = visit()
    page = v.open(name)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
    formulas = check_math(page, name)
    images = check_images(page, name)
    check_alt_texts(page, name)
    players = check_players(page, name)
    links = check_links(page, site, name)
    course_order(page, site, name)
    if name in NOTEBOOK_OF:
        check_run_it(page, site, name)
        assert players == stored_players(NOTEBOOK_OF[name]), \
            f"{name}: {players} movie players, the notebook stores {stored_players(NOTEBOOK_OF[name])}"
    assert v.outside == [], f"{name}: requests outside the site: {v.outside}"
    assert v.errors == [], f"{name}: {v.errors}"
    print(f"{name}: {formulas} formulas, {images} images, {players} players, {links} links")


def axe_violations(page):
    """axe-core run on the page as it stands, with the WCAG 2.1 A and AA rules: its
    violations, each as {id, impact, help, nodes: [[selector, ...], ...]}."""
    if not AXE.exists():
        missing(f"{AXE.relative_to(ROOT)} not found",
                "install axe-core with `make axe` (npm ci, from package.json)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                         resultTypes: ['violations']})
        .then(results => results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(node => node.target.map(String))})))""", WCAG_TAGS)


def describe(violations, shown=3):
    """One line per violated rule: id, impact, how many elements, the first few."""
    return "\n".join(
        f"  {v['id']} ({v['impact']}, {len(v['nodes'])} element(s)): {v['help']}; "
        + ", ".join(" > ".join(target) for target in v["nodes"][:shown])
        + (" ..." if len(v["nodes"]) > shown else "")
        for v in violations)


# a phone's width: more code blocks and tables scroll sideways there
PHONE = {"width": 390, "height": 800}


@pytest.mark.parametrize("name", PAGES + ["search.html", "genindex.html"])
def test_page_accessible(visit, name):
    """axe-core finds no violation of the WCAG 2.1 A and AA rules on the page, with its
    movie players running (their controls shown) and the network blocked: at the desktop
    width, then at a phone's (after course.js has updated the tab stops)."""
    v = visit()
    page = v.open(name)
    for width in ("desktop", "phone"):
        if width == "phone":
            page.set_viewport_size(PHONE)
            page.wait_for_function("w => document.documentElement.dataset.courseTabstops == w",
                                   arg=str(PHONE["width"]), timeout=10_000)
        violations = axe_violations(page)
        assert violations == [], (f"{name} ({width} width): {len(violations)} WCAG 2.1 A/AA "
                                  f"rule(s) violated (axe-core):\n{describe(violations)}")
    assert v.outside == [], f"{name}: requests outside the site: {v.outside}"
    assert v.errors == [], f"{name}: {v.errors}"


def focus_ring(page, selector):
    """The outline the focused element shows (after keyboard focus): its style and width."""
    return page.evaluate("""sel => { const s = getComputedStyle(document.querySelector(sel));
        return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""", selector)


def test_keyboard_reaches_code_and_players(visit):
    """What axe asks for also works: Tab reaches a code block that scrolls and the arrow
    keys scroll it; a movie player's controls are reached with Tab, say what they do, show
    a focus ring, and the slider and Play work from the keyboard."""
    v = visit()
    page = v.open("09_weight_evolution.html")
    wide = page.evaluate("""() => [...document.querySelectorAll('article pre')]
        .filter(pre => pre.scrollWidth > pre.clientWidth + 1).length""")
    stops = page.evaluate("() => document.querySelectorAll('article pre[tabindex=\"0\"]').length")
    assert wide >= 1 and stops >= wide, f"{wide} code blocks scroll, {stops} are tab stops"
    page.evaluate("""() => { const pre = [...document.querySelectorAll('article pre')]
        .find(pre => pre.scrollWidth > pre.clientWidth + 1);
        pre.id = 'wide-code'; pre.scrollIntoView(); pre.scrollLeft = 0; }""")
    page.focus("#wide-code")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#wide-code').scrollLeft > 0",
                           timeout=5_000)
    # keyboard focus (Tab from the element before it) shows a ring
    page.evaluate("() => document.querySelector('#wide-code').blur()")
    player = page.query_selector(".nnlib-movie")
    player.scroll_into_view_if_needed()
    names = player.evaluate("""p => [...p.querySelectorAll('button, input')].map(c =>
        c.getAttribute('aria-label') || (c.labels && c.labels[0] && c.labels[0].textContent.trim()))""")
    assert names == ["first frame", "previous frame", "play", "next frame", "last frame", "frame",
                     "loop"], names
    page.focus('.nnlib-movie [data-do="first"]')
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.do") == "first"
    style, width = focus_ring(page, '.nnlib-movie [data-do="first"]')
    assert style != "none" and width >= 2, f"no visible focus ring: outline {style} {width}px"
    for _ in range(5):   # first, back, play, next, last: Tab on to the slider
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.do") == "slider"
    page.keyboard.press("ArrowRight")
    label = player.query_selector('[data-do="label"]')
    assert label.inner_text().startswith("frame 2 of "), label.inner_text()
    assert player.query_selector('[data-do="slider"]').get_attribute("aria-valuetext") \
        == label.inner_text()
    page.focus('.nnlib-movie [data-do="play"]')
    page.keyboard.press("Enter")
    play = player.query_selector('[data-do="play"]')
    assert play.get_attribute("aria-label") == "pause" == play.inner_text()
    page.keyboard.press("Enter")
    assert play.get_attribute("aria-label") == "play" == play.inner_text()
    assert v.outside == [] and v.errors == [], (v.outside, v.errors)


def test_lessons_carry_their_content(visit):
    """The index holds the course map with every lesson; the bench's lesson shows the
    bench's static picture and says where it runs live; lesson 09 has its players."""
    v = visit()
    page = v.open("index.html")
    table = page.evaluate("() => [...document.querySelectorAll('article table a')]"
                          ".map(a => a.getAttribute('href'))")
    assert [h for h in table if h.endswith(".html")][:len(NOTEBOOKS) - 1] == PAGES[1:-1], table
    page = v.open("08_learning_rate_explorer.html")
    assert page.query_selector("img[alt^=\"the test bench\"]"), "06: the bench's picture is missing"
    assert "The controls above run in Jupyter or Colab" in page.inner_text("article")
    assert stored_players("09_weight_evolution.ipynb") >= 2
    page = v.open("notation.html")
    text = page.inner_text("article")
    assert "BP1" in text and "Samples are rows" in text, "notation card: card or conventions missing"
    # the search page works offline: its index is on the site
    page = v.open("search.html?q=gradient")
    page.wait_for_selector("#search-results li", timeout=20_000)
    found = page.evaluate("() => document.querySelectorAll('#search-results li').length")
    assert found >= 3, f"search for 'gradient': {found} results, expected at least 3"
    assert v.outside == [] and v.errors == [], (v.outside, v.errors)


def test_the_checks_see_what_they_look_for(visit, site):
    """The checks can fail: raw TeX, a broken image with a file name for alt text, a
    request outside the site, a broken anchor, an unlabelled slider and a code block out
    of the keyboard's reach, put on a page, are each caught."""
    v = visit()
    page = v.open("notation.html")
    page.evaluate("""() => {
        const p = document.createElement('p');
        p.textContent = 'raw $x$ and \\\\frac left over';
        document.querySelector('article').append(p);
        const img = document.createElement('img');
        img.src = 'http://example.invalid/picture.png';
        img.alt = '_images/picture.png';
        document.querySelector('article').append(img);
        const a = document.createElement('a');
        a.href = 'index.html#no-such-anchor';
        a.textContent = 'broken';
        document.querySelector('article').append(a);
    }""")
    with pytest.raises(AssertionError, match=r"raw TeX .*\$x\$.*frac"):
        check_math(page, "notation.html")
    with pytest.raises(pytest.fail.Exception, match="example.invalid"):
        check_images(page, "notation.html", timeout=2_000)
    assert v.outside == ["http://example.invalid/picture.png"]
    with pytest.raises(AssertionError, match="alt must say what the figure shows"):
        check_alt_texts(page, "notation.html")
    with pytest.raises(AssertionError, match="no-such-anchor"):
        check_links(page, site, "notation.html")
    # axe: an unlabelled slider and a code block that scrolls but is no tab stop
    page.evaluate("""() => {
        const input = document.createElement('input');
        input.type = 'range';
        const pre = document.createElement('pre');
        pre.style.cssText = 'overflow: auto; width: 10em; white-space: pre';
        pre.textContent = 'x'.repeat(400);
        document.querySelector('article').append(input, pre);
    }""")
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"label", "scrollable-region-focusable"} <= found, found


def test_each_figure_gets_the_alt_text_its_lesson_wrote(tmp_path):
    """build_site finds a figure's alt text by the SHA-256 of its PNG (myst-nb's file
    name) and puts it, escaped, where myst-nb put the file name; other images stay."""
    import base64
    import hashlib
    import sys

    import nbformat

    sys.path.insert(0, str(ROOT / "tools"))
    from build_site import alt_texts, finish_html

    png = b"\x89PNG\r\n\x1a\n not really a picture"
    digest, other = hashlib.sha256(png).hexdigest(), "0" * 64
    alt = 'The loss falls fast, then "slowly" & <steadily>.'
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("show()", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": base64.b64encode(png).decode(), "text/plain": alt},
        metadata={"image/png": {"alt": alt}})])]
    nbformat.write(notebook, tmp_path / "lesson.ipynb")
    site = tmp_path / "site"
    site.mkdir()
    (site / "lesson.html").write_text(f'<img alt="_images/{digest}.png" src="_images/{digest}.png" />'
                                      f'<img alt="_images/{other}.png" src="_images/{other}.png" />')
    assert finish_html(site, alt_texts([tmp_path / "lesson.ipynb"])) == 1
    assert (site / "lesson.html").read_text() == (
        f'<img alt="The loss falls fast, then &quot;slowly&quot; &amp; &lt;steadily&gt;." '
        f'src="_images/{digest}.png" /><img alt="_images/{other}.png" src="_images/{other}.png" />')
