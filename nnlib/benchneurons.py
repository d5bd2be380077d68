"""The bench's per-neuron pictures, as TensorFlow Playground draws them: every hidden
neuron's output over the input plane, one small map per neuron and one row per hidden
layer, in one image. Drawn with NumPy alone (no matplotlib axes), so that a played frame
costs a few milliseconds more, not a figure's worth.
"""

import numpy as np
from matplotlib import colormaps

from ._figures import input_grid, png_bytes

TILE, GAP = 64, 6               # pixels: one neuron's map, and the space between maps
RESOLUTION = 32                 # grid points per side; each map is scaled up to TILE
COLOURS = colormaps["RdBu_r"]   # as the weight maps: blue low, white middle, red high
BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}   # the other activations: ± the largest |a|
NEURON_ALT = ("Each hidden neuron's output over the input plane (first input across, second "
              "up; for one input, across only): one small map per neuron, one row per hidden "
              "layer, blue where the output is low and red where it is high.")


def hidden_outputs(net, X, resolution=RESOLUTION):
    """Each hidden layer's outputs on a grid over the first two inputs of X (the others at
    0; one input: along x): a list of arrays (rows, resolution, n_l), rows = resolution,
    or 1 for one input. NaN or inf where a diverged net overflows."""
    if X.shape[1] == 1:
        points = np.linspace(X[:, 0].min(), X[:, 0].max(), resolution).reshape(-1, 1)
        rows = 1
    else:
        points, rows = input_grid(X, resolution)[2], resolution
    with np.errstate(all="ignore"):
        _, As = net.forward_all(points)
    return [A.reshape(rows, resolution, -1) for A in As[1:-1]]


def colour_range(net, outputs):
    """(low, high) of one layer's colour scale: the activation's own range where it has one
    (sigmoid, tanh), else ± the largest finite |output| of the layer."""
    if net.activation.name in BOUNDED:
        return BOUNDED[net.activation.name]
    finite = np.abs(outputs[np.isfinite(outputs)])
    largest = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return -largest, largest


def neuron_pixels(net, X, resolution=RESOLUTION):
    """The mosaic as RGB pixels (height, width, 3) uint8 of a net with hidden layers:
    row l − 1 holds the neurons of a_l, each a TILE × TILE map (TILE/4 high for one input) with x₁ upwards; a
    non-finite output is grey."""
    layers = hidden_outputs(net, X, resolution)
    widest = max(A.shape[2] for A in layers)
    rows = layers[0].shape[0]
    height = TILE if rows > 1 else TILE // 4
    pixels = np.full((len(layers) * (height + GAP) - GAP, widest * (TILE + GAP) - GAP, 3),
                     255, dtype=np.uint8)
    scale_y, scale_x = np.arange(height) * rows // height, np.arange(TILE) * resolution // TILE
    for row, outputs in enumerate(layers):
        low, high = colour_range(net, outputs)
        with np.errstate(all="ignore"):
            shade = COLOURS(np.clip((outputs - low) / (high - low), 0.0, 1.0), bytes=True)[..., :3]
        shade[~np.isfinite(outputs)] = 128
        shade = shade[::-1][scale_y][:, scale_x]       # x₁ up, then scaled to the tile
        top = row * (height + GAP)
        for j in range(outputs.shape[2]):
            left = j * (TILE + GAP)
            pixels[top:top + height, left:left + TILE] = shade[:, :, j]
    return pixels


def neuron_png(net, X, resolution=RESOLUTION):
    """The mosaic as PNG bytes, compressed for speed (zlib level 1)."""
    return png_bytes(neuron_pixels(net, X, resolution), compress_level=1)


def neuron_caption(net):
    """What the mosaic shows for `net`: its rows, neurons and colour scale, in words."""
    if len(net.sizes) < 3:
        return "No hidden layer: the output neuron is the only one, and its map is above."
    rows = ", ".join(f"row {l}: the {n} neurons of a_{l}" for l, n in enumerate(net.sizes[1:-1], 1))
    if net.activation.name in BOUNDED:
        low, high = BOUNDED[net.activation.name]
        scale = f"blue {low:g}, white {(low + high) / 2:g}, red {high:g}"
    else:
        scale = "blue −m, white 0, red +m, m the layer's largest |output|"
    return f"Hidden neurons, each one's output over the input plane ({rows}): {scale}."
