"""The test bench's settings: the controls' ranges and menus, and the checks that refuse
a value no control could show (never moved silently to a slider's limit)."""

import numbers

import numpy as np

from ._validate import choice
from .benchplots import SMOOTHING
from .data import DATASET_KINDS, DATASETS, REGRESSION
from .optim import OPTIMIZERS
from .training import BETAS as BETA_NAMES

ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "identity")
MAX_HIDDEN_LAYERS = 5
MAX_WIDTH = 128
# the ranges of the sliders, (min, max, step); the learning rate's in powers of ten
LR_DECADES = (-4, 2, 0.1)
STEPS_RANGE = (10, 2000, 10)
SAMPLES_RANGE = (20, 1000, 10)
TRAINING_PERCENT_RANGE = (10, 90, 5)   # the share of the samples used for training, %
NOISE_RANGE = (0.0, 0.5, 0.01)
# regularisation, as Playground offers it: L1 (nnlib.train's l1) or L2 (its weight_decay)
REGULARISATIONS = ("none", "L1", "L2")
REGULARISATION_RATES = (1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)
BETAS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)    # momentum's and RMSprop's β, Adam's β₁ (0: no memory)
BETA2S = (0.9, 0.99, 0.999, 0.9999)         # Adam's β₂
LOSSES = {"cross-entropy": "cross_entropy", "squared error": "mse"}
REGRESSION_LOSS = "squared error"    # the only loss of a regression net (identity output)
TARGET_NAME = "your target"    # the data menu's entry for TestBench(target=...)
INIT_SCHEMES = {"auto": "auto (He for ReLUs, else Xavier)", "xavier": "Xavier",
                "he": "He", "uniform": "uniform ±1/√n_in"}   # nnlib.initializers.INITS
INIT_SCALES = (0.1, 0.5, 1.0, 2.0, 4.0)    # times the Xavier (He for ReLUs) starting weights
# the batch size runs from 1 to the number of training samples (full batch): batch_range
BATCH_MIN = 1
# the bench's grid of learning rates: 10^0.25 apart, as lr_grid_search's, up to the slider's 100
BENCH_GRID_LRS = np.logspace(-4, 2, 25)
BENCH_GRID_LRS.flags.writeable = False

# what the noise slider does, for each data set (see nnlib.data.make_data)
NOISE_MEANING = {
    "toy 1-D": "noise: Gaussian jitter on x, σ = noise × 5 (the inputs span −5 … 5); "
               "the labels stay those of the clean x",
    "XOR": "noise: σ of Gaussian jitter on both inputs of each copy of the four corners "
           "(0 or 1 apart)",
    "circles": "noise: σ of Gaussian jitter on x₀ and x₁ of each point (rings of radius 1 "
               "and 0.5)",
    "moons": "noise: σ of Gaussian jitter on x₀ and x₁ of each point (moons of radius 1)",
    "noisy half-plane": "noise: σ of the 13 extra inputs only (at least 0.001); x₀, x₁ and "
                        "the labels do not change",
    "plane": "noise: σ of Gaussian noise added to each target y = (x₀ + x₁)/2 (values −1 … 1); "
             "the inputs, uniform on [−1, 1]², do not move",
    "gaussians": "noise: σ of Gaussian noise added to each target (six bumps of height ±1); "
                 "the inputs, uniform on [−1, 1]², do not move",
    TARGET_NAME: "noise: σ of Gaussian noise added to each target, y = target(x) + noise; "
                 "the inputs, uniform on [−1, 1], do not move",
}
PROBLEM_NOTES = {   # what the problem type (it follows from the data set) changes
    "classification": "problem type: classification · a sigmoid output, the probability of "
                      "class 1; the map shows it and the 0.5 boundary",
    "regression": "problem type: regression · an identity output and squared-error loss; "
                  "the map shows the output's value, the points their target's",
}


def kind_of(dataset):
    """'classification' or 'regression': the problem type of a data-menu entry."""
    return REGRESSION if dataset == TARGET_NAME else DATASET_KINDS[dataset]


def check_loss(loss, dataset):
    """The loss menu's entry for `dataset`: None means the data's own (cross-entropy for
    classification, squared error for regression); regression takes squared error only."""
    if loss is None:
        return REGRESSION_LOSS if kind_of(dataset) == REGRESSION else "cross-entropy"
    choice("loss", loss, LOSSES)
    if kind_of(dataset) == REGRESSION and loss != REGRESSION_LOSS:
        raise ValueError(f"loss must be {REGRESSION_LOSS!r} (or None) for the regression data "
                         f"{dataset!r}, got {loss!r}: cross-entropy needs labels 0 and 1")
    return loss


