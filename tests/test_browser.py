"""Every lesson in a real browser: JupyterLab from this environment, driven by Chromium.

One `python -m jupyter lab` on 127.0.0.1 (a free port, a random token, a temporary copy
of notebooks/) serves the whole module, in JupyterLab's default settings (windowing mode
included: cells out of view are not rendered) at 1400×900 with the file browser open,
as a learner first sees it. For each lesson: before any cell runs, the stored pictures
(movie frames, the bench's static picture) load; Run All ends with no error output; every
picture loads, every movie player shows frame 0 and advances on Play, and the bench's
controls are not clipped. Lesson 08's bench then follows its learning-rate slider.
Lesson 02's student edition is worked as a student would: every checker says "not
implemented yet", a hint unfolds, and an answer typed into a stub is judged correct.
Every process the module starts is stopped, also on failure.

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`) and the
`playwright` Python package; never `playwright install`: the system browser is used.
Without them the tests are skipped, except under CI (CI=true), where they fail.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from chromium import chromium  # noqa: E402
from student_edition import write_student_edition  # noqa: E402

from nnlib.benchdiagram import DIAGRAM_ALT  # noqa: E402
from nnlib.benchneurons import GAP, NEURON_ALT, TILE  # noqa: E402

NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
BENCH_LESSON = "08_learning_rate_explorer.ipynb"
STUDENT_LESSON = "02_vectorized_network.ipynb"   # its student edition, worked in the browser
# Only localhost traffic: no news feed, no update check, no PyPI extension manager.
# window.jupyterapp lets the test read the notebook's model (execution counts, outputs)
# and scroll a cell into view; the page itself is JupyterLab's default.
LAB_CONFIG = {"LabApp": {"news_url": None, "extension_manager": "readonly",
                         "expose_app_in_browser": True,
                         "check_for_updates_class":
                             "jupyterlab.handlers.announcements.NeverCheckForUpdate"}}
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                                 "checkForUpdates": False}}
# axe-core (`make axe`, as tests/test_site.py uses it) checks the outputs a learner works:
# the bench's controls and the movie players, with the WCAG 2.1 A and AA rules
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_ALL_TIMEOUT = 240_000   # ms; the slowest lesson runs in well under a minute alone
# BROWSER_SCREENSHOTS=folder: save what the learner sees of each picture-holding output
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS")


def screenshot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"jupyter lab did not answer at {url} within {timeout} s")


def api(base, token, path, method="GET"):
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium with a fresh profile, at 1400×900; yields the browser context."""
    with chromium("nnlib-chromium") as context:
        yield context


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """A JupyterLab server on a temporary copy of notebooks/; yields (base_url, token).
    (It asks for the browser first, so that a missing browser skips before it starts.)"""
    with jupyterlab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@contextlib.contextmanager
