"""The bench's live training: Play, Pause, Step, Reset, a step counter and a scrubber.

A run is trained once, whole, as today (nnlib.experiments.train_run); the first time it is
played, stepped or scrubbed it is trained again from the same starting weights with the
same settings, recording the flat weights every `record_every` steps (every step for
nets up to RECORD_BUDGET bytes of snapshots), which gives the same numbers step for step
(the same seeded mini-batch order, the same optimizer). Showing step k puts the recorded
weights of step k into the net and draws the run up to step k: its loss curve and
gradient norms so far, its decision map and weight maps at step k.

An ipywidgets `Play` widget (hidden; ipywidgets 7.7.1 and 8 both have it) is the clock:
its front end raises its value every `interval` ms, and each new value is a step to show,
so no thread runs in the kernel. The buttons are plain Buttons, so they have names a
screen reader says and work from the keyboard.
"""

import dataclasses
import time

import numpy as np

from .history import TrainingDiverged
from .training import train

RECORD_BUDGET = 32 * 2 ** 20       # bytes of recorded weights a run may keep
TICKS_PER_RUN = 100                # Play shows a run in about this many updates
MIN_INTERVAL = 60                  # ms between two updates while playing, at least


@dataclasses.dataclass(eq=False)
class Recording:
    """The flat weights of a run every `every` steps: snapshots (k, n_params) at the
    steps `steps` (k,), from step 0 (the starting weights) to the run's last step."""

    steps: np.ndarray
    snapshots: np.ndarray
    every: int

    def weight_limit(self, net):
        """The largest finite |weight| (biases left out) of any recorded step, for one
        colour scale for the whole run; 1.0 if there is none."""
        if not hasattr(self, "_limit"):
            mask = np.zeros(self.snapshots.shape[1])
            for W in net.weights.split(mask)[0::2]:
                W[:] = 1.0
            values = np.abs(self.snapshots[:, mask > 0])
            values = values[np.isfinite(values)]
            self._limit = float(values.max()) if values.size and values.max() > 0 else 1.0
        return self._limit

    def at(self, step):
        """(the recorded step at or before `step`, its flat weights)."""
        i = max(int(np.searchsorted(self.steps, step, side="right")) - 1, 0)
        return int(self.steps[i]), self.snapshots[i]


def record_every(steps, n_params):
    """Record every this many steps, to keep the snapshots within RECORD_BUDGET."""
    return max(1, int(np.ceil(steps * n_params * 8 / RECORD_BUDGET)))


def record_run(net, data, run, checkpoint, seed):
    """Train `net` again from `checkpoint` as `run` was trained (nnlib.train with the
    run's optimizer, lr, regularisation, betas, batch size and `seed`, with a callback as
    train_run has, so the same update formula), recording the weights; returns a Recording and leaves the net
    at the run's last weights."""
    X, Y = data[0], data[1]
    steps = run.history.steps
    every = record_every(steps, checkpoint.size)
    net.weights.flat[:] = checkpoint
    if steps == 0:
        return Recording(np.array([0]), checkpoint[None].copy(), every)
    try:
        history = train(net, X, Y, optimizer=run.optimizer, lr=run.lr, steps=steps,
                        batch_size=run.batch_size, seed=seed, record_every=every,
                        weight_decay=run.weight_decay, l1=run.l1, betas=run.betas,
                        callback=lambda *_: None)
    except TrainingDiverged as exc:
        history = exc.history
    return recording_of(history, net, checkpoint, every)


def recording_of(history, net, checkpoint, every):
    """The Recording of a run trained with record_every=`every` (by nnlib.train or
    train_run), `net` still at its last weights."""
    if history.snapshots is None:              # refused before the first step
        net.weights.flat[:] = checkpoint
        return Recording(np.array([0]), checkpoint[None].copy(), every)
    frames, frame_steps = history.snapshots, history.snapshot_steps
    if frame_steps[-1] != history.steps:       # the last step, off the grid of `every`
        frames = np.vstack([frames, net.weights.flat[None]])
        frame_steps = np.append(frame_steps, history.steps)
    return Recording(frame_steps, frames, every)


class _Prefix:
    """The first `steps` losses of a History, as the figure reads one."""

    def __init__(self, history, steps):
        self.losses = history.losses[:steps]


def run_up_to(run, step):
    """`run` (a BenchRun) cut after `step` steps, for the figure: its losses, gradient
    norms, update ratios, sharpness and test losses so far, and its note only at its end."""
    if step >= run.history.steps:
        return run
    keep, measured = run.test_steps <= step, run.sharpness_steps <= step
    return dataclasses.replace(run, history=_Prefix(run.history, step),
                               grad_norms=run.grad_norms[:step],
                               update_ratios=run.update_ratios[:step],
                               sharpness_steps=run.sharpness_steps[measured],
                               sharpness=run.sharpness[measured],
                               test_steps=run.test_steps[keep],
                               test_losses=run.test_losses[keep], message="")


