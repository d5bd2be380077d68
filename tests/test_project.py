"""The project's own files: requirements agree, notebooks are clean."""

import json
import re
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


def test_notebooks_are_executed_in_order_without_errors():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        nb = json.loads(path.read_text())
        counts = [cell["execution_count"] for cell in nb["cells"]
                  if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]
        assert counts == list(range(1, len(counts) + 1)), f"{path.name}: run it top to bottom"
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", f"{path.name} stores an error"
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
