"""Pin the course's packages to the versions a Google Colab runtime ships.

    python tools/colab_pins.py pin pip-freeze.txt --runtime current --python 3.13 \\
        --source "googlecolab/backend-info pip-freeze.txt, commit abc1234 of 2026-08-19" \\
        -o requirements-colab.txt
    python tools/colab_pins.py python requirements-colab.txt --fallback python3
    python tools/colab_pins.py runs requirements-colab.txt

`pin` reads a runtime's `pip freeze` (Colab publishes one for its current runtime in the
googlecolab/backend-info repository, and names the commit of each past runtime it keeps in
that repository's README) and writes the pins `make test-colab` installs: one line for each
package the course imports, under a header that names the runtime, its Python and the source.
`--set numpy==2.1.3` pins a version the freeze does not hold (`--set-source` says where it
came from; its line is marked (*)). `python` prints the interpreter of the Python a pin file
names (on PATH, else from pyenv, else --fallback, saying so); `runs` says which Python runs
the pins.
Standard library only: it runs before any environment exists.
"""

import argparse
import datetime
import glob
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

# Every package the lessons, nnlib and the notebook runner import that Colab ships.
COURSE_PACKAGES = ["numpy", "scipy", "matplotlib", "scikit-learn", "seaborn", "ipywidgets",
                   "ipython", "ipykernel", "pillow"]
