"""nnlib: a small NumPy library for learning how neural networks compute and learn.

Conventions, used by every module and every lesson:

- Samples are rows: X has shape (N, n_in), Y has shape (N, n_out). float64.
- Layer l has W of shape (n_out, n_in) (row = the neuron receiving) and b of
  shape (n_out,), so Z = A_prev @ W.T + b and A = f(Z).
- All parameters live in one flat vector, W0, b0, W1, b1, ...; every W and b is a
  view into it, and gradients use the same layout.
- The loss is the mean over samples of a per-sample cost; for "mse" that cost
  is ½‖a − y‖².

The public API the lessons use:

- MLP (network.py): forward, forward_all, loss, gradient (backprop, BP1–BP4),
  gradient_per_example; FlatWeights (weights.py): one buffer, per-layer views
- train (training.py), History and TrainingDiverged (history.py); OPTIMIZERS (optim.py)
- numerical_gradient, relative_error, gradient_check (gradcheck.py)
- data: seeded data sets; experiments: train_run and lr_grid_search
- over_seeds and Spread (spread.py): one experiment over several seeds, shown as a spread
- exercises: the lessons' checkers
- plots, animation, benchplots, TestBench (bench.py): figures, movies and the widget
  bench. These load matplotlib (and ipywidgets), so they are imported on first use:
  `import nnlib` alone stays light.

>>> import nnlib
>>> net = nnlib.MLP([2, 3, 1], seed=0)
>>> X, Y = nnlib.data.xor()
>>> history = nnlib.train(net, X, Y, optimizer="lbfgs", epochs=200)
"""

import importlib

from . import data, exercises, experiments
from .gradcheck import GradientCheckReport, gradient_check, numerical_gradient, relative_error
from .history import History, TrainingDiverged
from .network import MLP
from .optim import OPTIMIZERS
from .spread import Spread, over_seeds
from .training import train
from .weights import FlatWeights

_PRESENTATION = ("animation", "bench", "benchplots", "plots")

__all__ = [
    "MLP", "FlatWeights", "TestBench", "train", "History", "TrainingDiverged", "OPTIMIZERS",
    "numerical_gradient", "relative_error", "gradient_check", "GradientCheckReport",
    "over_seeds", "Spread",
    "data", "exercises", "experiments", *_PRESENTATION,
]


def __getattr__(name):
    """Load a presentation module (or TestBench) the first time it is asked for."""
    if name in _PRESENTATION:
        return importlib.import_module(f".{name}", __name__)
    if name == "TestBench":
        return importlib.import_module(".bench", __name__).TestBench
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")
