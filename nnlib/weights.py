"""FlatWeights: every parameter in one contiguous vector, each layer a view into it."""


import numpy as np

from ._validate import integer_at_least


class FlatWeights:
    """One 1-D float64 buffer `.flat` and a list `.views` of arrays shaped `shapes`.

    Each view shares memory with `.flat`: `views[0][:] = 1` or `views[0] *= 2`
    changes `.flat`, and `flat -= lr * grad` changes every view. Rebinding a
    name (`W = W - 1`) makes a new array and breaks that link, so `.flat` itself
    cannot be rebound: assign in place with `.flat[:] = values`.

    shapes: a sequence of tuples of integers ≥ 0, e.g. [(3, 2), (3,), (1, 3), (1,)].
    flat:   optional existing 1-D float64 buffer of the right size to wrap (no copy).
    """

    def __init__(self, shapes, flat=None):
        self.shapes = _check_shapes(shapes)
        sizes = [int(np.prod(shape)) for shape in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        size = int(self.offsets[-1])
        if flat is None:
            flat = np.zeros(size)
        elif not (isinstance(flat, np.ndarray) and flat.dtype == np.float64
                  and flat.ndim == 1 and flat.flags.c_contiguous):
            raise TypeError("flat must be a contiguous 1-D float64 NumPy array")
        elif flat.size != size:
            raise ValueError(f"flat has {flat.size} entries, the shapes need {size}")
        self._flat = flat
        self.views = self.split(flat)

    @property
    def flat(self):
        """The 1-D buffer holding every parameter; every view looks into it."""
        return self._flat

    @flat.setter
    def flat(self, value):
        if value is self._flat:  # `weights.flat -= step` updates in place, then assigns it back
            return
        raise AttributeError(
            "weights.flat cannot be rebound: the per-layer views would keep looking at the "
            "old buffer. Assign in place instead: weights.flat[:] = values")

    @property
    def size(self):
        """Number of parameters (length of `.flat`)."""
        return self._flat.size

    def split(self, vector):
        """Views into any 1-D `vector` laid out like `.flat` (e.g. a gradient), one per shape."""
        if not isinstance(vector, np.ndarray):
            raise TypeError(f"vector must be a NumPy array (split returns views into it), "
                            f"got {type(vector).__name__}; use np.asarray(vector) first")
        if vector.shape != (self.offsets[-1],):
            raise ValueError(f"vector has shape {vector.shape}, expected ({self.offsets[-1]},)")
        return [vector[start:stop].reshape(shape)
                for start, stop, shape in zip(self.offsets[:-1], self.offsets[1:], self.shapes)]

    def copy(self):
        """A new FlatWeights with its own buffer holding the same values."""
        return FlatWeights(self.shapes, self._flat.copy())

    def __repr__(self):
        return f"FlatWeights(shapes={self.shapes}, size={self.size})"


def _check_shapes(shapes):
    """`shapes` as a list of tuples of Python ints ≥ 0, or an error naming the bad entry."""
    example = "a list of shape tuples like [(3, 2), (3,)]"
    if isinstance(shapes, (str, bytes)) or not hasattr(shapes, "__iter__"):
        raise TypeError(f"shapes must be {example}, got {shapes!r}")
    checked = []
    for shape in shapes:
        if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
            raise TypeError(f"shapes must be {example}; the entry {shape!r} is not a tuple"
                            f" (a vector of {shape!r} entries is ({shape!r},))")
        shape = tuple(shape)
        checked.append(tuple(integer_at_least("shapes: every dimension", n, 0,
                                              f"an integer ≥ 0 (in {shape!r})")
                             for n in shape))
    return checked