def jupyterlab(tmp_path):
    """A JupyterLab server, with the course's settings, on a copy of notebooks/ in
    `tmp_path` (and lesson 02's student edition in its student/); yields (base_url, token).
    benchmarks/browser.py measures the bench in it too."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    (root / "student").mkdir()
    write_student_edition(ROOT / "notebooks" / STUDENT_LESSON, root / "student")
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps(LAB_CONFIG))
    for name, values in LAB_SETTINGS.items():
        path = tmp_path / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    log = open(tmp_path / "jupyter.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.terminals_enabled=False"]
        + (["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/api/status?token={token}", process)
        yield base, token
    finally:
        try:  # a clean shutdown also stops the kernels the server started
            api(base, token, "/api/shutdown", method="POST")
            process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        try:  # anything left in the server's own session (its kernels), by that session's id
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        log.close()


@pytest.fixture
def notebook_page(browser, lab, tmp_path):
    """A function that opens a notebook in a new tab and returns the page; afterwards the
    tab is closed and its kernel shut down."""
    with notebook_opener(browser, lab, tmp_path) as open_notebook:
        yield open_notebook


@contextlib.contextmanager
def notebook_opener(browser, lab, tmp_path):
    """Yields open_notebook(name) -> the page of that notebook in a new tab, in the server
    `lab` = (base_url, token); afterwards the tabs are closed and the kernels shut down."""
    base, token = lab
    pages = []

    def open_notebook(name):
        page = browser.new_page()
        pages.append(page)
        # reset: a fresh workspace, so the notebooks of earlier tests do not open again
        page.goto(f"{base}/lab/tree/{name}?reset&token={token}", timeout=60_000)
        page.wait_for_function(
            """(name) => {
                const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                return panel && panel.context && panel.context.path === name
                    && panel.content.widgets.length > 0;
            }""", arg=name, timeout=60_000)
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        wait_until_idle(page)
        return page

    yield open_notebook
    for page in pages:
        try:
            page.screenshot(path=str(tmp_path / "last.png"))  # for debugging a failure
        except Exception:  # noqa: BLE001  (best effort)
            pass
        page.close()
    for kernel in api(base, token, "/api/kernels"):
        api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")


def wait_until_idle(page, timeout=60_000):
    """Wait until the kernel is connected and idle, as the status bar reports it
    ("Python 3 (ipykernel) | Idle"; before a kernel is connected it says otherwise)."""
    page.wait_for_function(
        """() => {
            const bar = document.querySelector('#jp-main-statusbar');
            return bar && /\\|\\s*Idle/.test(bar.textContent);
        }""", timeout=timeout)


# What the notebook's model holds: for each cell its type, execution count, output types
# and the text of its error outputs.
MODEL = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
    return Array.from({length: cells.length}, (_, i) => {
        const cell = cells.get(i), outputs = [];
        if (cell.type === 'code') {
            for (let j = 0; j < cell.outputs.length; j++) {
                const output = cell.outputs.get(j).toJSON();
                outputs.push({type: output.output_type, mimes: Object.keys(output.data || {}),
                              text: output.output_type === 'error'
                                  ? output.ename + ': ' + output.evalue : ''});
            }
        }
        return {type: cell.type, count: cell.type === 'code' ? cell.executionCount : null,
                source: cell.sharedModel.getSource().slice(0, 60), outputs};
    });
}"""


def run_all(page):
    """Run > Run All Cells, as a learner would; wait until every code cell has run."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(
        """() => {
            const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
            for (let i = 0; i < cells.length; i++) {
                const cell = cells.get(i);
                if (cell.type === 'code' && cell.sharedModel.getSource().trim()
                    && !cell.executionCount) return false;
            }
            return true;
        }""", timeout=RUN_ALL_TIMEOUT, polling=500)
    wait_until_idle(page)


def cell_node(page, index):
    """Scroll cell `index` into view (out of view it is not rendered) and return its node."""
    page.evaluate("""async (i) => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        await notebook.scrollToItem(i, 'start');
    }""", index)
    handle = page.evaluate_handle(
        "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node", index)
    page.wait_for_function("(node) => node.isConnected && node.offsetParent !== null",
                           arg=handle, timeout=10_000)
    return handle


PICTURES = {"image/png", "text/html", "application/vnd.jupyter.widget-view+json"}


def output_cells(page):
    """Indices of the cells whose outputs can hold pictures (PNG, HTML, widgets), as the
    model holds them; text outputs are checked in the model itself."""
    return [i for i, cell in enumerate(page.evaluate(MODEL))
            if any(PICTURES & set(output["mimes"]) for output in cell["outputs"])]


# every <img> on show (a hidden one, like the bench's unused grid-search image, shows no
# broken-image icon) has loaded
SHOWN_IMAGES = "[...node.querySelectorAll('.jp-OutputArea img')].filter(img => img.getClientRects().length)"
IMAGES_LOADED = f"""(node) => {SHOWN_IMAGES}.every(img => img.complete && img.naturalWidth > 0)"""
BROKEN_IMAGES = f"""(node) => {SHOWN_IMAGES}
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => (img.getAttribute('src') || '(no src)').slice(0, 40))"""


def check_images(page, node, where):
    """Every <img> in the cell's outputs has loaded (waits a little for large ones)."""
    try:
        page.wait_for_function(IMAGES_LOADED, arg=node, timeout=10_000)
    except Exception:  # noqa: BLE001  (report which images did not load)
        pytest.fail(f"{where}: images did not load: {page.evaluate(BROKEN_IMAGES, node)}")