def in_range(name, value, limits, integer=False):
    """`value` if it is a number inside the control's range (on its grid of steps, for
    integer sliders), else TypeError/ValueError naming `name` and the range."""
    low, high, step = limits
    kind = numbers.Integral if integer else numbers.Real
    expected = f"{'an integer' if integer else 'a number'} from {low:g} to {high:g}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    if not low <= value <= high:
        raise ValueError(f"{name} must be {expected} (the slider's range), got {value!r}")
    if integer and (value - low) % step:
        raise ValueError(f"{name} must be {expected} in steps of {step}, got {value!r}")
    return value


def batch_range(n_train):
    """The batch-size slider's (min, max, step): up to the whole training set."""
    return (BATCH_MIN, n_train, 1)


def check_batch(batch_size, n_train):
    """batch_size as the slider shows it: None means full batch (n_train); else an integer
    from 1 to n_train, refused naming the range."""
    if batch_size is None:
        return n_train
    try:
        return in_range("batch_size", batch_size, batch_range(n_train), integer=True)
    except ValueError as exc:
        raise ValueError(f"{exc}; {n_train} (or None) is full batch: all {n_train} training "
                         "samples of these data") from None


def check_settings(dataset, hidden, activation, optimizer, lr, steps, n_samples, noise,
                   smoothing, regularisation="none", regularisation_rate=0.01, beta=0.9,
                   beta2=0.999, loss="cross-entropy", init_scale=1.0, target=False,
                   training_percent=75, init="auto"):
    """Refuse at the door what a control could not show: never move a value silently.
    target: True if the bench has a target function (TARGET_NAME is then a data set)."""
    if not isinstance(hidden, str):
        raise TypeError(f"hidden must be text with the layer widths, like '8, 8' (one layer "
                        f"of 8: '8'), got {hidden!r} ({type(hidden).__name__})")
    parse_hidden(hidden)
    choice("dataset", dataset, list(DATASETS) + ([TARGET_NAME] if target else []))
    choice("activation", activation, ACTIVATIONS)
    choice("optimizer", optimizer, list(OPTIMIZERS))
    choice("smoothing", smoothing, SMOOTHING)
    low, high, _ = LR_DECADES
    in_range("lr", lr, (10.0 ** low, 10.0 ** high, None))
    in_range("steps", steps, STEPS_RANGE, integer=True)
    in_range("n_samples", n_samples, SAMPLES_RANGE, integer=True)
    in_range("training_percent", training_percent, TRAINING_PERCENT_RANGE, integer=True)
    in_range("noise", noise, NOISE_RANGE)
    choice("regularisation", regularisation, REGULARISATIONS)
    one_of("regularisation_rate", regularisation_rate, REGULARISATION_RATES)
    one_of("beta", beta, BETAS)
    one_of("beta2", beta2, BETA2S)
    check_loss(loss, dataset)
    one_of("init_scale", init_scale, INIT_SCALES)
    choice("init", init, list(INIT_SCHEMES))


def one_of(name, value, values):
    """Refuse a number the menu of `values` does not offer, naming them."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value not in values:
        raise ValueError(f"{name} must be one of {', '.join(f'{v:g}' for v in values)} "
                         f"(the menu's values), got {value!r}")


def parse_hidden(text):
    """Hidden layer widths from text like "8, 8" (commas or spaces); "" means none.

    Raises ValueError with a message a learner can act on.
    """
    widths = []
    for part in str(text).replace(",", " ").split():
        try:
            width = int(part)
        except ValueError:
            raise ValueError(f"hidden layers: {part!r} is not a whole number; write the widths "
                             "separated by commas, e.g. 8, 8") from None
        if not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"hidden layers: a width of {width} is outside 1 … {MAX_WIDTH}")
        widths.append(width)
    if len(widths) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden layers: {len(widths)} layers is more than this bench "
                         f"trains live (at most {MAX_HIDDEN_LAYERS})")
    return widths


def regularisation_options(regularisation, rate):
    """nnlib.train's keywords for a regularisation-menu entry: {'l1': rate} for 'L1',
    {'weight_decay': rate} for 'L2', {} for 'none'."""
    return {"none": {}, "L1": {"l1": rate}, "L2": {"weight_decay": rate}}[regularisation]


def betas_of(optimizer, beta, beta2):
    """nnlib.train's betas for `optimizer`: as many of (β, β₂) as it has running averages
    ((β,) for momentum and RMSprop, (β₁, β₂) for Adam); None if it has none."""
    return (beta, beta2)[:len(BETA_NAMES.get(optimizer, ()))] or None
