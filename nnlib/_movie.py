"""Movies of training: render the frames of one Figure, play them in HTML, save them as a GIF.

A `Movie` owns a matplotlib Figure and a method `update(k)` that puts frame k's data
on the figure's artists. `to_html(movie)` / `show_html(movie)` give a self-contained
HTML/JavaScript player (base64 PNG frames, no external files or network), and
`save_gif(movie, path)` writes an animated GIF with Pillow: no ffmpeg needed.

Speed: a full redraw of a small figure costs ~50 ms, most of it in text (ticks,
labels, colour bar). A frame here draws only the artists that change over a copy
of the static part drawn once (blitting): ~10 ms.
"""

import base64
import hashlib
import html
import json
import sys
from pathlib import Path
from string import Template

import numpy as np
from matplotlib.image import AxesImage

from ._figures import canvas_pixels, check_alt, png_bytes
from ._validate import positive

PALETTE_COLOURS = 255     # PNG frames of the player in a palette: a third of the bytes
EMBED_LIMIT_MB = 20       # a larger player makes a notebook slow to open and save


class Movie:
    """A movie of training: one Figure, redrawn for each frame by `update(k)`.

    figure: the Figure (on an Agg canvas, outside pyplot); steps (n_frames,): the
    training step of each frame; losses (n_frames,): its loss (NaN where unknown);
    fps: frames per second. Subclasses build the figure and define `update(k)`, which
    sets frame k's data on the artists that change and returns those artists. The
    rest of the figure is drawn once, at the first frame rendered, and the layout
    is fixed from then on; the figure stays an ordinary one that draws as a whole.
    """

    def __init__(self, figure, steps, losses, fps):
        self.figure, self.fps = figure, positive("fps", fps)
        self.steps = np.asarray(steps)
        self.losses = np.asarray(losses, dtype=np.float64)
        self._background = None

    def __len__(self):
        return len(self.steps)

    def __repr__(self):
        return f"<{type(self).__name__}: {len(self)} frames at {self.fps} fps>"

    def update(self, k):
        """Set the artists to frame k; return the artists that change between frames."""
        raise NotImplementedError

    def pixels(self, k):
        """Frame k as RGB pixels, (height, width, 3) uint8."""
        moving = sorted(self.update(k), key=lambda artist: artist.get_zorder())
        if self._background is None:
            self._background = self._draw_background(moving)
        self.figure.canvas.restore_region(self._background)
        for artist in moving:
            self.figure.draw_artist(artist)
        return canvas_pixels(self.figure)

    def _draw_background(self, moving):
        """Draw the figure without the `moving` artists; return a copy of its pixels."""
        self.figure.draw_without_rendering()   # lay out once (constrained layout) ...
        self.figure.set_layout_engine("none")  # ... and keep that layout in every frame
        # canvas.draw() leaves animated artists out, but matplotlib 3.10 still draws
        # animated images: those are hidden as well.
        images = [artist for artist in moving
                  if isinstance(artist, AxesImage) and artist.get_visible()]
        for artist in moving:
            artist.set_animated(True)
        for image in images:
            image.set_visible(False)
        self.figure.canvas.draw()
        background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        for artist in moving:
            artist.set_animated(False)
        for image in images:
            image.set_visible(True)
        return background

    def png(self, k, colours=PALETTE_COLOURS):
        """Frame k as PNG bytes; colours: palette size (None: full RGB)."""
        return png_bytes(self.pixels(k), colours)


