# The course's two commands: `make lab` opens it, `make test` checks all of it.
# Both create .venv with Python's own venv module and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PYTEST := $(BIN)/python -m pytest -n auto --dist loadscope $(NBVAL)

.PHONY: setup lab test test-rounding test-colab notebooks student grade bench clean

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
test: $(READY)
	$(PYTEST) tests notebooks

# Every notebook again on other BLAS kernels (x86: no FMA) with one thread, so sums are
# rounded differently: a stored output must not hang on the last bits, which differ
# from one machine to the next.
test-rounding: $(READY)
	$(if $(filter x86_64,$(shell uname -m)),OPENBLAS_CORETYPE=Sandybridge) OPENBLAS_NUM_THREADS=1 \
	  $(PYTEST) notebooks

# Re-execute notebooks in place on a fresh kernel: `make notebooks` or
# `make notebooks NB=notebooks/01_one_dimensional_network.ipynb`.
NB ?= notebooks/*.ipynb
notebooks: $(READY)
	$(BIN)/python tools/colab_cells.py $(NB)
	$(BIN)/python tools/run_notebooks.py $(NB)

# For instructors: the student edition (solutions replaced by stubs, folded solutions
# removed, hints kept) in build/student/, each notebook executed; and the grader:
# `make grade NB="submissions/*.ipynb"` prints the table and writes grades.csv.
student: $(READY)
	rm -rf build/student
	$(BIN)/python tools/student_edition.py --out build/student notebooks/*.ipynb

grade: $(READY)
	$(BIN)/python -m nnlib.grade $(NB)

# Every notebook executed with the package versions Google Colab ships
# (requirements-colab.txt) in a second environment; outputs are not compared.
COLAB := .venv-colab
$(COLAB)/.ready: requirements-colab.txt pyproject.toml
	@test -x $(COLAB)/bin/pip || $(PYTHON) -m venv $(COLAB)
	$(COLAB)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-colab.txt
	$(COLAB)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

test-colab: $(COLAB)/.ready
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(COLAB)/bin/python tools/run_notebooks.py --check notebooks/*.ipynb

# Speed, measured side by side in one run: writes docs/benchmarks.md and .png.
bench: $(READY)
	cd benchmarks && ../$(BIN)/python run.py

clean:
	rm -rf $(VENV) $(COLAB) .pytest_cache .hypothesis
