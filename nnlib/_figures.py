"""What the figure modules share: class colours, the input grid, fast labels, log axes, PNG.

Used by plots.py (lesson figures), benchplots.py (the test bench) and animation.py
(movies of training). Nothing here imports pyplot: figures made with `new_figure`
live on their own Agg canvas, so a notebook never shows them unasked.
"""

import io
import math
import re
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator, NullLocator

from ._validate import integer_at_least

CLASS_COLORS = ("tab:blue", "tab:red")   # samples of class 0 and class 1
# On a map of the predicted probability the samples must stand out from the background
# of their own colour: a pale background, dark edges and a different marker per class.
CLASS_MARKERS = ("o", "^")
POINT_EDGE = "black"
PROBABILITY_CMAP = "RdBu_r"   # 0: blue (class 0), 1: red (class 1)
PROBABILITY_ALPHA = 0.45
PROBABILITY_LABEL = "predicted probability of class 1"
MAX_DECADES = 10   # a log axis is clipped at the top: 1e-1 … 1e9 is plenty to see a blow-up


def new_figure(figsize, dpi, layout=None):
    """A Figure outside pyplot, on an Agg canvas (draw it, read its pixels)."""
    figure = Figure(figsize=figsize, dpi=dpi, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def check_resolution(resolution):
    """A grid of resolution × resolution points needs an integer resolution of at least 2."""
    return integer_at_least("resolution", resolution, 2,
                            "an integer of at least 2 (grid points per axis)")


def input_grid(X, resolution):
    """A grid over the box around the first two inputs of X (N, n_in), 10 % margin.

    Returns g0, g1 (resolution, resolution), the grid's x₀ and x₁ values, and points
    (resolution², n_in), the grid as samples with every other input held at 0.
    """
    corner_lo, corner_hi = X[:, :2].min(axis=0), X[:, :2].max(axis=0)
    pad = 0.1 * (corner_hi - corner_lo) + 1e-9
    lo, hi = corner_lo - pad, corner_hi + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    points = np.zeros((g0.size, X.shape[1]))
    points[:, 0], points[:, 1] = g0.ravel(), g1.ravel()
    return g0, g1, points


def output_on_grid(net, X, resolution):
    """The net's first output over input_grid(X, resolution): g0, g1 and out, each
    (resolution, resolution); NaN or inf where a diverged net overflows."""
    g0, g1, points = input_grid(X, resolution)
    with np.errstate(all="ignore"):
        out = net.forward(points)[:, 0].reshape(g0.shape)
    return g0, g1, out


def grid_extent(g0, g1):
    """(x_lo, x_hi, y_lo, y_hi) of a grid from input_grid, for imshow(extent=...)."""
    return g0[0, 0], g0[0, -1], g1[0, 0], g1[-1, 0]


def probability_colorbar(mappable, ax, label=PROBABILITY_LABEL, **options):
    """A colour bar for the net's output `mappable` (values 0 … 1), labelled as the
    predicted probability of class 1."""
    colorbar = ax.figure.colorbar(mappable, ax=ax, ticks=[0, 0.5, 1], **options)
    colorbar.set_label(label)
    return colorbar


# -- labels that redraw fast --------------------------------------------------------------

def subscript(number):
    """`number` in subscript digits: 12 -> '₁₂'."""
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def fixed_title(ax, text):
    """Set the title at a fixed height: otherwise matplotlib measures the tick labels on
    every draw to place it, a large share of a redraw."""
    return ax.set_title(text, fontsize=11, y=1.0, pad=5)


def fixed_label_positions(ax, x_label_at, y_label_at):
    """Axis labels at fixed places (axes fractions), for the same reason as fixed_title."""
    ax.xaxis.set_label_coords(0.5, x_label_at)
    ax.yaxis.set_label_coords(y_label_at, 0.5)


def colour_key(ax, entries, x, y, columns=1, column_width=0.3, ha="left", fontsize=8.5):
    """A legend as one coloured label per (text, colour) entry, in rows of `columns`
    from (x, y) down, in axes fractions (rows 0.075 apart). Reads like a legend, draws
    several times faster than a Legend (which lays itself out again on every draw).
    Returns the Text artists."""
    return [ax.text(x + column_width * (k % columns), y - 0.075 * (k // columns), f"━ {text}",
                    color=color, fontsize=fontsize, fontweight="bold", transform=ax.transAxes,
                    ha=ha, va="top",
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.7))
            for k, (text, color) in enumerate(entries)]


# -- log axes -------------------------------------------------------------------------------

class FewLogTicks(Locator):
    """Log-axis ticks, at most about five: decades (every k-th for wide ranges), or
    1-2-5 (or finer) steps inside narrow ones, so a curve that spans less than a
    decade still gets numbers."""

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((max(vmin, 1e-300), max(vmax, 1e-300)))
        lo, hi = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
        for subs in ((1.0,), (1.0, 3.0), (1.0, 2.0, 5.0), (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)):
            ticks = np.array([m * 10.0 ** e for e in range(lo, hi + 1) for m in subs])
            if np.count_nonzero((ticks >= vmin) & (ticks <= vmax)) >= 3:
                break
        inside = ticks[(ticks >= vmin) & (ticks <= vmax)]
        if inside.size > 6:  # wide range: every k-th decade
            stride = math.ceil((hi - lo) / 5)
            ticks = 10.0 ** np.arange(stride * math.floor(lo / stride), hi + 1, stride)
        return ticks


def plain_number(value, _position=None):
    """0.05, 2, 300 as they are; 1e-05 as 1e-5 and 1e+135 as 1e135 (short labels)."""
    if 1e-2 <= value < 1e3:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def log_axis(axis):
    """Log scale on `axis` (ax.xaxis or ax.yaxis) with plain-text labels (no mathtext),
    no minor ticks and a handful of major ones: every tick label costs redraw time."""
    (axis.axes.set_yscale if axis is axis.axes.yaxis else axis.axes.set_xscale)("log")
    axis.set_minor_locator(NullLocator())
    axis.set_major_locator(FewLogTicks())
    axis.set_major_formatter(FuncFormatter(plain_number))


def positive_or_nan(values):
    """A float copy of `values` with every value that a log axis cannot show set to NaN."""
    values = np.array(values, dtype=np.float64)
    values[~np.isfinite(values) | (values <= 0)] = np.nan
    return values


def nice_bound(value, up=True):
    """The nearest 1, 2 or 5 × 10^k at or above `value` (at or below if not `up`), value > 0:
    limits that move in steps, so that a figure whose data change a little keeps its axes."""
    decade = 10.0 ** math.floor(math.log10(value))
    steps = [decade * m for m in (0.5, 1, 2, 5, 10)]
    return (min(s for s in steps if s >= value * (1 - 1e-12)) if up
            else max(s for s in steps if s <= value * (1 + 1e-12)))


def steady_limits(kept, low, high, slack):
    """Limits (low, high) that hold the data, or `kept` (the last picture's) while the
    data still fit in them and fill them to within a factor `slack` ≥ 2.5 at each end: a
    slider moved a little then keeps its axes (and the bench's redraw stays cheap). kept
    None: the data's own. Where they must move out, they move as far as a 1, 2 or 5 × 10^k
    within a factor `slack` of the data: room for a run that blows up a little more at the
    next slider step, and limits the same data keep at the next picture."""
    if kept is None:
        return low, high
    old_low, old_high = kept
    if old_low <= low <= old_low * slack and old_high / slack <= high <= old_high:
        return kept
    return (nice_bound(low / slack) if low < old_low else low,
            nice_bound(high * slack, up=False) if high > old_high else high)


def set_log_limits(ax, values, margin, room_below=0.0, snap=False, kept=None,
                   decades=MAX_DECADES):
    """y limits around the finite positive `values`, at most `decades` tall (anchored at the
    smallest value: a loss that blows up keeps its good part), with a factor `margin` of
    room, and the bottom `room_below` of the axes height left free (for a key). snap: the
    data's limits widened to the next 1, 2 or 5 × 10^k (nice_bound). kept: the limits this
    returned for the last picture, kept while the data fill them to within a decade
    (steady_limits). Returns the limits (bottom, top) before the room below; no such
    values: unchanged, returns `kept`."""
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return kept
    lo, hi = values.min(), min(values.max(), values.min() * 10.0 ** decades)
    bottom, top = lo / margin, (hi * margin if hi > lo else lo * 2)
    if snap:
        bottom, top = nice_bound(bottom, up=False), nice_bound(top)
    bottom, top = steady_limits(kept, bottom, top, slack=10.0)
    ax.set_ylim(bottom * (bottom / top) ** (room_below / (1 - room_below)), top)
    return bottom, top


# -- pixels and PNG -------------------------------------------------------------------------

def canvas_pixels(figure):
    """What the figure's Agg canvas holds now: RGB pixels (height, width, 3) uint8, a copy."""
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()


def png_bytes(pixels, colours=None, compress_level=6):
    """RGB pixels (height, width, 3) uint8 as PNG bytes. colours: store at most that many
    colours in a palette (a third of the size for flat-coloured figures); None: full RGB,
    the rows unfiltered and deflated at zlib's `compress_level`: for flat-coloured figures
    about as small as PIL's adaptive row filters make them, and several times faster."""
    if colours is not None:
        from PIL import Image

        image = Image.fromarray(pixels).quantize(colours, method=Image.Quantize.FASTOCTREE)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=compress_level)
        return buffer.getvalue()
    height, width, _ = pixels.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)    # each row: filter 0 (none),
    rows[:, 1:] = pixels.reshape(height, 3 * width)              # then its pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compress_level))
            + _png_chunk(b"IEND", b""))


def _png_chunk(kind, data):
    """One PNG chunk: length, kind, data, and the CRC of kind and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


ALT_MIN_WORDS = 5
# a file name where a description should be: what a site generator puts when it has none
_FILE_NAME = re.compile(r"^\S+\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


def check_alt(alt):
    """`alt` as a figure's alt text: a sentence or more, never a file name."""
    if not isinstance(alt, str):
        raise TypeError(f"alt must be text that says what the figure shows, got "
                        f"{type(alt).__name__}")
    alt = " ".join(alt.split())
    if _FILE_NAME.match(alt) or len(alt.split()) < ALT_MIN_WORDS:
        raise ValueError(f"alt must say what the figure shows and what to notice, in at least "
                         f"{ALT_MIN_WORDS} words, got {alt!r}")
    return alt
