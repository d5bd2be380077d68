"""The test bench's settings: the controls' ranges and menus, and the checks that refuse
a value no control could show (never moved silently to a slider's limit)."""

import numbers

import numpy as np

from ._validate import choice
from .benchplots import SMOOTHING
from .data import DATASETS
from .optim import OPTIMIZERS

ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "identity")
MAX_HIDDEN_LAYERS = 5
MAX_WIDTH = 128
# the ranges of the sliders, (min, max, step); the learning rate's in powers of ten
LR_DECADES = (-4, 1, 0.1)
STEPS_RANGE = (10, 2000, 10)
BATCH_RANGE = (1, 256, 1)
SAMPLES_RANGE = (20, 1000, 10)
NOISE_RANGE = (0.0, 0.5, 0.01)


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


def check_settings(dataset, hidden, activation, optimizer, lr, steps, batch_size, n_samples,
                    noise, smoothing):
    """Refuse at the door what a control could not show: never move a value silently."""
    if not isinstance(hidden, str):
        raise TypeError(f"hidden must be text with the layer widths, like '8, 8' (one layer "
                        f"of 8: '8'), got {hidden!r} ({type(hidden).__name__})")
    parse_hidden(hidden)
    choice("dataset", dataset, list(DATASETS))
    choice("activation", activation, ACTIVATIONS)
    choice("optimizer", optimizer, list(OPTIMIZERS))
    choice("smoothing", smoothing, SMOOTHING)
    low, high, _ = LR_DECADES
    in_range("lr", lr, (10.0 ** low, 10.0 ** high, None))
    in_range("steps", steps, STEPS_RANGE, integer=True)
    in_range("batch_size", batch_size, BATCH_RANGE, integer=True)
    in_range("n_samples", n_samples, SAMPLES_RANGE, integer=True)
    in_range("noise", noise, NOISE_RANGE)


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
