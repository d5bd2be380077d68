"""Execute notebooks in place on a fresh kernel, so stored outputs are what the code produced.

Usage: python tools/run_notebooks.py notebooks/01_*.ipynb ...
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)          # widget state: large and volatile
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    for name in sys.argv[1:]:
        seconds = run(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")
