"""The core tier runs where Django is not installed: the core needs none of the shell, and neither do
its tests. Proven by running the tier again in a fresh process in which `django` cannot be imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Packages of the shell that must not be needed; each raises ImportError as if it were not installed.
SHELL_PACKAGES = ("django", "ninja", "psycopg", "pytest_django")


def test_the_core_tier_runs_without_django(tmp_path: Path) -> None:
    for name in SHELL_PACKAGES:
        package = tmp_path / "blocked" / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"raise ImportError('{name} is not installed here')\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "blocked"), str(REPO / "src"), str(REPO)]),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/core",
            "-q",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::pytest.PytestConfigWarning",
            "--deselect",
            "tests/core/test_tiers.py::test_the_core_tier_runs_without_django",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = finished.stdout.strip().splitlines()[-1] if finished.stdout.strip() else finished.stderr
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary
    # The blocker works: the same process cannot import Django.
    probe = subprocess.run(
        [sys.executable, "-c", "import django"], env=env, capture_output=True, text=True, check=False
    )
    assert probe.returncode != 0 and "not installed here" in probe.stderr
