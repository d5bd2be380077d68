"""The project's own files: requirements agree."""

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

