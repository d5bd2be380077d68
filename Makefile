# The course's two commands: `make lab` opens it, `make test` checks all of it.
# Both create .venv with Python's own venv module and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
# the graders' own venv, nbgrader and Otter-Grader (see `make nbgrader` and `make otter` below)
GRADERS       := .venv-graders
GRADERS_READY := $(GRADERS)/.ready
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PYTEST := $(BIN)/python -m pytest -n auto --dist loadscope $(NBVAL)

.PHONY: setup lab lab-student test test-rounding test-colab notebooks student grade nbgrader otter graders bench site axe clean

setup: $(READY)

# (a venv whose creation was interrupted has python but no pip: made again)
# (a venv whose creation was interrupted has python but no pip: it is made again)
$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	@touch $(READY)

# Opens the course index. The first time, setting up .venv takes a few minutes: say so.
# (JupyterLab refuses to run as root unless told to: containers often run as root.)
lab:
	@test -f $(READY) || echo "Setting up $(VENV) (first time only, a few minutes)..."
	@$(MAKE) --no-print-directory setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) \
	  notebooks/00_index.ipynb

# Unit tests and every notebook, executed and compared with its stored outputs.
# (No MPLBACKEND here: notebook kernels inherit it and must keep their inline backend.)
# Test files and notebooks are spread over all cores (pytest-xdist), one file per worker.
# .venv-graders first: tests/test_graders.py and tests/test_otter.py grade a lesson with the
# real nbgrader and Otter-Grader.
test: $(READY) $(GRADERS_READY) site axe
	$(PYTEST) tests notebooks

# Every notebook's outputs compared again under each OpenBLAS kernel this CPU can run
# (x86-64: its own, Haswell, Zen, SkylakeX, Sandybridge, Prescott; one run per kernel that
# differs) with 1 thread and with 2: each sums in its own order, so a stored output must not
# hang on the last bits of rounding, which differ from one machine to the next. Outputs
# only: the unit tests run once, in `make test`.
test-rounding: $(READY)
	$(BIN)/python tools/rounding.py -p no:cacheprovider -q -n auto --dist loadscope $(NBVAL) notebooks

