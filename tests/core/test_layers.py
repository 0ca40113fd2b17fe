"""The layers of the code are checked by import-linter (`.importlinter`, run by `make check`): these
tests run the same check on the code as it is, and on a copy with a deliberate break of each kind, to
show that the check fails on it."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail("lint-imports is not installed: run make install")
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / ".importlinter"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root / "src"), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        check=False,
    )


def _copy_with(tmp_path: Path, module: str, source: str) -> Path:
    """A copy of `src/` with `module` (a path under `src/`) written as `source`."""
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (tmp_path / "src" / module).write_text(source, encoding="utf-8")
    return tmp_path


def test_the_code_keeps_every_contract() -> None:
    found = _lint(REPO)
    assert found.returncode == 0, found.stdout + found.stderr
    assert "4 kept, 0 broken" in found.stdout


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        # The core reaching into the application.
        ("smanav_core/shortcut.py", "import smanav.patients.models\n", "The clinical core imports nothing"),
        # An app at the bottom using one above it.
        ("smanav/accounts/shortcut.py", "from smanav.patients import access\n", "The apps form layers"),
        # Two modules of one app importing each other.
        (
            "smanav/patients/loop_a.py",
            "from smanav.patients import tasks\n",
            "No package imports in a cycle",
        ),
    ],
)
def test_a_deliberate_break_fails_the_check(tmp_path: Path, module: str, source: str, broken: str) -> None:
    root = _copy_with(tmp_path, module, source)
    if "loop_a" in module:
        tasks = root / "src" / "smanav" / "patients" / "tasks.py"
        tasks.write_text(tasks.read_text(encoding="utf-8") + "\nfrom smanav.patients import loop_a  # noqa\n")
    found = _lint(root)
    assert found.returncode == 1, found.stdout
    assert broken in found.stdout
    assert "BROKEN" in found.stdout


def _private_uses_of_the_core(tree: ast.Module) -> list[str]:
    """`from smanav_core... import _name`, and `module._name` on a module of the core imported by name."""
    found: list[str] = []
    core_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("smanav_core"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
                core_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("smanav_core"):
                    core_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in core_modules
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_shell_calls_no_private_function_of_the_core() -> None:
    """The shell uses the core's public names only, so the core can change what is private to it."""
    offenders = {
        str(path.relative_to(REPO)): uses
        for path in sorted((REPO / "src" / "smanav").rglob("*.py"))
        if (uses := _private_uses_of_the_core(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_private_use_check_finds_one() -> None:
    tree = ast.parse("from smanav_core import report\nfrom smanav_core.x import _y\nreport._interval(3)\n")
    assert _private_uses_of_the_core(tree) == ["smanav_core.x._y", "report._interval"]