def axe_violations(page, node):
    """axe-core's WCAG 2.1 A and AA rules run on the cell's outputs, as JupyterLab shows
    them: a list of "rule: the elements"."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE.relative_to(ROOT)}): run `make axe`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""([node, tags]) => axe.run(node.querySelector('.jp-OutputArea'),
        {runOnly: {type: 'tag', values: tags}}).then(result => result.violations.map(
            v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))""",
        [node, WCAG_TAGS])


def check_players(page, node, where):
    """Each movie player shows frame 0 at its size, advances on Play, and works from the
    keyboard inside JupyterLab (whose own shortcuts must not take the keys): Enter on the
    focused Play button plays and pauses, an arrow key on the slider moves one frame."""
    players = node.query_selector_all(".nnlib-movie")
    for player in players:
        image = player.query_selector("img")
        assert image.evaluate("img => img.naturalWidth > 0 && img.clientWidth > 0"), where
        assert image.get_attribute("src") == image.evaluate("img => img.src")
        first = image.get_attribute("src")
        assert player.query_selector('[data-do="hint"]') is None, \
            f"{where}: the player's script did not run"
        player.query_selector('[data-do="play"]').click()
        page.wait_for_function("([img, src]) => img.getAttribute('src') !== src",
                               arg=[image, first], timeout=10_000)
        player.query_selector('[data-do="play"]').click()   # pause
        label = player.query_selector('[data-do="label"]')
        player.query_selector('[data-do="first"]').focus()
        page.keyboard.press("Enter")
        assert label.inner_text().startswith("frame 1 of"), f"{where}: Enter on 'first frame'"
        player.query_selector('[data-do="play"]').focus()
        page.keyboard.press("Enter")
        page.wait_for_function("(label) => !label.textContent.startsWith('frame 1 of')",
                               arg=label, timeout=10_000)
        page.keyboard.press("Enter")                          # pause
        assert player.query_selector('[data-do="play"]').inner_text() == "play", where
        before = label.inner_text()
        player.query_selector('[data-do="slider"]').focus()
        page.keyboard.press("ArrowRight")
        assert label.inner_text() != before, f"{where}: ArrowRight on the slider did nothing"
        assert player.evaluate("p => p.contains(document.activeElement)"), \
            f"{where}: a key press took the focus out of the player"
    return len(players)


CLIPPED_CONTROLS = """(node) => {
    const problems = [];
    for (const control of node.querySelectorAll('.widget-inline-hbox, .widget-button')) {
        const box = control.getBoundingClientRect();
        const name = (control.querySelector('.widget-label') || control).textContent.trim();
        if (control.scrollWidth > control.clientWidth + 1)
            problems.push(name + ': content wider than its box');
        for (const part of control.querySelectorAll('.widget-label, select, input[type=text]')) {
            if (!part.getClientRects().length) continue;   // not shown (an empty description)
            const inner = part.getBoundingClientRect();
            if (part.scrollWidth > part.clientWidth + 1)
                problems.push(name + ': ' + part.tagName + ' text clipped');
            if (inner.left < box.left - 1 || inner.right > box.right + 1)
                problems.push(name + ': ' + part.tagName + ' sticks out of its box');
        }
    }
    return problems;
}"""