# Re-execute notebooks in place on a fresh kernel: `make notebooks` or
# `make notebooks NB=notebooks/01_one_dimensional_network.ipynb`.
NB ?= notebooks/*.ipynb
notebooks: $(READY)
	$(BIN)/python tools/colab_cells.py $(NB)
	$(BIN)/python tools/run_notebooks.py $(NB)

# The student edition, committed in student/ (the Colab badges and Binder open it): each
# solution replaced by a stub, the hints and the folded worked solution kept below it,
# each notebook executed; run it after changing a lesson (a test fails until you do).
# And the grader:
# `make grade NB="submissions/*.ipynb"` prints the table and writes grades.csv.
student: $(READY)
	rm -rf student
	$(BIN)/python tools/student_edition.py --out student notebooks/*.ipynb

grade: $(READY)
	$(BIN)/python -m nnlib.grade $(NB)

# For learners: the student edition, opened in JupyterLab.
lab-student: $(READY)
	$(BIN)/jupyter lab --notebook-dir=student $(if $(filter 0,$(shell id -u)),--allow-root) \
	  student/00_index.ipynb

# For instructors who grade with nbgrader: the lessons as an nbgrader course in
# build/nbgrader/ (nbgrader_config.py, source/<lesson>/<lesson>.ipynb), solution cells and
# autograded test cells marked as nbgrader expects (tools/nbgrader_course.py); copy
# build/nbgrader/source/* into the course's source/ folder. nbgrader itself lives in its
# own venv, .venv-graders (requirements-graders.txt, with the course's requirements and
# nnlib), so the course's .venv stays as students have it: tests/test_graders.py runs
# nbgrader from there.
$(GRADERS_READY): requirements-graders.txt requirements.txt pyproject.toml
	@test -x $(GRADERS)/bin/pip || $(PYTHON) -m venv $(GRADERS) || { \
	  echo "Could not create $(GRADERS). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(GRADERS)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -r requirements.txt -r requirements-graders.txt -e .
	@touch $@

graders: $(GRADERS_READY)

nbgrader: $(READY)
	rm -rf build/nbgrader
	$(BIN)/python tools/nbgrader_course.py --out build/nbgrader notebooks/*.ipynb

# For instructors who grade with Otter-Grader (on Gradescope, or locally with `otter run`):
# the lessons in Otter Assign's format in build/otter/source/<lesson>/ (tools/otter_course.py:
# one question per exercise, its test made from the lesson's checker), then `otter assign` on
# each, which runs every test on the full lesson and writes build/otter/dist/<lesson>/:
# student/<lesson>.ipynb to hand out, autograder/<lesson>-autograder_<time>.zip for Gradescope.
# Otter-Grader lives in .venv-graders beside nbgrader (requirements-graders.txt says why);
# tests/test_otter.py runs it on lesson 10.
otter: $(READY) $(GRADERS_READY)
	rm -rf build/otter
	$(BIN)/python tools/otter_course.py --out build/otter --otter $(GRADERS)/bin/otter notebooks/*.ipynb

# Every notebook executed with the package versions of Google Colab's runtimes, one
# environment each under .venv-colab/: the current runtime (requirements-colab.txt) and the
# past one a student can pin, 2026.07 (requirements-colab-2026.07.txt). Each environment has
# the Python its pins name where this machine has it (on PATH or in pyenv), else $(PYTHON),
# and the run says which. Outputs are not compared. Re-pin with tools/colab_pins.py.
COLAB          := .venv-colab
COLAB_RUNTIMES := current 2026.07
$(COLAB)/current/.ready: requirements-colab.txt
$(COLAB)/2026.07/.ready: requirements-colab-2026.07.txt
# (made anew each time, so that it has the Python its pins name)
$(COLAB)/%/.ready: pyproject.toml
	@py=$$($(PYTHON) tools/colab_pins.py python $(filter requirements-%,$^) --fallback $(PYTHON)) \
	  && rm -rf $(@D) && $$py -m venv $(@D) || { echo "Could not create $(@D)"; exit 1; }
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check -r $(filter requirements-%,$^)
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# One runtime each, so that `make -j2 test-colab` (as CI runs it) runs both at once.
test-colab: $(COLAB_RUNTIMES:%=test-colab-%)

test-colab-%: $(COLAB)/%/.ready
	@$(COLAB)/$*/bin/python tools/colab_pins.py runs $(call colab_pins,$*)
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(COLAB)/$*/bin/python tools/run_notebooks.py \
	  --check notebooks/*.ipynb
colab_pins = requirements-colab$(if $(filter current,$(1)),,-$(1)).txt

# The course as a static website in build/site/ (tools/build_site.py, site/conf.py): the
# notebooks' stored outputs, never re-executed, built offline with Sphinx + myst-nb in its
# own venv .venv-site (requirements-site.txt), so the course's .venv stays as students
# have it. Rebuilt only when a notebook, the site's sources or the README change.
SITE_VENV := .venv-site
SITE_DONE := build/.site-built
$(SITE_VENV)/.ready: requirements-site.txt
	@test -x $(SITE_VENV)/bin/pip || $(PYTHON) -m venv $(SITE_VENV) || { \
	  echo "Could not create $(SITE_VENV). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(SITE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-site.txt
	@touch $@

$(SITE_DONE): $(SITE_VENV)/.ready tools/build_site.py tools/colab_cells.py $(wildcard site/*.py site/_static/*) \
    $(wildcard notebooks/*.ipynb) pyproject.toml README.md
	$(SITE_VENV)/bin/python tools/build_site.py
	@touch $@

site: $(SITE_DONE)

# axe-core, the accessibility engine tests/test_site.py runs in Chromium on every page of
# the site (WCAG 2.1 A and AA rules): a test dependency from npm, its version pinned in
# package.json and package-lock.json, installed with `npm ci` into node_modules/. Without
# npm this says so and goes on: the test then skips, and fails under CI (CI=true).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: the site's accessibility test needs" \
	  "axe-core from npm. On Debian/Ubuntu: sudo apt-get install npm"; exit 0; }
	npm ci --no-audit --no-fund --ignore-scripts
	@test ! -f $@ || touch $@

axe: $(AXE)

# Speed, measured side by side in one run: writes docs/benchmarks.md and .png. Its "In the
# browser" section times lesson 08's bench as a student meets it, in JupyterLab and Chromium
# (benchmarks/browser.py: Play's pictures per second, slider key to new picture; alone:
# `cd benchmarks && ../.venv/bin/python browser.py`); without Chromium or Playwright it says so.
bench: $(READY)
	cd benchmarks && ../$(BIN)/python run.py

clean:
	rm -rf $(VENV) $(COLAB) $(GRADERS) .pytest_cache .hypothesis
	rm -rf $(SITE_VENV) build/site build/site-src build/site-vendor build/site-doctrees \
	  build/jupyter_execute $(SITE_DONE) node_modules build/nbgrader build/otter
