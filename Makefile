# The course's two commands: `make lab` opens it, `make test` checks all of it.
# Both create .venv with Python's own venv module and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: setup lab test notebooks clean

setup: $(READY)

$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	@touch $(READY)

lab: $(READY)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# Unit tests and every notebook, executed and compared with its stored outputs.
test: $(READY)
	MPLBACKEND=Agg $(BIN)/python -m pytest $(NBVAL) tests notebooks

# Re-execute notebooks in place on a fresh kernel: `make notebooks` or
# `make notebooks NB=notebooks/01_one_dimensional_network.ipynb`.
NB ?= notebooks/*.ipynb
notebooks: $(READY)
	$(BIN)/python tools/run_notebooks.py $(NB)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
