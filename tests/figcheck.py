"""The figure check: what every figure a lesson shows must pass.

    problems(fig)        -> list of str: one sentence per fault, [] for a good figure
    install(faults)      -> from now on, every figure this Python renders (a notebook's
                            inline figures, savefig) is checked first; faults collects
                            (figure title, sentence) pairs

The faults it finds, each measured on the drawn figure in display pixels:
- two texts overlap (titles, axis labels, tick labels, annotations, a legend, colour bars);
- a legend lies on plotted data (line vertices, points along its segments, scatter points,
  bars);
- a text is smaller than MIN_TEXT_PX on a page MAX_PAGE_PX wide (wider figures are shown
  shrunk to that width);
- two entries of one legend have colours that people with a colour-vision deficiency
  (protanopia, deuteranopia, tritanopia: Machado et al. 2009) or anyone cannot tell apart:
  CIE76 ΔE below MIN_DELTA_E;
- a figure without a title (its own or one on each panel), or an axis whose tick labels
  show but which has no label.
"""

import itertools

import numpy as np
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.colors import to_rgba_array
from matplotlib.patches import Rectangle

MIN_TEXT_PX = 9          # the smallest text a reader can read without zooming
MAX_PAGE_PX = 800        # JupyterLab with its file browser open, and the website, show
                         # figures at most this wide: wider ones shrink, and their text too
OVERLAP_PX = 1.0         # two boxes that share less than this in both directions only touch
MIN_DELTA_E = 10.0       # CIE76 colour difference two legend entries need under every vision
SEGMENT_SAMPLES = 25     # points checked along each segment of a line under a legend

