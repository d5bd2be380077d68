"""Execute notebooks on a fresh kernel each.

    python tools/run_notebooks.py notebooks/01_*.ipynb ...     # store the outputs in place
    python tools/run_notebooks.py --check notebooks/*.ipynb    # only run them; fail on errors

Stored outputs are then exactly what the code produced, minus volatile noise:
widget state and execution timestamps are dropped. Each notebook stores the kernelspec
of the installed python3 kernel, so JupyterLab opens it unmodified.
"""

import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import get_kernel_spec
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNEL = "python3"


def installed_kernelspec(name=KERNEL):
    """The notebook metadata that names the installed kernel `name`, as JupyterLab writes it."""
    spec = get_kernel_spec(name)
    return {"name": name, "display_name": spec.display_name, "language": spec.language}


def run(path, write=True):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name=KERNEL,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    if write:
        nb.metadata.kernelspec = installed_kernelspec()
        nb.metadata.pop("widgets", None)          # widget state: large and volatile
        for cell in nb.cells:
            cell.metadata.pop("execution", None)  # timestamps
        nbformat.write(nb, path)
    return time.perf_counter() - start


def main(args):
    check = "--check" in args
    paths = [Path(a) for a in args if a != "--check"]
    failed = []
    for path in paths:
        try:
            seconds = run(path, write=not check)
            print(f"{path}: ran in {seconds:.1f} s", flush=True)
        except CellExecutionError as error:
            failed.append(path)
            print(f"{path}: FAILED\n{error}", flush=True)
    print(f"{len(paths) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