def check_bench(page, node, where):
    """The bench's controls are all there, none is clipped, and each has a name that a
    screen reader says (axe-core's rules)."""
    # optimizer, β, β₂, regularisation, its rate, data set, activation, loss, initialisation,
    # initial weights
    assert node.evaluate("n => n.querySelectorAll('.widget-dropdown select').length") == 10, where
    problems = page.evaluate(CLIPPED_CONTROLS, node)
    assert problems == [], f"{where}: {problems}"
    # the check sees clipping: a description squeezed narrower than its text is reported
    label = "[...n.querySelectorAll('.widget-dropdown .widget-label')].pop()"
    node.evaluate(f"n => {{ {label}.style.maxWidth = '30px'; }}")
    assert any("text clipped" in problem for problem in page.evaluate(CLIPPED_CONTROLS, node))
    node.evaluate(f"n => {{ {label}.style.maxWidth = ''; }}")
    # every slider is named for a screen reader (nnlib/_a11y.py), and axe sees a nameless one
    handle = "n.querySelector('.widget-slider [role=slider]')"
    name = node.evaluate(f"n => {handle}.getAttribute('aria-label')")
    assert name == "learning rate", where
    node.evaluate(f"n => {handle}.removeAttribute('aria-label')")
    assert any(v.startswith("aria-input-field-name") for v in axe_violations(page, node))
    node.evaluate(f"n => {handle}.setAttribute('aria-label', 'learning rate')")
    # a map for each hidden neuron (the default net has two layers of 8): one image, its
    # tiles TILE wide with GAP between, named for a screen reader
    neurons = node.evaluate("n => { const i = n.querySelector('img.nnlib-bench-neurons'); "
                            "return i && [i.naturalWidth, i.naturalHeight, i.alt]; }")
    assert neurons is not None, f"{where}: no neuron maps"
    assert neurons[:2] == [8 * (TILE + GAP) - GAP, 2 * (TILE + GAP) - GAP], where
    assert neurons[2] == NEURON_ALT, where
    # the network diagram: one line per weight of [2, 8, 8, 1], named for a screen reader;
    # "− a₁", "+ a₁", "− a₂", "+ a₂" beside the layer buttons
    diagram = node.evaluate("n => { const s = n.querySelector('.nnlib-bench-network svg'); "
                            "return s && [s.querySelectorAll('line').length, "
                            "s.getAttribute('role'), s.getAttribute('aria-label'), "
                            "s.getBoundingClientRect().width]; }")
    assert diagram is not None, f"{where}: no network diagram"
    assert diagram[:3] == [2 * 8 + 8 * 8 + 8, "img", DIAGRAM_ALT], where
    assert 200 < diagram[3] <= node.evaluate("n => n.getBoundingClientRect().width"), where
    buttons = node.evaluate("n => [...n.querySelectorAll('.widget-button')]"
                            ".map(b => b.textContent.trim())")
    assert {"+ layer", "− layer", "− a₁", "+ a₁", "− a₂", "+ a₂"} <= set(buttons), buttons


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_lesson_in_jupyterlab(notebook_page, name):
    page = notebook_page(name)
    # before any cell runs (the notebook is not trusted, so no stored script runs): every
    # stored picture loads, movie frames and the bench's static picture included
    for index in output_cells(page):
        node = cell_node(page, index)
        check_images(page, node, f"{name} cell {index}, before running")
        if node.query_selector(".nnlib-movie, img[alt^=\"the test bench\"]"):
            screenshot(page, f"{name[:2]}-cell{index}-before")

    run_all(page)
    cells = page.evaluate(MODEL)
    errors = [f"cell {i} ({cell['source']!r}): {output['text']}" for i, cell in enumerate(cells)
              for output in cell["outputs"] if output["type"] == "error"]
    assert errors == []
    players = benches = 0
    for index in output_cells(page):
        node, where = cell_node(page, index), f"{name} cell {index}"
        text = node.evaluate("n => n.querySelector('.jp-OutputArea').innerText")
        assert "Traceback" not in text and "Error displaying widget" not in text, where
        check_images(page, node, where)
        if node.query_selector(".nnlib-movie"):
            screenshot(page, f"{name[:2]}-cell{index}-after")
        players += check_players(page, node, where)
        if node.query_selector(".nnlib-movie, .widget-vbox .widget-dropdown"):
            violations = axe_violations(page, node)
            assert violations == [], f"{where}: WCAG 2.1 A/AA violations:\n" + "\n".join(violations)
        if node.query_selector(".widget-vbox .widget-dropdown"):
            screenshot(page, f"{name[:2]}-cell{index}-bench")
            check_bench(page, node, where)
            benches += 1
            bench_reacts_to_the_learning_rate_slider(page, node)
            bench_plays_pauses_and_scrubs(page, node)
    if name.endswith("_weight_evolution.ipynb"):
        assert players >= 2
    if name == BENCH_LESSON:
        assert benches == 1


