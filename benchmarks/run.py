"""`make bench`: time nnlib against its alternatives, side by side in one run.

Writes docs/benchmarks.md (tables, machine, versions) and docs/benchmarks.png.
Every figure is the median of several repetitions; a ratio to the GEMM-only bound
is the median of per-round ratios timed side by side, so it means more than the
absolute times on a shared machine.
"""

import collections
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from xml.etree import ElementTree

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from baselines import gemm_only_epoch, per_example_epoch, sklearn_regressor, stacked_tensor_epoch  # noqa: E402
from browser import KEY as BROWSER  # noqa: E402
from common import LR, SIZES, interleaved, median_time, problem  # noqa: E402
from extras import HOOKS  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

import nnlib  # noqa: E402
from nnlib._engine import Engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SLOW_EPOCH = 60.0  # seconds: slower implementations are timed on a few batches and scaled up


def extrapolated(step, n_batches_total, repeats):
    """Seconds per epoch of `step(n_batches)`, from a few batches if an epoch is slow."""
    probe = max(1, min(3, n_batches_total))
    per_batch = median_time(lambda: step(probe), repeats) / probe
    if per_batch * n_batches_total <= SLOW_EPOCH:
        return median_time(lambda: step(None), repeats), False
    return per_batch * n_batches_total, True


