"""Colab: the pins of its runtimes (tools/colab_pins.py) and the setup cell in a real kernel."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_pins  # noqa: E402
from colab_cells import setup_source  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "pip-freeze-sample.txt"
PIN_FILES = {"current": ROOT / "requirements-colab.txt",
             "2026.07": ROOT / "requirements-colab-2026.07.txt"}


def pinned(text):
    """{name: version} of the `name==version` lines of a pin file."""
    return {m.group(1): m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)", text, flags=re.MULTILINE)}


def run_pins(*args):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "colab_pins.py"), *args],
                          capture_output=True, text=True, cwd=ROOT)


# -- tools/colab_pins.py: a pip freeze becomes the pins ---------------------------------------

def test_pin_writes_every_course_package_from_the_freeze(tmp_path):
    out = tmp_path / "pins.txt"
    result = run_pins("pin", str(SAMPLE), "--runtime", "2026.07", "--source", "the sample, 2026-02",
                      "--date", "2026-12-01", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert pinned(text) == {"numpy": "2.0.2", "scipy": "1.16.3", "matplotlib": "3.10.0",
                            "scikit-learn": "1.6.1", "seaborn": "0.13.2", "ipywidgets": "7.7.1",
                            "ipython": "7.34.0", "ipykernel": "6.17.1", "pillow": "11.3.0"}
    # Pillow and scikit_learn are found under PyPI's names; other packages are left out
    assert "absl" not in text and "torch" not in text and "matplotlib-inline" not in text
    assert "# Runtime: 2026.07\n" in text
    assert "# Python: 3.12\n" in text, "read off the freeze's cp312 wheels"
    assert "# Source: the sample, 2026-02\n" in text and "2026-12-01" in text
    assert text.rstrip().endswith("nbclient>=0.10\nnbformat>=5.9")


def test_set_pins_a_version_the_freeze_lacks_and_says_where_it_is_from():
    text = colab_pins.pins(SAMPLE.read_text(), "current", "3.13", "the sample", "2026-12-01",
                           sets=["numpy==2.1.3"], set_source="the issue")
    assert "numpy==2.1.3  # (*)\n" in text and "scipy==1.16.3\n" in text
    assert "# Except the versions marked (*), which come from: the issue" in text
    assert "# Python: 3.13\n" in text


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("seaborn==0.13.2\n", ""), "found none for seaborn"),
    (lambda t: "nothing here\n", "found no such line"),
])
def test_pin_refuses_a_freeze_it_cannot_pin_from(tmp_path, change, message):
    freeze = tmp_path / "pip-freeze.txt"
    freeze.write_text(change(SAMPLE.read_text()))
    result = run_pins("pin", str(freeze), "--runtime", "current", "--python", "3.13",
                      "--source", "x")
    assert result.returncode == 2 and result.stdout == ""
    assert message in result.stderr and str(freeze) in result.stderr


@pytest.mark.parametrize("kwargs, message", [
    ({"python": "3"}, "--python: expected the runtime's Python as 3.N (3.13), got '3'"),
    ({"source": " "}, "--source: expected where the freeze comes from"),
    ({"sets": ["numpy=2.1.3"], "set_source": "x"}, "--set: expected name==version"),
    ({"sets": ["torch==2.10.0"], "set_source": "x"}, "'torch' is not one of the course's packages"),
    ({"sets": ["numpy==2.1.3"]}, "--set-source: expected where the --set versions come from"),
])
def test_pin_arguments_are_checked(kwargs, message):
    args = {"runtime": "current", "python": "3.13", "source": "s", "date": "2026-12-01", **kwargs}
    with pytest.raises(colab_pins.PinError, match=re.escape(message)):
        colab_pins.pins(SAMPLE.read_text(), **args)


def test_course_packages_include_every_dependency_of_nnlib():
    text = (ROOT / "pyproject.toml").read_text()
    dependencies = re.search(r"^dependencies = \[(.*?)\]", text, re.MULTILINE | re.DOTALL).group(1)
    names = {colab_pins.normalize(re.split(r"[<>=!~]", d)[0]) for d in re.findall(r'"([^"]+)"', dependencies)}
    assert names and names <= set(colab_pins.COURSE_PACKAGES)


# -- the committed pin files --------------------------------------------------------------------

@pytest.mark.parametrize("runtime, python, numpy, commit", [("current", "3.13", "2.1.3", "a724079"),
                                                            ("2026.07", "3.12", "2.0.2", "ec53f93")])
def test_pin_files_pin_the_course_packages_of_each_runtime(runtime, python, numpy, commit):
    text = PIN_FILES[runtime].read_text()
    versions = pinned(text)
    assert sorted(versions) == sorted(colab_pins.COURSE_PACKAGES)
    assert versions["numpy"] == numpy and versions["scipy"] == "1.16.3"  # as the issue reads them
    assert f"# Runtime: {runtime}\n" in text and f"# Python: {python}\n" in text
    assert f"# Source: googlecolab/backend-info pip-freeze.txt at commit {commit} " in text
    assert "(*)" not in text, "every version comes from the runtime's own pip-freeze.txt"
    assert "nbclient>=0.10" in text and "nbformat>=5.9" in text


def test_make_test_colab_runs_every_pin_file():
    makefile = (ROOT / "Makefile").read_text()
    runtimes = re.search(r"^COLAB_RUNTIMES\s*:=\s*(.+)$", makefile, re.MULTILINE).group(1).split()
    assert runtimes == list(PIN_FILES)
    for runtime, path in PIN_FILES.items():
        assert f"$(COLAB)/{runtime}/.ready: {path.name}" in makefile
    assert sorted(ROOT.glob("requirements-colab*.txt")) == sorted(PIN_FILES.values())


# -- which Python builds each environment ---------------------------------------------------------

def fake_python(path, version, works=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n" if works else "#!/bin/sh\nexit 127\n")
    path.chmod(0o755)
    return path


def test_python_prefers_the_runtime_python_on_path_then_pyenv_then_the_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert colab_pins.choose_python("3.99", "python3") == ("python3", False)
    fake_python(tmp_path / "pyenv/versions/3.99.1/bin/python3.99", "3.99")
    newest = fake_python(tmp_path / "pyenv/versions/3.99.10/bin/python3.99", "3.99")
    fake_python(tmp_path / "pyenv/versions/3.9.18/bin/python3.9", "3.9")
    fake_python(tmp_path / "bin/python3.99", "3.99", works=False)  # a pyenv shim, not active
    assert colab_pins.choose_python("3.99", "python3") == (str(newest), True)
    on_path = fake_python(tmp_path / "bin/python3.99", "3.99")
    assert colab_pins.choose_python("3.99", "python3") == (str(on_path), True)


def test_python_command_says_when_it_falls_back(tmp_path):
    pins = tmp_path / "pins.txt"
    pins.write_text("# Runtime: future\n# Python: 3.99\nnumpy==9.9\n")
    result = run_pins("python", str(pins), "--fallback", sys.executable)
    assert result.returncode == 0 and result.stdout.strip() == sys.executable
    assert "Colab runs Python 3.99, which this machine lacks" in result.stderr
    assert f"using {sys.executable}" in result.stderr


def test_runs_says_which_python_runs_the_pins(tmp_path):
    here = "%d.%d" % sys.version_info[:2]
    for version, verdict in [(here, "(Colab's Python)"), ("3.99", "(NOT Colab's Python 3.99")]:
        pins = tmp_path / f"pins-{version}.txt"
        pins.write_text(f"# Runtime: current\n# Python: {version}\n")
        result = run_pins("runs", str(pins))
        assert result.returncode == 0
        assert f"Colab's current runtime, run with Python {here}." in result.stdout
        assert verdict in result.stdout
    result = run_pins("runs", str(ROOT / "README.md"))
    assert result.returncode == 2 and "expected a `# Python:` header line" in result.stderr


# -- the Colab setup cell ---------------------------------------------------------------------------

FAKE_COLAB = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'


@pytest.mark.parametrize("repository", ["file:///nonexistent/course", "http://127.0.0.1:9/course"])
def test_setup_cell_in_colab_fails_with_one_sentence_when_the_repository_is_unreachable(
        repository, monkeypatch):
    """In an IPython kernel (as Colab runs it), with google.colab present and pip offline, a
    repository that cannot be reached gives one output: the sentence, with no traceback and
    none of pip's output."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    cell = setup_source({"repository": repository, "branch": "main"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FAKE_COLAB),
                                         nbformat.v4.new_code_cell(cell)])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    assert nb.cells[0].outputs == []
    outputs = nb.cells[1].outputs
    assert len(outputs) == 1 and outputs[0].output_type == "error", outputs
    sentence = (f"Could not install nnlib from {repository} (branch main): to use your copy of "
                "the course, set its address as repository under [tool.course] in pyproject.toml "
                "and run python tools/colab_cells.py notebooks/*.ipynb.")
    assert outputs[0].traceback == [sentence], "what Jupyter and Colab show: the sentence alone"
    assert outputs[0].evalue == sentence
    assert sentence.count(". ") == 0 and sentence.endswith(".")


def test_setup_cell_does_nothing_outside_colab():
    """Without google.colab, the cell starts no process: subprocess cannot even be imported."""
    cell = setup_source({"repository": "file:///nonexistent/course", "branch": "main"})
    script = 'import sys\nsys.modules["subprocess"] = None\n' + cell + '\nprint("done")'
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")
    # and the same code with google.colab present does start pip: the check above can fail
    script = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("g")\n' + script
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "subprocess" in result.stderr
