"""``python -m solver FOLDER -o KEYS``: one answer key per spec found under a folder.

Every ``*.yaml``/``*.yml`` file under FOLDER (recursively, in sorted order) is
solved; its key is written under KEYS at the same relative path with the
format's extension (``cnn/q1_1.yaml`` -> ``KEYS/cnn/q1_1.yaml``, ``.json``,
``.md``). A spec that fails is named on stderr with its error and the others
are still solved; the exit status is 2 when any failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from solver.errors import SpecError
from solver.key import build_key
from solver.output import emit
from solver.render import RENDERERS
from solver.spec.loading import load_problem

EXTENSIONS = {"yaml": ".yaml", "json": ".json", "markdown": ".md"}


def spec_files(folder: Path) -> list[Path]:
    """The spec files under ``folder``, sorted."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def solve_folder(folder: str, out_dir: str | None, fmt: str) -> int:
    """Write a key for every spec under ``folder`` into ``out_dir``; 0, or 2 if any spec failed."""
    if not out_dir:
        print("error: a folder of specs needs -o KEYS, the folder to write the keys into",
              file=sys.stderr)
        return 2
    root, target = Path(folder), Path(out_dir)
    specs = spec_files(root)
    if not specs:
        print(f"error: {folder}: no .yaml spec files found", file=sys.stderr)
        return 2
    failed = []
    for spec in specs:
        try:
            text = RENDERERS[fmt](build_key(load_problem(spec)))
        except SpecError as error:
            print(f"error: {error}", file=sys.stderr)
            failed.append(spec)
            continue
        destination = (target / spec.relative_to(root)).with_suffix(EXTENSIONS[fmt])
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            print(f"error: cannot create {destination.parent}: {error.strerror}", file=sys.stderr)
            failed.append(spec)
            continue
        if emit(text, str(destination)):
            failed.append(spec)
    solved = len(specs) - len(failed)
    print(f"{solved} of {len(specs)} specs solved into {target}"
          + (f"; failed: {', '.join(str(s) for s in failed)}" if failed else ""), file=sys.stderr)
    return 2 if failed else 0