def epoch_row(name, sizes, n, batch, repeats):
    X, Y, net = problem(sizes, n)
    start = net.weights.flat.copy()
    n_batches = -(-n // batch)

    def nnlib_epoch():
        net.weights.flat[:] = start
        nnlib.train(net, X, Y, lr=LR, epochs=1, batch_size=batch, seed=0)

    def copies():
        return [W.copy() for W in net.Ws], [b.copy() for b in net.bs]

    model = sklearn_regressor(tuple(sizes[1:-1]), LR, batch)
    Y_sklearn = Y.ravel() if Y.shape[1] == 1 else Y  # it wants one output as a 1-D array
    model.partial_fit(X, Y_sklearn)  # first call allocates and initialises; time the later ones
    scratch = [W.copy() for W in net.Ws]  # the floor with updates changes its weights
    row = {"name": name, "sizes": sizes, "N": n, "B": batch}
    times = interleaved({
        "gemm": lambda: gemm_only_epoch(list(net.Ws), X, batch),
        "floor": lambda: gemm_only_epoch(scratch, X, batch, required=True),
        "nnlib": nnlib_epoch,
        "sklearn": lambda: model.partial_fit(X, Y_sklearn),
    }, 2 * repeats)
    row["rounds"] = len(times["gemm"])
    for key, t in times.items():
        row[key] = float(np.median(t))
        # paired: each round's time over the same round's bound, then the median
        row[f"{key}_ratio"] = float(np.median(t / times["gemm"]))
    row["per_example"], row["per_example_extrapolated"] = extrapolated(
        lambda k: per_example_epoch(*copies(), X, Y, LR, batch, k), n_batches, max(1, repeats // 2))
    row["stacked"], row["stacked_extrapolated"] = extrapolated(
        lambda k: stacked_tensor_epoch(*copies(), X, Y, LR, batch, k), n_batches, repeats)
    return row


def peak_memory(sizes, n, batch):
    """Peak bytes allocated by one training step: nnlib's engine vs the stacked tensor."""
    X, Y, net = problem(sizes, n)
    Xb, Yb = X[:batch], Y[:batch]
    engine = Engine(net)
    engine.loss_and_gradient(Xb, Yb)  # allocates the reusable buffers
    peaks = {}
    for key, step in (("nnlib", lambda: engine.loss_and_gradient(Xb, Yb)),
                      ("stacked", lambda: stacked_tensor_epoch(
                          [W.copy() for W in net.Ws], [b.copy() for b in net.bs],
                          Xb, Yb, LR, batch, 1))):
        tracemalloc.start()
        step()
        peaks[key] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    weights = net.weights.size * 8
    peaks["stacked"] -= weights  # the stacked version copies the weights first: not its fault
    peaks["buffers"] = engine.nbytes
    return peaks


def notebook_suite():
    """Wall time of the whole notebook suite under nbval, as `make test` runs it, the
    pytest summary line, and each notebook's time (the sum of its cells' times)."""
    report = ROOT / ".pytest_cache" / "bench-notebooks.xml"
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "-q",
               f"--junitxml={report}", "notebooks"]
    if _has("xdist"):
        command[3:3] = ["-n", "2", "--dist", "loadscope"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    seconds = time.perf_counter() - start
    per_notebook = collections.Counter()
    for case in ElementTree.parse(report).iter("testcase"):
        name = case.get("classname", "").removeprefix("notebooks.")  # 01_….ipynb
        per_notebook[name] += float(case.get("time", 0))
    summary = result.stdout.strip().splitlines()[-1] if result.stdout else "no output"
    return seconds, summary, per_notebook


def _has(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def machine():
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = "; ".join(f"{i.get('internal_api')} {i.get('version')} ({i.get('threading_layer', '')}"
                     f", {i.get('num_threads')} threads)" for i in threadpool_info()
                     if i.get("user_api") == "blas")
    return {"CPU": cpu, "cores": os.cpu_count(), "BLAS": blas,
            "load average (1, 5, 15 min) at the end": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
            "Python": platform.python_version(),
            "NumPy": np.__version__, "scikit-learn": sklearn.__version__,
            "matplotlib": matplotlib.__version__}


def _time_cell(row, key):
    mark = " (extrapolated)" if row.get(f"{key}_extrapolated") else ""
    return f"{row[key] * 1e3:.1f} ({_ratio(row, key):.2f}×){mark}"


def _ratio(row, key):
    """Time of `key` over the GEMM-only bound: the median of the per-round ratios
    where the two were timed in the same rounds, else the ratio of the medians."""
    return row.get(f"{key}_ratio", row[key] / row["gemm"])


def gemm_flops(row):
    """Floating-point operations of the GEMM-only bound's epoch: three matrix products
    per layer and batch (two for the first layer), 2·B·n_in·n_out each."""
    sizes, batch = row["sizes"], row["B"]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    per_batch = sum((3 if l > 0 else 2) * 2 * batch * n_in * n_out
                    for l, (n_in, n_out) in enumerate(pairs))
    return per_batch * (row["N"] // batch)


def epoch_targets(rows):
    """One line per epoch-time target of the speed issue: met or missed, and by how much."""
    by_name = {r["name"]: r for r in rows}
    lines = []
    for name in ("mid", "wide"):
        r = by_name[name]
        ratio, floor = _ratio(r, "nnlib"), _ratio(r, "floor")
        lines.append(f"{name}: nnlib ≤ 1.25× the GEMM-only bound: {ratio:.2f}×, "
                     f"{'met' if ratio <= 1.25 else 'missed'} (GEMM + σ + update alone: "
                     f"{floor:.2f}×)")
    slower = [r["name"] for r in rows if r["nnlib"] >= r["sklearn"]]
    lines.append("faster than scikit-learn at every size: "
                 + ("met" if not slower else "missed at " + ", ".join(slower)))
    lesson = by_name["lesson"]["nnlib"] * 1e3
    lines.append(f"lesson net epoch < 2 ms: {lesson:.2f} ms, {'met' if lesson < 2 else 'missed'}")
    return lines


def write_report(rows, memory, extras, trick_table, info, path_md, path_png):
    ms = 1e3
    lines = ["# Benchmarks", "", "Written by `make bench` (benchmarks/run.py). One epoch of "
             "mini-batch SGD, sigmoid hidden and output layers, MSE, float64, same initial "
             "weights. Times are medians of several repetitions. nnlib, the two floors and "
             "scikit-learn are timed in turn, round after round, and each ratio is the median "
             "of the per-round ratios, so a change in the machine's load weighs on both sides "
             "alike. "
             "What each trick of the training engine (nnlib/_engine.py) buys: the last "
             "section, from benchmarks/tricks.py.", "",
             "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += ["", "## One epoch (milliseconds; ratio to the GEMM-only bound)", "",
              "The GEMM-only bound's throughput shows how fast the machine was during the run: "
              "on a shared machine it varies from run to run, the ratios much less.", "",
              "GEMM + σ + update adds to the bound the work no SGD epoch can skip: one "
              "sigmoid per unit and sample (`scipy.special.expit` into the same buffers) and "
              "one in-place update of every weight per step.", "",
              "| net | N | B | GEMM-only bound | GEMM + σ + update | nnlib | per-example loop "
              "| stacked (B, j, k) tensor | scikit-learn MLPRegressor |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = " | ".join(_time_cell(r, key) for key in ("floor", "nnlib", "per_example",
                                                           "stacked", "sklearn"))
        lines.append(f"| {r['name']} {r['sizes']} | {r['N']} | {r['B']} | "
                     f"{r['gemm'] * ms:.1f} ({gemm_flops(r) / r['gemm'] / 1e9:.2g} GFLOP/s) "
                     f"| {cells} |")
    lines += ["", "Targets:", ""] + [f"- {line}" for line in epoch_targets(rows)]
    lines += ["", "## Peak memory of one training step, wide net", "",
              f"- nnlib: {memory['nnlib'] / 2**20:.1f} MiB per step, plus "
              f"{memory['buffers'] / 2**20:.1f} MiB of buffers allocated once and reused "
              "(4 arrays of B × width per layer: grows with B · width)",
              f"- stacked tensor: {memory['stacked'] / 2**20:.1f} MiB "
              "(a (B, n_out, n_in) tensor per layer)", ""]
    browser = {k.removeprefix(BROWSER + ": "): v for k, v in extras.items()
               if k.startswith(BROWSER + ": ")}
    tools = {k: v for k, v in extras.items() if not k.startswith(BROWSER + ": ")}
    if tools:
        lines += ["## Lessons and tools", ""] + [f"- {k}: {v}" for k, v in tools.items()] + [""]
    if browser:
        lines += ["## In the browser", "",
                  "The bench of lesson 08 as a student meets it: JupyterLab (the project's "
                  "settings, localhost only) in headless Chromium at 1400×900, after Run All, "
                  "default net (benchmarks/browser.py). Times are taken in the page: key event "
                  "to the figure's new src, pictures on screen per animation frame; the "
                  "machine's load average shows how busy it was.", ""]
        lines += [f"- {k}: {v}" for k, v in browser.items()] + [""]
    lines += ["## What each engine trick buys", "",
              "One SGD epoch of `train` with each trick of nnlib/_engine.py taken away, as the "
              "extra time over the engine's own epoch (benchmarks/tricks.py). The engine keeps "
              "a trick only where it saves at least 10 % on some net.", "", trick_table, ""]
    lines += ["![epoch times](benchmarks.png)", ""]
    path_md.write_text("\n".join(lines))

    fig, ax = plt.subplots(figsize=(8, 4))
    keys = ["gemm", "floor", "nnlib", "stacked", "sklearn", "per_example"]
    labels = ["GEMM-only bound", "GEMM + σ + update", "nnlib", "stacked tensor", "scikit-learn",
              "per-example loop"]
    width = 0.14
    for k, (key, label) in enumerate(zip(keys, labels)):
        ax.bar(np.arange(len(rows)) + (k - 2.5) * width, [_ratio(r, key) for r in rows],
               width, label=label)
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)), [f"{r['name']}\n{r['sizes']}" for r in rows])
    ax.set(ylabel="epoch time / GEMM-only bound", title="One SGD epoch, relative to the GEMM floor")
    ax.axhline(1.0, color="k", linewidth=0.8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path_png, dpi=100)


def main():
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    rows = []
    for name, (sizes, n, batch) in SIZES.items():
        print(f"timing {name} {sizes} ...", flush=True)
        rows.append(epoch_row(name, sizes, n, batch, repeats))
    memory = peak_memory(*SIZES["wide"])
    extras = {}
    if os.environ.get("BENCH_NOTEBOOKS", "1") == "1":
        print("timing the notebook suite ...", flush=True)
        seconds, summary, per_notebook = notebook_suite()
        extras["notebook suite under nbval, 2 workers"] = (f"{seconds:.1f} s wall ({summary}; "
                                                           "target ≤ 60 s)")
        slowest = max(per_notebook, key=per_notebook.get)
        extras["slowest notebook"] = (f"{slowest}, {per_notebook[slowest]:.1f} s (the sum of its "
                                      "cells' times; target ≤ 20 s); all: " + ", ".join(
                                          f"{name[:2]} {t:.1f} s"
                                          for name, t in sorted(per_notebook.items())))
    for hook in HOOKS:
        extras.update(hook())
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    print("timing the engine's tricks (in a fresh process) ...", flush=True)
    # a fresh process, as a new notebook kernel is: this one has allocated and freed
    # gigabytes, after which the allocator serves new arrays without page faults, which
    # would hide what fresh temporaries cost
    trick_table = subprocess.run([sys.executable, "tricks.py"], cwd=Path(__file__).parent,
                                 capture_output=True, text=True, check=True).stdout.strip()
    write_report(rows, memory, extras, trick_table, machine(), docs / "benchmarks.md",
                 docs / "benchmarks.png")
    print((docs / "benchmarks.md").read_text())


if __name__ == "__main__":
    main()
