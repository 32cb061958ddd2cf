"""``--help`` names the program as the user invoked it: ``python -m solver`` or ``cnn-solve``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = [("solver", "cnn-solve"), ("grader", "cnn-grade")]


def _env():
    return {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


@pytest.mark.parametrize("package, script", COMMANDS)
def test_help_as_a_module(package, script):
    run = subprocess.run([sys.executable, "-m", package, "--help"], capture_output=True, text=True,
                         env=_env(), check=True)
    assert run.stdout.startswith(f"usage: python -m {package} ")


@pytest.mark.parametrize("package, script", COMMANDS)
def test_help_as_the_console_script(tmp_path, package, script):
    # what pip writes for [project.scripts]: a file named after the command calling main()
    path = tmp_path / script
    path.write_text(f"import sys\nfrom {package}.cli import main\nsys.exit(main())\n")
    run = subprocess.run([sys.executable, str(path), "--help"], capture_output=True, text=True,
                         env=_env(), check=True)
    assert run.stdout.startswith(f"usage: {script} ")
    assert "python -m" not in run.stdout
