"""Shared test set-up: a headless plotting backend and reproducible hypothesis runs."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import settings  # noqa: E402

settings.register_profile("course", derandomize=True, deadline=None, max_examples=60)
settings.load_profile("course")