# What executes the notebooks outside Colab; not part of Colab's runtime.
RUNNER = ["nbclient>=0.10", "nbformat>=5.9"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
PYTHON_LINE = re.compile(r"^# Python: (3\.\d+)\s*$", re.MULTILINE)
RUNTIME_LINE = re.compile(r"^# Runtime: (.+?)\s*$", re.MULTILINE)


class PinError(Exception):
    """A freeze, pin file or argument that cannot give the pins; the message says why."""


def normalize(name):
    """A package name as PyPI compares them (PEP 503): Pillow, pillow and PILLOW agree."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_freeze(text, where="the freeze"):
    """{normalized name: version} of every `name==version` line; other lines are skipped."""
    versions = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            versions[normalize(match.group(1))] = match.group(2)
    if not versions:
        raise PinError(f"{where}: expected `pip freeze` output (lines like numpy==2.1.3), "
                       "found no such line")
    return versions


def freeze_python(text):
    """The Python version the freeze's wheels were built for (cp312 -> "3.12"), or None."""
    tags = set(re.findall(r"-cp3(\d+)-", text))
    return f"3.{tags.pop()}" if len(tags) == 1 else None


def parse_sets(sets):
    """{normalized name: (name, version)} from --set name==version arguments."""
    parsed = {}
    for item in sets:
        match = PIN.match(item.strip())
        if not match:
            raise PinError(f"--set: expected name==version (numpy==2.1.3), got {item!r}")
        if normalize(match.group(1)) not in COURSE_PACKAGES:
            raise PinError(f"--set: {match.group(1)!r} is not one of the course's packages "
                           f"({', '.join(COURSE_PACKAGES)})")
        parsed[normalize(match.group(1))] = match.group(2)
    return parsed


def comment(text, width=92):
    """Free text as `# ` lines, wrapped."""
    return [f"# {line}" for line in textwrap.wrap(" ".join(text.split()), width - 2)]


def pins(freeze_text, runtime, python, source, date, sets=(), set_source=None,
         where="the freeze"):
    """The text of a pin file for `runtime` from a `pip freeze` text."""
    if not re.fullmatch(r"3\.\d+", python or ""):
        raise PinError(f"--python: expected the runtime's Python as 3.N (3.13), got {python!r}")
    if not source or not source.strip():
        raise PinError("--source: expected where the freeze comes from (repository, file, "
                       "commit and date), got nothing")
    versions = read_freeze(freeze_text, where)
    overrides = parse_sets(sets)
    if overrides and not set_source:
        raise PinError("--set-source: expected where the --set versions come from, got nothing")
    missing = [name for name in COURSE_PACKAGES if name not in versions and name not in overrides]
    if missing:
        raise PinError(f"{where}: expected a version for each course package, found none for "
                       f"{', '.join(missing)} (give it with --set name==version and --set-source)")
    lines = [
        f"# Google Colab's {runtime} runtime, pinned for `make test-colab`: every lesson must run",
        "# with these versions, since the Colab setup cell never upgrades them.",
        f"# Runtime: {runtime}",
        f"# Python: {python}",
        *comment(f"Source: {source}"),
    ]
    if overrides:
        lines += comment(f"Except the versions marked (*), which come from: {set_source}")
    lines += [f"# Written by tools/colab_pins.py on {date}; to re-pin when Colab moves, see the "
              "README.", ""]
    for name in COURSE_PACKAGES:
        if name in overrides:
            lines.append(f"{name}=={overrides[name]}  # (*)")
        else:
            lines.append(f"{name}=={versions[name]}")
    lines += ["", "# to execute the notebooks outside Colab (not part of Colab's runtime)", *RUNNER]
    return "\n".join(lines) + "\n"


def header_value(path, pattern, what):
    text = Path(path).read_text()
    match = pattern.search(text)
    if not match:
        raise PinError(f"{path}: expected a `# {what}:` header line (written by "
                       "tools/colab_pins.py pin), found none")
    return match.group(1)


def python_of(executable):
    """"3.N" of the interpreter `executable`, or None when it does not run (a pyenv shim
    for a version that is not active, for instance)."""
    try:
        result = subprocess.run([executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def pyenv_pythons(version):
    """pyenv's interpreters of `version` (3.13.0, 3.13.1, ...), newest first."""
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found = glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", f"python{version}"))

    def patch(path):
        match = re.search(rf"/{re.escape(version)}\.(\d+)/bin/", path)
        return int(match.group(1)) if match else -1

    return sorted((path for path in found if patch(path) >= 0), key=patch, reverse=True)


def choose_python(version, fallback):
    """(interpreter, True) for Python `version` if the machine has it, else (fallback, False)."""
    on_path = shutil.which(f"python{version}")
    for candidate in ([on_path] if on_path else []) + pyenv_pythons(version):
        if python_of(candidate) == version:
            return candidate, True
    return fallback, False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pin = commands.add_parser("pin", help="write the pins for the course's packages from a pip freeze")
    pin.add_argument("freeze", help="a runtime's pip-freeze.txt")
    pin.add_argument("--runtime", required=True, help='"current", or a past runtime such as 2026.07')
    pin.add_argument("--python", help="the runtime's Python, 3.N (default: from the freeze's cp3N wheels)")
    pin.add_argument("--source", required=True, help="where the freeze comes from: repository, commit, date")
    pin.add_argument("--set", action="append", default=[], metavar="NAME==VERSION",
                     help="a version the freeze does not hold (repeatable)")
    pin.add_argument("--set-source", help="where the --set versions come from")
    pin.add_argument("--date", default=datetime.date.today().isoformat(), help="default: today")
    pin.add_argument("-o", "--output", help="the pin file to write (default: print it)")
    python = commands.add_parser("python", help="print the interpreter for a pin file's Python")
    python.add_argument("pins", help="a pin file written by `pin`")
    python.add_argument("--fallback", default="python3", help="used when the machine lacks that Python")
    runs = commands.add_parser("runs", help="say which Python runs a pin file, and whether it is Colab's")
    runs.add_argument("pins", help="a pin file written by `pin`")
    args = parser.parse_args(argv)
    try:
        if args.command == "pin":
            text = Path(args.freeze).read_text()
            inferred = freeze_python(text)
            version = args.python or inferred
            if version is None:
                raise PinError(f"--python: {args.freeze} names no single Python (no cp3N wheel), "
                               "so give the runtime's Python, e.g. --python 3.13")
            if inferred and inferred != version:
                print(f"note: {args.freeze}'s wheels are for Python {inferred}; "
                      f"writing Python {version} as --python says", file=sys.stderr)
            out = pins(text, args.runtime, version, args.source, args.date, args.set,
                       args.set_source, where=args.freeze)
            if args.output:
                Path(args.output).write_text(out)
                print(f"{args.output}: {len(COURSE_PACKAGES)} pins for Colab's {args.runtime} "
                      f"runtime (Python {version})", file=sys.stderr)
            else:
                sys.stdout.write(out)
        elif args.command == "python":
            version = header_value(args.pins, PYTHON_LINE, "Python")
            interpreter, found = choose_python(version, args.fallback)
            if found:
                print(f"{args.pins}: Colab's Python {version}, here {interpreter}", file=sys.stderr)
            else:
                print(f"{args.pins}: Colab runs Python {version}, which this machine lacks "
                      f"(no python{version} on PATH or in pyenv); using {args.fallback} "
                      f"(Python {python_of(args.fallback) or '?'}) instead", file=sys.stderr)
            print(interpreter)
        else:
            version = header_value(args.pins, PYTHON_LINE, "Python")
            runtime = header_value(args.pins, RUNTIME_LINE, "Runtime")
            here = "%d.%d.%d" % sys.version_info[:3]
            verdict = ("Colab's Python" if here.startswith(version + ".")
                       else f"NOT Colab's Python {version}: the closest this machine offered")
            print(f"{args.pins}: Colab's {runtime} runtime, run with Python {here} ({verdict})",
                  flush=True)
    except (PinError, OSError) as error:
        print(f"colab_pins.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
