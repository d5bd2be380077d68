"""The bench's speed as a student meets it: real JupyterLab in headless Chromium (issue 25).

One JupyterLab session, started as tests/test_browser.py starts it (its `lab` and
`notebook_page` fixtures, its helpers: the project's settings, a random token, localhost
only, a temporary copy of notebooks/), on lesson 08 after Run > Run All Cells, on the
bench's default net:

- Play: the figure's pictures that reach the screen per second (median of one-second
  windows over about PLAY_SECONDS of wall time), target ≥ 10;
- the learning-rate slider: the median time from an ArrowRight on its handle to the new
  figure (the <img>'s src replaced), target ≤ 100 ms.

Times are taken in the page (performance.now(): the key's event time, a MutationObserver
on the figure's src, its load event, requestAnimationFrame for what is on screen), so
Playwright's own round trips are not counted. If Chromium, Playwright or JupyterLab is
missing or does not start, the hook says so in its text instead of failing `make bench`.

Run it alone: `cd benchmarks && ../.venv/bin/python browser.py`.
"""

import contextlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAY_SECONDS = 5.0       # wall time sampled while playing
WINDOW = 1.0             # seconds per window of the updates-per-second count
SLIDER_PRESSES = 12      # ArrowRight presses: lr 0.3 -> about 4.8 on the log slider
KEY = "in the browser"
DEBUG = os.environ.get("BENCH_BROWSER_DEBUG")   # a file: the page's log of the last key press

# In the page: a log of the figure's src changes and load events, of what each animation
# frame shows (src, loaded, counter text), of key presses, and (if the widget manager can
# be reached) of the Play clock's ticks and its interval.
INSTALL = """([img, counter]) => {
    const log = {src: [], load: [], frames: [], keys: [], ticks: [], running: true};
    window.__nnlibBench = log;
    const srcs = new MutationObserver(() => log.src.push(performance.now()));
    srcs.observe(img, {attributes: true, attributeFilter: ['src']});
    img.addEventListener('load', () => log.load.push(performance.now()));
    document.addEventListener('keydown', (event) => log.keys.push(event.timeStamp), true);
    // the kernel's websocket (a private field of JupyterLab's KernelConnection: best
    // effort): when each message goes out and comes in (its event's timeStamp), how big
    log.sent = []; log.recv = [];
    try {
        const ws = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel._ws;
        if (!ws.__nnlibBench) {   // once: each closure logs into the current log
            const send = ws.send.bind(ws);
            ws.send = (data) => { window.__nnlibBench.sent.push(performance.now());
                                  return send(data); };
            ws.addEventListener('message', (event) => window.__nnlibBench.recv.push(
                [event.timeStamp, event.data.byteLength || event.data.size || event.data.length || 0,
                 typeof event.data === "string" ? "text" : event.data.constructor.name]));
            ws.__nnlibBench = true;
        }
    } catch (error) { log.wsError = String(error); }
    let last = '';
    const frame = (t) => {
        if (!log.running) return;
        const seen = img.getAttribute('src') + (img.complete ? '' : ' (loading)')
                     + '|' + counter.textContent;
        if (seen !== last) { log.frames.push([t, img.complete, img.getAttribute('src'),
                                              counter.textContent]); last = seen; }
        requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    log.stop = () => { log.running = false; srcs.disconnect(); };
}"""

# The Play clock's model, found through the notebook's widget manager (private fields of
# @jupyter-widgets/jupyterlab-manager: best effort, null if they are not there).
CLOCK = """async () => {
    const log = window.__nnlibBench;
    const panel = window.jupyterapp.shell.currentWidget;
    for (const cell of panel.content.widgets) {
        for (const child of ((cell.outputArea || {}).widgets || [])) {
            for (const part of (child.widgets || [child])) {
                const delegate = part._manager;
                if (!delegate || !delegate.promise) continue;
                const manager = await delegate.promise;
                for (const promise of Object.values(manager._models || {})) {
                    const model = await promise;
                    if (model.get('_model_name') === 'PlayModel'
                        && model.get('description') === 'clock') {
                        model.on('change:value', () => log.ticks.push(
                            [performance.now(), model.get('value'), model.get('interval')]));
                        return model.get('interval');
                    }
                }
            }
        }
    }
    return null;
}"""

IMAGE_BYTES = """async (img) => (await (await fetch(img.src)).blob()).size"""