# Machado, Oliveira & Fernandes (2009), severity 1.0, for linear RGB.
CVD = {
    "normal vision": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


# -- what is on the figure ---------------------------------------------------------------------
def _shown(text):
    return text is not None and text.get_visible() and text.get_text().strip() != ""


def _axis_texts(axis):
    """The tick labels the axis really draws (ticks outside the view are not drawn)."""
    labels = []
    for tick in axis._update_ticks():
        labels += [t for t in (tick.label1, tick.label2) if tick.get_visible() and _shown(t)]
    return labels


def _is_colorbar(ax):
    return hasattr(ax, "_colorbar")


def _name(ax):
    if _is_colorbar(ax):
        return f"the colour bar '{ax.get_ylabel() or ax.get_xlabel()}'"
    return f"panel '{ax.get_title()}'" if ax.get_title() else "a panel without a title"


def text_elements(fig, renderer):
    """(description, Bbox in display pixels, font size in points or None) of every text
    element; a legend counts as one element."""
    elements = []

    def add(text, what):
        if _shown(text):
            elements.append((f"{what} '{text.get_text().strip()[:40]}'",
                             text.get_window_extent(renderer), text.get_fontsize()))

    if fig._suptitle is not None:
        add(fig._suptitle, "the figure title")
    for text in fig.texts:
        if text is not fig._suptitle:      # suptitle is one of fig.texts too
            add(text, "the text")
    for legend in fig.legends:
        if legend.get_visible():
            elements.append(("the figure's legend", legend.get_window_extent(renderer), None))
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for title in (ax.title, ax._left_title, ax._right_title):
            add(title, "the title")
        if ax.axison:
            add(ax.xaxis.label, "the x label")
            add(ax.yaxis.label, "the y label")
            for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
                for label in _axis_texts(axis):
                    add(label, f"{_name(ax)}'s {which} tick label")
        for text in ax.texts:
            add(text, "the annotation")
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            elements.append((f"{_name(ax)}'s legend", legend.get_window_extent(renderer), None))
    return elements


def _overlap(a, b):
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > OVERLAP_PX and height > OVERLAP_PX


def _densify(xy, samples=SEGMENT_SAMPLES):
    """Points along every segment of a polyline (n, 2), ends included."""
    if len(xy) < 2:
        return xy
    t = np.linspace(0, 1, samples)[:, None, None]
    return (xy[:-1] + t * (xy[1:] - xy[:-1])).reshape(-1, 2)


def data_points(ax):
    """Display-pixel points of the data drawn on `ax`, inside its frame: every line (along
    its segments), scatter point and bar."""
    frame = ax.get_window_extent()
    shown = []
    for line in ax.lines:
        if line.get_visible() and len(line.get_xydata()):
            xy = line.get_transform().transform(line.get_xydata())
            xy = xy[np.isfinite(xy).all(axis=1)]
            shown.append(_densify(xy) if line.get_linestyle() not in ("None", "", " ") else xy)
    for collection in ax.collections:
        offsets = collection.get_offsets()
        if collection.get_visible() and len(offsets) and len(collection.get_paths()) <= 1:
            shown.append(collection.get_offset_transform().transform(offsets))
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_visible():
            box = patch.get_window_extent()
            shown.append(np.array([[x, y] for x in np.linspace(box.x0, box.x1, 5)
                                   for y in np.linspace(box.y0, box.y1, 5)]))
    if not shown:
        return np.empty((0, 2))
    xy = np.concatenate(shown)
    inside = ((xy[:, 0] >= frame.x0) & (xy[:, 0] <= frame.x1)
              & (xy[:, 1] >= frame.y0) & (xy[:, 1] <= frame.y1))
    return xy[inside]


# -- colours --------------------------------------------------------------------------------------
def _linear(rgb):
    """sRGB colours (n, 3) in 0 … 1 as linear light."""
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(rgb):
    """CIE L*a*b* (D65) of sRGB colours (n, 3) in 0 … 1."""
    xyz = _linear(rgb) @ np.array([[0.4124, 0.3576, 0.1805],
                             [0.2126, 0.7152, 0.0722],
                             [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                     200 * (f[:, 1] - f[:, 2])], axis=1)


def seen_as(rgb, vision):
    """sRGB colours (n, 3) as a person with `vision` (a key of CVD) sees them."""
    linear = np.clip(_linear(rgb) @ CVD[vision].T, 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def delta_e(a, b):
    return float(np.linalg.norm(_lab([a])[0] - _lab([b])[0]))


def _handle_colour(handle):
    """The RGB colour a legend key shows, or None for a key without one."""
    for getter in ("get_color", "get_facecolor", "get_edgecolor"):
        if hasattr(handle, getter):
            try:
                colours = to_rgba_array(getattr(handle, getter)())
            except (ValueError, TypeError):
                continue
            if len(colours) and colours[0, 3] > 0:
                return tuple(colours[0, :3])
    return None


def legend_colour_faults(legend):
    entries = []
    for handle, text in zip(legend.legend_handles, legend.get_texts()):
        colour = _handle_colour(handle)
        if colour is not None:
            entries.append((text.get_text(), colour))
    faults = []
    for (name_a, a), (name_b, b) in itertools.combinations(entries, 2):
        if np.allclose(a, b):
            continue   # the same colour on purpose (told apart by marker or line style)
        for vision in CVD:
            seen = seen_as([a, b], vision)
            difference = delta_e(seen[0], seen[1])
            if difference < MIN_DELTA_E:
                faults.append(f"the legend's colours for '{name_a}' and '{name_b}' are hard to "
                              f"tell apart with {vision} (ΔE {difference:.1f} < {MIN_DELTA_E:g})")
                break
    return faults


# -- the check ------------------------------------------------------------------------------------
def problems(fig):
    """Every fault of the figure `fig`, one sentence each; [] if it passes."""
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    faults = []
    elements = text_elements(fig, renderer)

    scale = min(1.0, MAX_PAGE_PX / (fig.get_figwidth() * fig.dpi))
    small = {}
    for what, _, size in elements:
        if size is not None and size * fig.dpi / 72 * scale < MIN_TEXT_PX - 1e-9:
            kind = what.rsplit(" '", 1)[0] if "tick label" in what else what   # one line per axis
            small.setdefault(kind, size * fig.dpi / 72 * scale)
    faults += [f"{what}{'s are' if 'tick label' in what else ' is'} {px:.1f} px on the page, "
               f"below {MIN_TEXT_PX} px" for what, px in small.items()]
    for (what_a, a, _), (what_b, b, _) in itertools.combinations(elements, 2):
        if _overlap(a, b):
            faults.append(f"{what_a} and {what_b} overlap")

    axes = [ax for ax in fig.axes if ax.get_visible()]
    legends = [(ax, ax.get_legend()) for ax in axes if ax.get_legend() is not None]
    legends += [(ax, legend) for legend in fig.legends for ax in axes]
    for ax, legend in legends:
        if not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        xy = data_points(ax)
        under = np.sum((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1)
                       & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1))
        if under:
            faults.append(f"the legend covers data of {_name(ax)} ({under} points under it)")
    for legend in {id(legend): legend for _, legend in legends}.values():
        faults += legend_colour_faults(legend)

    titled = fig._suptitle is not None and _shown(fig._suptitle)
    panels = [ax for ax in axes if not _is_colorbar(ax) and ax.axison]
    if not titled and panels and not all(ax.get_title() for ax in panels):
        faults.append("the figure has no title, and not every panel has one")
    for ax in axes:
        if not ax.axison:
            continue
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if _axis_texts(axis) and not _shown(axis.label):
                faults.append(f"{_name(ax)}: its {which} axis has tick labels but no label")
    return faults


def install(faults):
    """Check each figure once, as it is first rendered, and append (title, fault) to
    `faults`. Works on every canvas: inline figures, savefig and PNG movie frames."""
    seen = set()
    original = FigureCanvasBase.print_figure

    def print_figure(canvas, *args, **kwargs):
        fig = canvas.figure
        if id(fig) not in seen:
            seen.add(id(fig))
            title = (fig._suptitle.get_text() if fig._suptitle is not None
                     else " / ".join(ax.get_title() for ax in fig.axes if ax.get_title()))
            faults.extend((title or "untitled figure", fault) for fault in problems(fig))
        return original(canvas, *args, **kwargs)

    FigureCanvasBase.print_figure = print_figure
    return faults

