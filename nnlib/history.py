"""What a training run records, History, and how it fails: TrainingDiverged."""

import numpy as np

from .optim import SCIPY_METHODS


class TrainingDiverged(FloatingPointError):
    """The loss or the weights became NaN or infinite.

    `.history` holds the steps up to that point; `.step` is the number of the update
    after which it happened (0: already before the first step, so not the learning rate).
    """

    def __init__(self, message, history, step):
        super().__init__(message)
        self.history = history
        self.step = step


class History:
    """What one call of `train` recorded.

    losses:         (n_steps,) for 'sgd', 'momentum', 'rmsprop', 'adam': the loss of each step's
                    mini-batch, measured before that step's update (the weights after
                    k steps give losses[k]); for 'lbfgs', 'cg': the full-batch loss
                    after each iteration
    test_losses:    (n_epochs,) loss on `test_data` after each epoch (empty without it)
    snapshots:      (n_frames, n_params) copies of the flat weights, every `record_every`
                    steps (after the step and its callback), first frame before
                    training (None without record_every)
    snapshot_steps: (n_frames,) the step of each snapshot
    """

    def __init__(self, lr, optimizer):
        self.lr = lr
        self.optimizer = optimizer
        self._losses = []
        self._test_losses = []
        self.snapshots = None
        self.snapshot_steps = None
        self._n_frames = 0

    @property
    def losses(self):
        return np.array(self._losses)

    @property
    def test_losses(self):
        return np.array(self._test_losses)

    @property
    def steps(self):
        """Number of optimizer steps taken."""
        return len(self._losses)

    def _start_recording(self, flat, n_frames):
        self.snapshots = np.empty((n_frames, flat.size))
        self.snapshot_steps = np.empty(n_frames, dtype=int)
        self._record(flat, 0)

    def _record(self, flat, step):
        if self._n_frames == len(self.snapshots):
            return
        self.snapshots[self._n_frames] = flat
        self.snapshot_steps[self._n_frames] = step
        self._n_frames += 1

    def _finish_recording(self):
        if self.snapshots is not None:
            self.snapshots = self.snapshots[: self._n_frames]
            self.snapshot_steps = self.snapshot_steps[: self._n_frames]

    def __repr__(self):
        last = f", final loss {self._losses[-1]:.4g}" if self._losses else ""
        return f"<History: {self.steps} steps of {self.optimizer} at lr={self.lr:g}{last}>"


def raise_diverged(history, step, what, cause=None):
    """Raise TrainingDiverged: `what` went wrong after update `step` (0: before the first),
    with what to try, or, where the learning rate is not the cause, what is (`cause`
    overrides the usual advice)."""
    name, lr = history.optimizer, history.lr
    if step == 0:
        where = f"before the first step of {name}"
        advice = ("The learning rate is not the cause, as no step was taken: the inputs or "
                  "the starting weights are too large for this network (scale the inputs, "
                  "or use smaller initial weights).")
    elif name in SCIPY_METHODS:
        where = f"after iteration {step} of {name}"
        advice = (f"{name} takes no learning rate (lr={lr:g} is not used): its line search "
                  "reached weights where the loss overflows; scale the inputs or train fewer "
                  "iterations.")
    else:
        where = f"after step {step} of {name}"
        advice = f"Try a smaller learning rate, e.g. lr={lr / 10:g}."
    raise TrainingDiverged(f"training diverged {where} at lr={lr:g}: {what}. {cause or advice}",
                           history, step)
