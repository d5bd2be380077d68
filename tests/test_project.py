"""The project's own files: requirements agree."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def names(lines):
    return {re.split(r"[<>=!~ ]", line.strip(), maxsplit=1)[0].lower()
            for line in lines if line.strip() and not line.strip().startswith("#")}


def test_environment_yml_and_requirements_name_the_same_packages():
    requirements = names((ROOT / "requirements.txt").read_text().splitlines())
    text = (ROOT / "environment.yml").read_text()
    dependencies = text.split("dependencies:", 1)[1]  # conda packages, then the pip section
    listed = re.findall(r"^\s+- ([A-Za-z][^\s#]*)", dependencies, flags=re.MULTILINE)
    conda_names = names(listed) - {"python", "pip", "pip:"}
    assert requirements == conda_names



def test_import_nnlib_and_training_load_no_presentation_library():
    """`import nnlib`, an MLP, train and gradient_check load neither pyplot nor the other
    heavy presentation and data libraries; asking for nnlib.plots loads pyplot."""
    script = (
        "import sys, nnlib\n"
        "X, Y = nnlib.data.xor()\n"
        "net = nnlib.MLP([2, 3, 1], seed=0)\n"
        "nnlib.train(net, X, Y, epochs=2)\n"
        "nnlib.gradient_check(net, X, Y)\n"
        "heavy = ['matplotlib.pyplot', 'seaborn', 'PIL', 'ipywidgets', 'sklearn']\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "print(nnlib.plots.__name__, nnlib.TestBench.__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.split("\n")[:2] == ["[]", "nnlib.plots TestBench"], result.stdout
