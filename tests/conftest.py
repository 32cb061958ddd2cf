"""Test-suite settings: in CI (CI=true) hypothesis draws the same examples on every run.

A developer's runs keep hypothesis's random exploration (and its database of failing
examples); CI's are derandomized, so a submission's CI result depends on its code alone.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")
