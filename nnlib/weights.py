"""FlatWeights: every parameter in one contiguous vector, each layer a view into it."""

import numpy as np


class FlatWeights:
    """One 1-D float64 buffer `.flat` and a list `.views` of arrays shaped `shapes`.

    Each view shares memory with `.flat`: `views[0][:] = 1` or `views[0] *= 2`
    changes `.flat`, and `flat -= lr * grad` changes every view. Rebinding a
    name (`W = W - 1`) makes a new array and breaks that link.

    shapes: a sequence of tuples, e.g. [(3, 2), (3,), (1, 3), (1,)].
    flat:   optional existing 1-D float64 buffer of the right size to wrap (no copy).
    """

    def __init__(self, shapes, flat=None):
        self.shapes = [tuple(int(n) for n in shape) for shape in shapes]
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
        self.flat = flat
        self.views = self.split(flat)

    @property
    def size(self):
        """Number of parameters (length of `.flat`)."""
        return self.flat.size

    def split(self, vector):
        """Views into any 1-D `vector` laid out like `.flat` (e.g. a gradient), one per shape."""
        if vector.shape != (self.offsets[-1],):
            raise ValueError(f"vector has shape {vector.shape}, expected ({self.offsets[-1]},)")
        return [vector[start:stop].reshape(shape)
                for start, stop, shape in zip(self.offsets[:-1], self.offsets[1:], self.shapes)]

    def copy(self):
        """A new FlatWeights with its own buffer holding the same values."""
        return FlatWeights(self.shapes, self.flat.copy())

    def __repr__(self):
        return f"FlatWeights(shapes={self.shapes}, size={self.size})"
