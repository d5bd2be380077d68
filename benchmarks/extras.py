"""Timings of the interactive parts: the bench's slider and Play, and the weight movie."""

import statistics
import time

import numpy as np
from browser import in_the_browser  # the bench in JupyterLab and Chromium, as a student meets it

import nnlib
from nnlib import animation
from nnlib.benchlive import MIN_INTERVAL


def slider_latency(changes=20):
    """Median seconds from a learning-rate slider change to the new figure's PNG bytes
    (retrain from the checkpoint, gradient-check readout, redraw), default settings."""
    bench = nnlib.TestBench()
    rates = np.geomspace(1e-3, 1.0, changes)
    times = []
    for lr in rates:
        start = time.perf_counter()
        bench.lr_slider.value = float(lr)  # the observer runs synchronously
        times.append(time.perf_counter() - start)
    return {"learning-rate slider, change to redraw (median of "
            f"{changes})": f"{statistics.median(times) * 1e3:.0f} ms (target ≤ 50 ms: the kernel's "
                             "share of the browser's 100 ms)"}


def play_tick():
    """Seconds per update of the bench's Play on the default settings: what the kernel
    does for each tick of the front end's clock (show the recorded weights of the next
    steps, blit the changed artists, encode the PNG), over one whole run; and the first
    update after a change, which records the run and draws the frame's background."""
    bench = nnlib.TestBench()
    live = bench.live
    start = time.perf_counter()
    live.reset()
    first = time.perf_counter() - start
    live.play()
    times = []
    for value in range(live.tick, live.total + 1, live.tick):
        start = time.perf_counter()
        live.clock.value = value            # as the front end's clock sends it
        times.append(time.perf_counter() - start)
    live.pause()
    return {f"bench Play, kernel time per update ({bench.live.tick} steps each, median of "
            f"{len(times)})": f"{statistics.median(times) * 1e3:.0f} ms, slowest "
                              f"{max(times) * 1e3:.0f} ms (target ≤ {MIN_INTERVAL} ms, the clock's "
                              "fastest interval)",
            "bench Play, first update after a change (record the run, draw the background)":
                f"{first * 1e3:.0f} ms"}


def movie_render(repeats=3):
    """Seconds to build and render a 60-frame weight movie to the HTML player."""
    X, Y = nnlib.data.noisy_halfplane(n=400, seed=0)
    net = nnlib.MLP([15, 1], loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=300, record_every=5)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        anim = animation.animate_weights(history, net, layer=0, max_frames=60)
        animation.to_html(anim, "The input weights of a trained logistic regression, frame by frame.",
                          progress=False)
        times.append(time.perf_counter() - start)
    return {"60-frame weight movie, build + HTML player (median of "
            f"{repeats})": f"{statistics.median(times):.2f} s (target ≤ 3 s)"}


HOOKS = [slider_latency, play_tick, movie_render, in_the_browser]
