#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11+.

    python3 tasks.py demo [hr-plugin demo options]   # the offline demo, into ./demo-out
    python3 tasks.py test [pytest options]           # the test suite

It creates ``.venv`` beside this file on first use and reinstalls the project into it
whenever ``pyproject.toml`` changes, so a fresh clone works with these two commands.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-from"


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment() -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before any environment exists
        sys.exit(f"Python 3.11 or newer is needed (found {sys.version_info[0]}.{sys.version_info[1]})")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not _python().exists():
        print("Creating .venv ...", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("Installing the project and its test tools into .venv ...", file=sys.stderr, flush=True)
        pip = [str(_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(wanted + "\n")
    return _python()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    python = ensure_environment()
    task, rest = argv[0], argv[1:]
    if task == "demo":
        if "--out" not in rest:
            rest = ["--out", str(ROOT / "demo-out"), *rest]
        command = [str(python), "-m", "hr_plugin.cli", "demo", *rest]
    else:
        command = [str(python), "-m", "pytest", *rest]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