def _test_browser():
    """tests/test_browser.py, imported (its fixtures' bodies are used as context managers)."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import test_browser

    return test_browser


@contextlib.contextmanager
def _session(tb, workdir):
    """(page of lesson 08, its bench's output node), in one JupyterLab + Chromium."""
    from chromium import chromium

    with chromium("nnlib-bench-chromium") as browser, \
            tb.jupyterlab(Path(tempfile.mkdtemp(dir=workdir))) as server, \
            tb.notebook_opener(browser, server, Path(tempfile.mkdtemp(dir=workdir))) as open_notebook:
        page = open_notebook(tb.BENCH_LESSON)
        started = time.perf_counter()
        tb.run_all(page)
        run_all = time.perf_counter() - started
        for index in tb.output_cells(page):
            node = tb.cell_node(page, index)
            if node.query_selector(".widget-vbox .widget-dropdown"):
                yield page, node, run_all
                return
        raise RuntimeError(f"no bench found in {tb.BENCH_LESSON} after Run All")


def _split(log, begin, src):
    """Where the time from `begin` (a key press, a clock tick) to the new src `src` went:
    (front end: to the message out, kernel and wire: to the largest message in, which
    carries the PNG, front end: from it to the src, its bytes), or None."""
    out = [t for t in log["sent"] if begin <= t <= src]
    # (JupyterLab's handler sets the src before this page's listener runs: the message's
    # own timeStamp says when it arrived)
    back = [(n, t) for t, n, *_ in log["recv"] if out and out[0] <= t <= src + 50]
    if not back:
        return None
    size, arrived = max(back)
    return out[0] - begin, arrived - out[0], max(src - arrived, 0.0), size


def _medians(splits):
    """The median of each part of `_split`s; None if there is none."""
    splits = [s for s in splits if s is not None]
    return [statistics.median(part) for part in zip(*splits)] if splits else None


def _per_second(times, start, end):
    """The median count of `times` per WINDOW-second window in [start, end), per second."""
    windows = int((end - start) // (WINDOW * 1e3))
    counts = [sum(start + k * WINDOW * 1e3 <= t < start + (k + 1) * WINDOW * 1e3 for t in times)
              for k in range(windows)]
    return statistics.median(counts) / WINDOW, counts


def measure_play(tb, page, node):
    """Press Play (from the end: it plays from step 0), sample PLAY_SECONDS, Pause."""
    counter = node.query_selector(".nnlib-bench-counter")
    image = node.query_selector("img.nnlib-bench-figure")
    page.evaluate(INSTALL, [image, counter])
    interval = page.evaluate(CLOCK)
    button = page.locator(".widget-button").filter(has_text=re.compile(r"^\s*play\s*$")).first
    before = len(page.evaluate("() => window.__nnlibBench.src"))
    button.click()
    page.wait_for_function("(n) => window.__nnlibBench.src.length > n", arg=before,
                           timeout=30_000)
    start = page.evaluate("() => performance.now()")
    page.wait_for_timeout(PLAY_SECONDS * 1e3)
    end = page.evaluate("() => performance.now()")
    page.locator(".widget-button").filter(has_text=re.compile(r"^\s*pause\s*$")).first.click()
    tb.wait_until_idle(page)
    log = page.evaluate("() => { const l = window.__nnlibBench; l.stop(); return l; }")
    png = page.evaluate(IMAGE_BYTES, image)

    in_window = [t for t in log["src"] if start <= t < end]
    # on screen: an animation frame showing a new picture, loaded
    shown, previous = [], None
    for t, complete, src, _ in log["frames"]:
        if complete and src != previous and start <= t < end:
            shown.append(t)
        if complete:
            previous = src
    steps = [(t, int(m.group(1))) for t, _, _, text in log["frames"]
             if start <= t < end and (m := re.match(r"\s*step (\d+) of", text))]
    shown_rate, counts = _per_second(shown, start, end)
    src_rate, _ = _per_second(in_window, start, end)
    gaps = [b - a for a, b in zip(in_window, in_window[1:])]
    decode = [next(load for load in log["load"] if load >= t) - t for t in in_window
              if any(load >= t for load in log["load"])]
    # the clock's tick (front end) to the new picture: the kernel's update and the wire
    ticks = [t for t, _, _ in log["ticks"] if start <= t < end]
    round_trips = [min(s for s in in_window if s >= t) - t for t in ticks
                   if any(s >= t for s in in_window)]
    splits = []
    for s in in_window:
        before = [t for t in ticks if t <= s]
        if before:
            splits.append(_split(log, before[-1], s))
    steps_per_s = ((steps[-1][1] - steps[0][1]) / ((steps[-1][0] - steps[0][0]) / 1e3)
                   if len(steps) > 1 and steps[-1][0] > steps[0][0] else float("nan"))
    intervals = sorted({i for _, _, i in log["ticks"]})
    return {
        "rate": shown_rate, "counts": counts, "src_rate": src_rate, "steps_per_s": steps_per_s,
        "gap": statistics.median(gaps) if gaps else float("nan"),
        "decode": statistics.median(decode) if decode else float("nan"),
        "round_trip": statistics.median(round_trips) if round_trips else None,
        "interval": intervals or ([interval] if interval else None), "png": png,
        "size": image.evaluate("img => [img.naturalWidth, img.naturalHeight]"),
        "rafs": len(log["frames"]), "split": _medians(splits),
    }


def measure_slider(tb, page, node, presses=SLIDER_PRESSES):
    """ArrowRight on the learning-rate slider's handle `presses` times; each time, the
    time from the key's event to the figure's new src (and to its load), in the page."""
    counter = node.query_selector(".nnlib-bench-counter")
    image = node.query_selector("img.nnlib-bench-figure")
    page.evaluate(INSTALL, [image, counter])
    slider = page.locator(".widget-slider", has=page.locator("label", has_text="learning rate"))
    readout = slider.locator(".widget-readout")
    values = [readout.inner_text()]
    slider.locator(".noUi-handle").first.focus()
    latencies, loaded, walls, splits = [], [], [], []
    for _ in range(presses):
        src = image.get_attribute("src")
        started = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("([img, before]) => img.getAttribute('src') !== before",
                               arg=[image, src], timeout=30_000)
        walls.append(time.perf_counter() - started)
        tb.wait_until_idle(page)
        log = page.evaluate("() => window.__nnlibBench")
        key = log["keys"][-1]
        new = min(t for t in log["src"] if t >= key)
        latencies.append(new - key)
        splits.append(_split(log, key, new))
        loads = [t for t in log["load"] if t >= new]
        if loads:
            loaded.append(loads[0] - key)
        values.append(readout.inner_text())
        if DEBUG:
            Path(DEBUG).write_text(json.dumps({"key": key, "src": new, "log": log}, indent=1))
    page.evaluate("() => window.__nnlibBench.stop()")
    return {"median": statistics.median(latencies), "max": max(latencies),
            "loaded": statistics.median(loaded) if loaded else float("nan"),
            "wall": statistics.median(walls), "n": presses, "values": values,
            "split": _medians(splits)}


def _where(split):
    """The medians of `_split`'s parts, in words."""
    if split is None:
        return ""
    out, kernel, front, size = split
    return (f"; medians: front end to the message out {out:.0f} ms, kernel and wire to the "
            f"picture's message ({size / 1024:.0f} KiB) {kernel:.0f} ms, front end from it to "
            f"the new src {front:.0f} ms")


def _load():
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def measure():
    """Both measurements in one session; raises if the browser or the server fails."""
    tb = _test_browser()
    workdir = tempfile.mkdtemp(prefix="nnlib-bench-browser-")
    try:
        load_before = _load()
        with _session(tb, workdir) as (page, node, run_all):
            play = measure_play(tb, page, node)
            slider = measure_slider(tb, page, node)
        return play, slider, run_all, load_before, _load()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def in_the_browser():
    """make bench's hook: the bench's Play and learning-rate slider in JupyterLab and
    Chromium, as the issue's targets put them; a sentence instead if they cannot run."""
    try:
        play, slider, run_all, load_before, load_after = measure()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001  (pytest's skip is a BaseException)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return {f"{KEY}: bench Play and learning-rate slider": (
            f"not measured: {type(exc).__name__}: {reason[:300]}")}
    ms = 1e3
    interval = ("clock interval " + "/".join(f"{i} ms" for i in play["interval"])
                if play["interval"] else "clock interval unknown")
    trip = (f"clock tick to new picture (kernel and wire) median {play['round_trip']:.0f} ms, "
            if play["round_trip"] is not None else "")
    rate = play["rate"]
    return {
        f"{KEY}: bench Play, pictures on screen per second (median of "
        f"{len(play['counts'])} one-second windows)":
            f"{rate:.1f} (target ≥ 10: {'met' if rate >= 10 else 'missed'}; per window "
            f"{play['counts']}; {play['src_rate']:.1f} new src per second, "
            f"{play['steps_per_s']:.0f} training steps per second; {interval}, median gap "
            f"between pictures {play['gap']:.0f} ms, {trip}src to decoded picture "
            f"{play['decode']:.0f} ms; PNG {play['png'] / 1024:.0f} KiB, "
            f"{play['size'][0]}×{play['size'][1]} px{_where(play['split'])})",
        f"{KEY}: learning-rate slider, ArrowRight to the new picture (median of "
        f"{slider['n']}, lr {slider['values'][0]} → {slider['values'][-1]})":
            f"{slider['median']:.0f} ms (target ≤ 100 ms: "
            f"{'met' if slider['median'] <= 100 else 'missed'}; slowest "
            f"{slider['max']:.0f} ms; to the decoded picture {slider['loaded']:.0f} ms; "
            f"as Playwright sees it {slider['wall'] * ms:.0f} ms{_where(slider['split'])})",
        f"{KEY}: Run All of lesson 08, and the load average (1, 5, 15 min)":
            f"{run_all:.1f} s; load {load_before} before, {load_after} after",
    }


HOOKS = [in_the_browser]


if __name__ == "__main__":
    for name, value in in_the_browser().items():
        print(f"- {name}: {value}")