class _Progress:
    """A progress bar while frames render: an HTML <progress> element updated in place
    in Jupyter/Colab, a text bar on stderr elsewhere; the HTML one is removed when done."""

    def __init__(self, label, total, enabled=True):
        self.label, self.total, self.enabled, self.handle = label, total, enabled, None
        if enabled:
            try:
                from IPython import get_ipython
                from IPython.display import display
            except ImportError:
                return
            shell = get_ipython()
            if shell is not None and hasattr(shell, "kernel"):
                self.handle = display(self._html(0), display_id=True)

    def _html(self, done):
        from IPython.display import HTML

        return HTML(f"<progress value='{done}' max='{self.total}' style='width:16em'>"
                    f"</progress> {self.label}: frame {done} of {self.total}")

    def frame_done(self, k):
        """Report that frame k (0, 1, …) is rendered."""
        done = k + 1
        if not self.enabled:
            return
        if self.handle is not None:
            if done == self.total or done % 5 == 0:
                self.handle.update(self._html(done))
            return
        bar = "#" * (20 * done // self.total)
        sys.stderr.write(f"\r{self.label}: [{bar:<20}] {done}/{self.total}")
        sys.stderr.write("\n" if done == self.total else "")
        sys.stderr.flush()

    def close(self):
        if self.handle is not None:
            from IPython.display import HTML

            self.handle.update(HTML(""))


def _render(movie, label, progress, frame_of):
    """[frame_of(movie, k) for every frame k], with a progress bar."""
    bar = _Progress(label, len(movie), progress)
    try:
        frames = []
        for k in range(len(movie)):
            frames.append(frame_of(movie, k))
            bar.frame_done(k)
        return frames
    finally:
        bar.close()


# The player: an <img> whose src is swapped between base64 PNG frames, with buttons
# (first, previous, play/pause, next, last), a frame slider and a loop switch. The <img>
# holds frame 0 and its size, so the picture shows before (and without) the script: a
# stored output that a front end shows without running scripts (an untrusted notebook
# in JupyterLab) keeps frame 0 and the hint line, which the script removes when it runs.
# The script finds its player from its own element, not by id: it works wherever and
# whenever the front end attaches the output to the page.
# Accessible (WCAG 2.1 AA): the picture's alt text says what the whole movie shows, and a
# caption line under the controls says it to every reader; the controls are a labelled
# group; every button and the slider has a name a screen reader says (aria-label;
# Play's follows its text, play or pause); all are native controls, so Tab, Enter, Space
# and the arrow keys work them; the slider says "frame k of n"; a focused control shows a
# ring (the <style>, one rule for every player on the page).
_PLAYER = Template("""\
<div class="nnlib-movie" id="$id" style="display:inline-block;max-width:100%;font:13px sans-serif">
<img alt="$alt" src="$first" width="$width" height="$height" style="display:block;max-width:100%;height:auto">
<div data-do="hint" style="margin-top:4px;color:#555">
Frame 1 of $count shown. Run the cell to play the movie.</div>
<style>.nnlib-movie button:focus-visible,.nnlib-movie input:focus-visible\
{outline:2px solid #1a5fb4;outline-offset:2px}</style>
<div data-do="controls" style="display:none;align-items:center;gap:4px;margin-top:4px" \
role="group" aria-label="movie controls">
<button type="button" data-do="first" title="first frame" aria-label="first frame">|&#9664;</button>
<button type="button" data-do="back" title="previous frame" aria-label="previous frame">&#9664;</button>
<button type="button" data-do="play" title="play or pause" aria-label="play" \
style="min-width:4.5em">play</button>
<button type="button" data-do="next" title="next frame" aria-label="next frame">&#9654;</button>
<button type="button" data-do="last" title="last frame" aria-label="last frame">&#9654;|</button>
<input data-do="slider" type="range" min="0" max="$last" value="0" aria-label="frame" \
aria-valuetext="frame 1 of $count" style="flex:1">
<span data-do="label">frame 1 of $count</span>
<label><input data-do="loop" type="checkbox" checked> loop</label>
</div>
<div style="margin-top:4px"><i>Movie.</i> $alt</div>
<script>
(function () {
  var frames = $frames;
  var root = document.currentScript.parentNode;
  function part(name) { return root.querySelector('[data-do="' + name + '"]'); }
  var image = root.querySelector("img"), slider = part("slider"), label = part("label");
  var play = part("play"), loop = part("loop"), k = 0, timer = null;
  part("hint").remove();
  part("controls").style.display = "flex";
  function show(i) {
    k = i;
    image.src = frames[k];
    slider.value = k;
    label.textContent = "frame " + (k + 1) + " of " + frames.length;
    slider.setAttribute("aria-valuetext", label.textContent);
  }
  function name(button, text) {
    button.textContent = text;
    button.setAttribute("aria-label", text);
  }
  function stop() { clearInterval(timer); timer = null; name(play, "play"); }
  function step(d) {
    var i = k + d;
    if (i < 0 || i >= frames.length) {
      if (!loop.checked) { stop(); return; }
      i = (i + frames.length) % frames.length;
    }
    show(i);
  }
  play.onclick = function () {
    if (timer) { stop(); return; }
    if (k === frames.length - 1 && !loop.checked) show(0);
    timer = setInterval(function () { step(1); }, $interval);
    name(play, "pause");
  };
  part("first").onclick = function () { stop(); show(0); };
  part("back").onclick = function () { stop(); step(-1); };
  part("next").onclick = function () { stop(); step(1); };
  part("last").onclick = function () { stop(); show(frames.length - 1); };
  slider.oninput = function () { stop(); show(Number(slider.value)); };
  // the slider's keys, handled here: a front end's own shortcuts (JupyterLab's) may cancel
  // the browser's default action for them
  var keys = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10};
  slider.onkeydown = function (event) {
    var last = frames.length - 1, to = null;
    if (event.key in keys) to = Math.max(0, Math.min(last, k + keys[event.key]));
    if (event.key === "Home") to = 0;
    if (event.key === "End") to = last;
    if (to === null) return;
    event.preventDefault();
    event.stopPropagation();
    stop();
    show(to);
  };
})();
</script>
</div>
""")


def _fps(fps, movie):
    """The playing speed: `fps` if given (a positive number), else the movie's.
    Checks first that `movie` is one."""
    if not isinstance(movie, Movie):
        raise TypeError("movie must be what animate_weights or animate_hidden returns, got "
                        f"{type(movie).__name__}")
    return movie.fps if fps is None else positive("fps", fps)


def to_html(movie, alt, fps=None, progress=True):
    """The movie as a self-contained HTML/JavaScript player: a string.

    alt: what the whole movie shows and what to notice (the picture's alt text and the
    caption under the player). Every frame is embedded as a base64 PNG (palette colours,
    to keep notebooks small); the <img> starts at frame 0 with its width and height, so
    it shows even where the script does not run. fps: playing speed (default: the
    movie's); progress: show a bar while rendering.
    """
    fps = _fps(fps, movie)
    alt = check_alt(alt)
    frames = _render(movie, "rendering", progress, lambda m, k: m.png(k))
    uris = ["data:image/png;base64," + base64.b64encode(png).decode("ascii") for png in frames]
    size_mb = sum(map(len, uris)) / 2**20
    if size_mb > EMBED_LIMIT_MB:
        raise ValueError(f"the player would hold {size_mb:.0f} MB of frames (limit "
                         f"{EMBED_LIMIT_MB} MB): use fewer frames (max_frames) or a lower dpi")
    height, width = movie.pixels(0).shape[:2]
    # the id is the frames' digest: the same movie gets the same id on every run, so a
    # stored notebook does not change when it is executed again
    digest = hashlib.sha1("".join(uris).encode("ascii")).hexdigest()[:12]
    return _PLAYER.substitute(id=f"nnlib-movie-{digest}", first=uris[0], width=width,
                              height=height, alt=html.escape(alt),
                              frames=json.dumps(uris), last=len(uris) - 1, count=len(uris),
                              interval=round(1000 / fps))


def show_html(movie, alt, fps=None, progress=True):
    """The movie's HTML player (see to_html) as a notebook display object: put it last
    in a cell, or pass it to display()."""
    from IPython.display import HTML

    return HTML(to_html(movie, alt, fps=fps, progress=progress))


def save_gif(movie, path, fps=None, progress=True):
    """Write the movie to a looping GIF at `path` (ending in .gif) with Pillow; return
    the Path. fps: playing speed (default: the movie's)."""
    from PIL import Image

    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"save_gif writes GIF files; the path should end in .gif, got {path}")
    fps = _fps(fps, movie)
    frames = _render(movie, f"writing {path.name}", progress,
                     lambda m, k: Image.fromarray(m.pixels(k)))
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:],
                   duration=round(1000 / fps), loop=0)
    return path
