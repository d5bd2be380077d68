"""Shared test set-up: a headless plotting backend and reproducible hypothesis runs."""

import matplotlib
from hypothesis import settings

# Agg for this process only: not through MPLBACKEND, which the notebook kernels that
# nbval starts would inherit, losing their inline figures.
matplotlib.use("Agg")

settings.register_profile("course", derandomize=True, deadline=None, max_examples=60)
settings.load_profile("course")
