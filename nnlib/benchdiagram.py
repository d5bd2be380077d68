"""The bench's network diagram, as TensorFlow Playground draws it: one column of neurons per
activation a₀ (the inputs), a₁, …, a_{L+1} (the output), and every weight (W_l)_{jk} as a
line from neuron k of a_l to neuron j of a_{l+1}, red where it is positive and blue where it
is negative (as the bench's neuron maps), as thick as its size. Each neuron is filled with
the colour of its bias b. A weight of exactly 0 (L1 makes them) is not drawn.

Drawn as SVG text: the browser draws it, so a played frame costs a fraction of a
millisecond here, and it stays sharp at any zoom.
"""

import html

import numpy as np

from ._figures import subscript

POSITIVE, NEGATIVE = "#b2182b", "#2166ac"   # RdBu_r's ends, as the neuron maps and heat maps
COLUMN_GAP, ROW_GAP, RADIUS = 150, 26, 8    # pixels
MAX_HEIGHT = 300                            # rows get closer in wider layers
MARGIN_LEFT, MARGIN_TOP = 60, 34
WIDTH_RANGE = (0.6, 4.0)                    # the thinnest and the thickest line, pixels
DIAGRAM_ALT = ("The network as a diagram: one column of neurons per layer's activation, from "
               "the inputs on the left to the output on the right; each weight a line, red "
               "where it is positive and blue where it is negative, thicker the larger its "
               "size; each neuron filled with the colour of its bias. A missing line is a "
               "weight of exactly 0.")


def _colour(value, limit):
    """An SVG colour for `value` on the scale ±limit: white at 0, POSITIVE or NEGATIVE at
    the ends (blended linearly), grey if it is not finite."""
    if not np.isfinite(value):
        return "#999999"
    end = POSITIVE if value > 0 else NEGATIVE
    share = min(abs(value) / limit, 1.0)
    rgb = [round(255 + (int(end[i:i + 2], 16) - 255) * share) for i in (1, 3, 5)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _positions(sizes):
    """(x, y) of each neuron, one (n_l, 2) array per layer, and the picture's height."""
    row = min(ROW_GAP, MAX_HEIGHT / max(sizes))
    height = row * (max(sizes) - 1) + 2 * MARGIN_TOP
    places = []
    for l, n in enumerate(sizes):
        y = height / 2 + row * (np.arange(n) - (n - 1) / 2)
        places.append(np.column_stack([np.full(n, MARGIN_LEFT + COLUMN_GAP * l), y]))
    return places, height


def network_svg(net, input_names=None):
    """The diagram of `net`'s weights and biases as an SVG string. input_names: one label
    per input (default x₀, x₁, …, as the card numbers neurons)."""
    sizes = list(net.sizes)
    if input_names is None:
        input_names = [f"x{subscript(k)}" for k in range(sizes[0])]
    places, height = _positions(sizes)
    width = MARGIN_LEFT + COLUMN_GAP * (len(sizes) - 1) + MARGIN_LEFT
    finite = [np.abs(p[np.isfinite(p)]) for p in (*net.Ws, *net.bs)]
    weight_limit = max((f.max() for f in finite[:len(net.Ws)] if f.size), default=0.0) or 1.0
    bias_limit = max((f.max() for f in finite[len(net.Ws):] if f.size), default=0.0) or 1.0
    low, high = WIDTH_RANGE
    parts = []
    for l, W in enumerate(net.Ws):
        j, k = np.nonzero(W)                    # exact zeros are not drawn
        w = W[j, k]
        size = np.where(np.isfinite(w), np.minimum(np.abs(w) / weight_limit, 1.0), 1.0)
        colours = np.where(w > 0, POSITIVE, np.where(w < 0, NEGATIVE, "#999999"))
        parts += [f'<line x1="{x1:.0f}" y1="{y1:.1f}" x2="{x2:.0f}" y2="{y2:.1f}" '
                  f'stroke="{colour}" stroke-width="{width:.2f}"/>'
                  for x1, y1, x2, y2, colour, width in zip(
                      *places[l][k].T.tolist(), *places[l + 1][j].T.tolist(), colours.tolist(),
                      (low + (high - low) * size).tolist())]
    for l, place in enumerate(places):
        biases = net.bs[l - 1] if l > 0 else np.zeros(len(place))
        for (x, y), b in zip(place, biases):
            fill = "#ffffff" if l == 0 else _colour(b, bias_limit)
            parts.append(f'<circle cx="{x:.0f}" cy="{y:.1f}" r="{RADIUS}" fill="{fill}" '
                         f'stroke="#333333" stroke-width="1"/>')
        role = "inputs" if l == 0 else "output" if l == len(sizes) - 1 else "hidden"
        parts.append(f'<text x="{place[0, 0]:.0f}" y="16" text-anchor="middle">'
                     f'{role} a{subscript(l)}</text>')
    for (x, y), name in zip(places[0], input_names):
        parts.append(f'<text x="{x - RADIUS - 4:.0f}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{html.escape(name)}</text>')
    for l in range(len(net.Ws)):
        x = MARGIN_LEFT + COLUMN_GAP * (l + 0.5)
        parts.append(f'<text x="{x:.0f}" y="{height - 6:.0f}" text-anchor="middle" '
                     f'fill="#444444">W{subscript(l)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{DIAGRAM_ALT}" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'style="max-width: 100%; height: auto; font: 12px sans-serif">'
            f'<title>{DIAGRAM_ALT}</title>{"".join(parts)}</svg>')