# The text of each cell's outputs (streams and text/plain), as the model holds them.
OUTPUT_TEXT = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
    return Array.from({length: cells.length}, (_, i) => {
        const cell = cells.get(i);
        if (cell.type !== 'code') return '';
        return Array.from({length: cell.outputs.length}, (_, j) => {
            const output = cell.outputs.get(j).toJSON();
            return [].concat(output.text || (output.data || {})['text/plain'] || '').join('');
        }).join('');
    });
}"""


def test_student_edition_in_jupyterlab(notebook_page):
    """A student's first steps in the student edition of lesson 02: Run All ends without an
    error and every checker says "not implemented yet"; Hint 1 unfolds; each worked solution
    is there, folded, and no solution is in sight; an answer typed into the first stub and
    run (Shift+Enter, twice) is correct."""
    page = notebook_page(f"student/{STUDENT_LESSON}")
    run_all(page)
    cells, texts = page.evaluate(MODEL), page.evaluate(OUTPUT_TEXT)
    assert [o for cell in cells for o in cell["outputs"] if o["type"] == "error"] == []
    checkers = [i for i, cell in enumerate(cells) if cell["source"].startswith("check_")]
    assert len(checkers) >= 3
    assert all("not implemented yet" in texts[i] for i in checkers), [texts[i] for i in checkers]
    folded = [i for i, cell in enumerate(cells)
              if cell["source"].startswith("<details><summary>Solution")]
    assert len(folded) == len(checkers)
    assert not cell_node(page, folded[0]).query_selector("details").evaluate("d => d.open")

    hint = next(i for i, cell in enumerate(cells)
                if cell["source"].startswith("<details><summary>Hint 1"))
    node = cell_node(page, hint)
    details = node.query_selector("details")
    assert not details.evaluate("d => d.open")
    node.query_selector("summary").click()
    assert details.evaluate("d => d.open && d.innerText.length > 40")

    stub = next(i for i, cell in enumerate(cells) if cell["source"].startswith("def layer_forward"))
    page.evaluate(r"""(i) => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        const cell = notebook.model.cells.get(i);
        cell.sharedModel.setSource(cell.sharedModel.getSource().replace(
            /^( *)# YOUR CODE HERE\n *raise NotImplementedError/m, '$1return A @ W.T + b'));
        notebook.activeCellIndex = i;
    }""", stub)
    for _ in range(2):   # the answer, then its checker
        page.evaluate("() => window.jupyterapp.commands.execute("
                      "'notebook:run-cell-and-select-next')")
    page.wait_for_function(
        """(i) => {
            const outputs = window.jupyterapp.shell.currentWidget.content.model.cells.get(i).outputs;
            return outputs.length && JSON.stringify(outputs.get(0).toJSON()).includes('correct!');
        }""", arg=stub + 1, timeout=30_000)


# Pixels of the ghost's grey (GHOST_COLOUR, 0.45: rgb(115, 115, 115)) in the top-left
# third of the bench's figure, the loss plot, decoded in the page: 9 before any ghost is
# drawn (antialiased tick labels), over a hundred with the dashed curve and its key.
GHOST_PIXELS = """async (img) => {
    const image = new Image();
    image.src = img.src;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, Math.floor(canvas.width / 3),
                                      Math.floor(canvas.height / 2)).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4)
        if (Math.abs(data[i] - 115) <= 1 && data[i + 1] === data[i] && data[i + 2] === data[i])
            count++;
    return count;
}"""


def bench_reacts_to_the_learning_rate_slider(page, node):
    """Lesson 08's bench, after Run All: moving the learning-rate slider retrains and
    redraws. (Part of the lesson's test: a second Run All would double its time.)"""
    readout = page.locator(".widget-html", has_text="training and").first
    readout.wait_for(timeout=30_000)

    slider = page.locator(".widget-slider", has=page.locator("label", has_text="learning rate"))
    value = slider.locator(".widget-readout")
    image = page.locator(".widget-image").first
    readout_before, image_before, value_before = (
        readout.inner_text(), image.get_attribute("src"), float(value.inner_text()))
    assert "training loss" in readout_before and image_before

    # Move the slider one step at a time with the keyboard and time each redraw.
    slider.locator(".noUi-handle").first.focus()
    latencies, values = [], [value_before]
    for _ in range(5):
        src = image.get_attribute("src")
        started = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("([img, before]) => img.getAttribute('src') !== before",
                               arg=[image.element_handle(), src], timeout=30_000)
        latencies.append(time.perf_counter() - started)
        wait_until_idle(page)
        values.append(float(value.inner_text()))

    assert values == sorted(values) and len(set(values)) == len(values)
    assert readout.inner_text() != readout_before
    # the previous run stays on the loss plot as the grey dashed ghost
    ghost = image.evaluate(GHOST_PIXELS)
    assert ghost >= 60, f"no ghost curve on the loss plot ({ghost} grey pixels)"
    assert image.get_attribute("src") != image_before
    text = node.evaluate("n => n.querySelector('.jp-OutputArea').innerText")
    assert "Traceback" not in text
    screenshot(page, "06-bench-after-slider")
    latencies.sort()
    print(f"learning rate {values[0]} -> {values[-1]} in {len(latencies)} key presses; "
          f"key press to new figure in the browser: median {1000 * latencies[2]:.0f} ms")


def bench_plays_pauses_and_scrubs(page, node):
    """Lesson 08's bench, live: Play advances the step counter and changes the picture,
    Pause stops it, the "show step" slider shows an earlier step, and the buttons work
    from the keyboard (Enter on the focused "step" button)."""
    counter = page.locator(".nnlib-bench-counter")
    image = page.locator(".widget-image").first

    def step_shown():
        return int(re.match(r"step (\d+) of", counter.inner_text()).group(1))

    def button(name):   # by its text: the accessible name starts with the icon's glyph
        return page.locator(".widget-button").filter(
            has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")).first

    wait_until_idle(page)
    assert re.match(r"step (\d+) of \1", counter.inner_text()), counter.inner_text()  # the end
    end, picture = step_shown(), image.get_attribute("src")
    button("play").click()          # from the end: plays from step 0
    page.wait_for_function("""([node, end]) => {
        const step = parseInt(node.innerText.slice(5));
        return step > 0 && step < end; }""", arg=[counter.element_handle(), end],
                           timeout=30_000)
    started, first = time.perf_counter(), step_shown()
    page.wait_for_function("([node, s]) => parseInt(node.innerText.slice(5)) >= s + 20",
                           arg=[counter.element_handle(), first], timeout=30_000)
    seconds, moved = time.perf_counter() - started, step_shown() - first
    assert image.get_attribute("src") != picture
    button("pause").click()
    wait_until_idle(page)
    page.wait_for_timeout(500)
    paused = step_shown()
    page.wait_for_timeout(1000)
    assert step_shown() == paused, "the counter moved on after pause"
    screenshot(page, "06-bench-paused")

    # the scrubber: one key press back shows an earlier step
    scrubber = page.locator(".widget-slider", has=page.locator("label", has_text="show step"))
    assert scrubber.locator("[role=slider]").first.get_attribute("aria-label") == "show step"
    picture = image.get_attribute("src")
    scrubber.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("([node, s]) => parseInt(node.innerText.slice(5)) < s",
                           arg=[counter.element_handle(), paused], timeout=30_000)
    page.wait_for_function("([img, before]) => img.getAttribute('src') !== before",
                           arg=[image.element_handle(), picture], timeout=30_000)
    earlier = step_shown()

    # keyboard: Enter on the focused "step" button trains on
    button("step").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("([node, s]) => parseInt(node.innerText.slice(5)) > s",
                           arg=[counter.element_handle(), earlier], timeout=30_000)
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "step"
    text = node.evaluate("n => n.querySelector('.jp-OutputArea').innerText")
    assert "Traceback" not in text and "Something went wrong" not in text
    print(f"bench Play in the browser: {moved} steps ({moved // max(1, round(end / 100))} updates) "
          f"in {seconds:.2f} s = {moved / seconds:.1f} steps per second; paused at {paused}, "
          f"scrubbed back to {earlier}, Enter on 'step' to {step_shown()}")


def test_movie_player_plays_steps_and_loops_in_chromium(browser):
    """The weight movie's HTML player, as a page shows it: frame 0 is there before the
    script runs (and without it), Play advances the frames, the slider and the buttons
    move to a frame, loop off stops at the last one, and the player asks for nothing
    outside itself and logs no error."""
    import nnlib
    from nnlib import animation

    X, Y = nnlib.data.noisy_halfplane(n=40, seed=0)
    net = nnlib.MLP([15, 1], loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=20, record_every=5)
    movie = animation.animate_weights(history, net, max_frames=5, fps=20)
    html = animation.to_html(movie, "The input weights grow while the noise weights stay small.",
                             progress=False)
    height, width = movie.pixels(0).shape[:2]
    page, requests, errors = browser.new_page(), [], []
    try:
        page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))

        # without scripts (as an untrusted notebook shows a stored output): frame 0 at its
        # size, the hint to run the cell, and no dead buttons
        no_script = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)
        page.set_content(f"<!doctype html><html><body>{no_script}</body></html>")
        image = page.locator("img")
        assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [width, height]
        assert "Run the cell to play" in page.locator('[data-do="hint"]').inner_text()
        assert not page.locator('[data-do="play"]').is_visible()

        page.set_content(f"<!doctype html><html><body>{html}</body></html>")
        label = page.locator('[data-do="label"]')
        frames = page.evaluate("() => [...document.scripts].map(s => s.text).join('')")
        assert label.inner_text() == "frame 1 of 5" and frames.count("data:image/png;base64,") == 5
        assert page.locator('[data-do="hint"]').count() == 0

        first = image.get_attribute("src")
        assert image.evaluate("img => img.naturalWidth") == width
        page.click('[data-do="play"]')
        page.wait_for_function("src => document.querySelector('img').src !== src", arg=first)
        page.click('[data-do="play"]')  # pause
        assert page.locator('[data-do="play"]').inner_text() == "play"
        page.locator('[data-do="slider"]').fill("3")
        assert label.inner_text() == "frame 4 of 5"
        for key, shown in [("End", 5), ("ArrowLeft", 4), ("Home", 1), ("ArrowLeft", 1),
                           ("ArrowRight", 2), ("PageUp", 5)]:
            page.locator('[data-do="slider"]').press(key)
            assert label.inner_text() == f"frame {shown} of 5", key
        page.click('[data-do="first"]')
        page.click('[data-do="back"]')  # looping: from the first frame back to the last
        assert label.inner_text() == "frame 5 of 5"
        page.uncheck('[data-do="loop"]')
        page.click('[data-do="play"]')  # at the last frame without loop: starts again at 1
        page.wait_for_function("() => document.querySelector('[data-do=\"play\"]').textContent"
                               " === 'play'", timeout=10_000)  # and stops by itself at the end
        assert label.inner_text() == "frame 5 of 5"
        assert requests == [] and errors == []
    finally:
        page.close()
