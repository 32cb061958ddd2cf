"""The README's opening install commands agree with .ci/run and pyproject.toml.

Command 2 must be what CI runs verbatim, and must get PyTorch's CPU build on any
Linux machine: the pinned torch comes from PyTorch's CPU wheel index, added as
an extra index (the ordinary index would resolve the pin to the CUDA build).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _opening_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, flags=re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_opens_with_two_commands_and_ci_runs_the_second_verbatim():
    install, test = _opening_commands()
    assert install.startswith("pip install -e . && python -m solver problems/cnn/q1_1.yaml")
    ci_commands = [line for line in CI.splitlines() if line.startswith("pip install")]
    assert ci_commands == [test]


def test_the_test_install_takes_torch_from_the_cpu_index_as_an_extra_index():
    _, test = _opening_commands()
    assert f"--extra-index-url {CPU_INDEX}" in test
    assert "--index-url" not in test.replace("--extra-index-url", "")   # the ordinary index stays
    assert re.search(r'"torch==2\.13\.0"', PYPROJECT)


def test_python_version_and_virtual_environment_are_stated():
    minimum = re.search(r'requires-python = ">=(\d+)\.(\d+)"', PYPROJECT).groups()
    assert f"Python >= {minimum[0]}.{minimum[1]}" in README
    assert f"sys.version_info >= ({minimum[0]}, {minimum[1]})" in CI
    assert "python3 -m venv .venv && . .venv/bin/activate" in README
    assert README.index("python3 -m venv") < README.index("```bash")
