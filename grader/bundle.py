"""``python -m grader gradescope-bundle SPEC -o autograder.zip``: a Gradescope autograder.

The zip holds what Gradescope runs (as Otter's ``otter generate`` does for
notebooks):

* ``setup.sh``, run once when Gradescope builds the image: installs Python and
  the grader from the bundled ``package/`` (its dependencies from PyPI);
* ``run_autograder``, run for every submission: grades the YAML/JSON file in
  ``/autograder/submission/`` against ``spec.yaml`` and writes
  ``/autograder/results/results.json`` (``--format gradescope``). It calls the
  installed package; ``AUTOGRADER_ROOT`` (default ``/autograder``) and
  ``PYTHON`` (default ``python3``) may be set to run it elsewhere, as the tests do;
* ``spec.yaml``, the spec; ``package/``, this grader's source and a pyproject.

The zip's entries have fixed dates, so the same spec gives the same bytes.
"""

from __future__ import annotations

import io
import shlex
import zipfile
from pathlib import Path

#: The package's runtime dependencies (as in the project's pyproject.toml; a test compares them).
DEPENDENCIES = ("pyyaml>=6.0", "numpy>=1.24", "sympy>=1.12", "markdown-it-py>=3.0", "latex2mathml>=3.77")
_PACKAGES = ("solver", "grader")
_DATE = (2024, 1, 1, 0, 0, 0)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (Ubuntu, as root).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3 python3-pip
fi
python3 -m pip install ./package
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission/ and write
# /autograder/results/results.json. AUTOGRADER_ROOT and PYTHON may be set to run it elsewhere.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{PYTHON:-python3}}"
mkdir -p "$ROOT/results"
"$PYTHON" -m grader "$ROOT/source/spec.yaml" "$ROOT/submission" --format gradescope \\
    --jobs 1 --time-limit {time_limit} -o "$ROOT/results"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    cat > "$ROOT/results/results.json" <<'JSON'
{{"score": 0, "output": "The autograder could not run; please tell your instructor.", "tests": []}}
JSON
fi
exit $status
"""

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "cnn-homework"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [{dependencies}]

[tool.setuptools.packages.find]
include = ["solver*", "grader*"]

[tool.setuptools.package-data]
solver = ["*.json"]
"""


def bundle_bytes(spec_path: str, *, time_limit: float) -> bytes:
    """The autograder zip for the spec at ``spec_path``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(archive, "run_autograder",
             RUN_AUTOGRADER.format(time_limit=shlex.quote(f"{time_limit:g}")).encode(), executable=True)
        _add(archive, "spec.yaml", Path(spec_path).read_bytes())
        deps = ", ".join(f'"{d}"' for d in DEPENDENCIES)
        _add(archive, "package/pyproject.toml", PYPROJECT.format(dependencies=deps).encode())
        root = Path(__file__).resolve().parents[1]
        for package in _PACKAGES:
            for path in sorted((root / package).rglob("*")):
                if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                    _add(archive, f"package/{path.relative_to(root).as_posix()}", path.read_bytes())
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)