def steps_per_tick(total):
    """Training steps shown per update of Play (and per press of Step)."""
    return max(1, round(total / TICKS_PER_RUN))


class LiveControls:
    """The Play/Pause/Step/Reset buttons, the step counter, the scrubber and the Play
    clock of one bench; `show(step)` is the bench's method that draws a step."""

    def __init__(self, widgets, name_style, show, guard):
        self._show, self._busy = show, False
        self.total, self.tick = 0, 1
        self.seconds_per_update = None     # the last update's drawing time, in seconds
        button = dict(layout=widgets.Layout(width="auto"))
        self.play_button = widgets.Button(description="play", icon="play",
                                          tooltip="train on, showing every few steps", **button)
        self.pause_button = widgets.Button(description="pause", icon="pause",
                                           tooltip="stop at this step", **button)
        self.step_button = widgets.Button(description="step", icon="step-forward", **button)
        self.start_button = widgets.Button(description="reset to step 0", icon="fast-backward",
                                           tooltip="back to the starting weights", **button)
        self.counter = widgets.HTML(value="step 0 of 0", layout=widgets.Layout(width="auto"))
        self.counter.add_class("nnlib-bench-counter")
        self.scrubber = widgets.IntSlider(value=0, min=0, max=1, step=1,
                                          description="show step", continuous_update=False,
                                          **name_style)
        self.clock = widgets.Play(value=0, min=0, max=1, step=1, interval=MIN_INTERVAL,
                                  description="clock",
                                  layout=widgets.Layout(display="none"))
        self._playing = "playing" if "playing" in self.clock.trait_names() else "_playing"
        self.play_button.on_click(guard(self.play))
        self.pause_button.on_click(guard(self.pause))
        self.step_button.on_click(guard(self.step))
        self.start_button.on_click(guard(self.reset))
        for control in (self.clock, self.scrubber):
            control.observe(guard(lambda control=control: self._moved(control.value)),
                            names="value")
        self.buttons = widgets.HBox([self.play_button, self.pause_button, self.step_button,
                                     self.start_button, self.counter],
                                    layout=widgets.Layout(flex_flow="row wrap",
                                                          align_items="center"))
        self.widget = widgets.VBox([self.buttons, self.scrubber, self.clock])

    # -- state ----------------------------------------------------------------------------
    @property
    def playing(self):
        return bool(getattr(self.clock, self._playing))

    @property
    def step_shown(self):
        return self.scrubber.value

    def new_run(self, total, every, step=None):
        """A new run of `total` steps, recorded every `every` steps: show `step` (default
        its end). Playing goes on, from `step`."""
        self.total, self.tick = total, steps_per_tick(total)
        self.step_button.tooltip = f"train {self.tick} more step(s)"
        step = total if step is None else min(step, total)
        self._busy = True
        try:
            # the clock ends on a whole tick past the end, so that it reaches the end
            # (go() shows the end for it) before it stops
            for control, spacing, end in ((self.scrubber, every, total),
                                          (self.clock, self.tick,
                                           -(-total // self.tick) * self.tick)):
                control.max = max(end, 1)
                control.step = spacing
                control.value = step
        finally:
            self._busy = False
        self._count(step)

    def _count(self, step):
        end = " (the end: raise the training steps to go on)" if step >= self.total else ""
        self.counter.value = (f"<span style='white-space: normal'>step {step} of "
                              f"{self.total}{end}</span>")

    # -- what the controls do ----------------------------------------------------------
    def go(self, step):
        """Show `step` (kept within the run), and move the scrubber and the clock there."""
        step = int(min(max(step, 0), self.total))
        self._busy = True
        try:
            self.scrubber.value = step
            self.clock.value = step
        finally:
            self._busy = False
        self._draw(step)

    def _moved(self, step):
        if not self._busy:
            self.go(step)

    def _draw(self, step):
        started = time.perf_counter()
        self._show(step)
        self._count(step)
        self.seconds_per_update = time.perf_counter() - started
        # a front end ticking faster than the kernel draws would queue up updates
        self.clock.interval = max(MIN_INTERVAL, int(1500 * self.seconds_per_update))

    def play(self):
        """Play on from the step shown (from step 0 at the end of the run)."""
        if self.step_shown >= self.total:
            self.go(0)
        setattr(self.clock, self._playing, True)

    def pause(self):
        setattr(self.clock, self._playing, False)

    def step(self):
        """Pause, and show `tick` steps further."""
        self.pause()
        self.go(self.step_shown + self.tick)

    def reset(self):
        """Pause, and show step 0: the starting weights."""
        self.pause()
        self.go(0)
