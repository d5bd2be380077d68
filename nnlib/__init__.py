"""nnlib: a small NumPy library for learning how neural networks compute and learn.

Conventions, used by every module and every lesson:

- Samples are rows: X has shape (N, n_in), Y has shape (N, n_out). float64.
- Layer l has W of shape (n_out, n_in) (row = the neuron receiving) and b of
  shape (n_out,), so Z = A_prev @ W.T + b and A = f(Z).
- All parameters live in one flat vector, W0, b0, W1, b1, ...; every W and b is a
  view into it, and gradients use the same layout.
- The loss is the mean over samples of a per-sample cost; for "mse" that cost
  is ½‖a − y‖².

>>> import nnlib
>>> net = nnlib.MLP([2, 3, 1], seed=0)
>>> X, Y = nnlib.data.xor()
>>> history = nnlib.train(net, X, Y, optimizer="lbfgs", epochs=200)
"""

from . import animation, data, exercises, plots
from .bench import TestBench
from .gradcheck import GradientCheckReport, gradient_check, numerical_gradient, relative_error
from .network import MLP
from .optim import OPTIMIZERS
from .training import History, TrainingDiverged, train
from .weights import FlatWeights

__all__ = [
    "MLP", "FlatWeights", "TestBench", "train", "History", "TrainingDiverged", "OPTIMIZERS",
    "numerical_gradient", "relative_error", "gradient_check", "GradientCheckReport",
    "animation", "data", "exercises", "plots",
]
