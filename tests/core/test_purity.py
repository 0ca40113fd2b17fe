"""The clinical core stays pure: no Django, no database, no network, no files opened by hand, no clock.

The source of every module under `src/smanav_core/` is walked with `ast`, so a forbidden import or call
fails here even on a code path no other test reaches. A fresh interpreter then imports the whole core
and checks what actually got loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "src" / "smanav_core"
MODULES = sorted(CORE.rglob("*.py"))

# Top-level packages the core must never import: web framework, databases, network, processes,
# randomness (outputs must be reproducible) and the environment.
FORBIDDEN_IMPORTS = frozenset(
    {
        "django",
        "ninja",
        "psycopg",
        "psycopg2",
        "dj_database_url",
        "sqlite3",
        "dbm",
        "shelve",
        "requests",
        "httpx",
        "urllib",
        "urllib3",
        "http",
        "socket",
        "ssl",
        "smtplib",
        "ftplib",
        "asyncio",
        "subprocess",
        "multiprocessing",
        "threading",
        "shutil",
        "tempfile",
        "random",
        "secrets",
        "uuid",
        "time",
        "smanav",
    }
)
# Calls that read the clock, the environment or arbitrary files, by their dotted name.
FORBIDDEN_CALLS = frozenset(
    {
        "open",
        "input",
        "print",
        "eval",
        "exec",
        "compile",
        "__import__",
        "os.getenv",
        "os.system",
        "os.popen",
        "os.listdir",
        "os.walk",
        "date.today",
        "dt.date.today",
        "datetime.date.today",
        "datetime.today",
        "datetime.now",
        "datetime.utcnow",
        "dt.datetime.now",
        "dt.datetime.today",
        "dt.datetime.utcnow",
        "datetime.datetime.now",
        "datetime.datetime.today",
        "datetime.datetime.utcnow",
        "time.time",
        "time.monotonic",
        "time.perf_counter",
        "Path.read_text",
        "Path.read_bytes",
        "Path.open",
    }
)
FORBIDDEN_ATTRIBUTES = frozenset({"os.environ", "sys.stdin", "sys.stdout", "sys.stderr", "sys.argv"})


def dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def violations(path: Path, root: Path = CORE.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_IMPORTS:
                    found.append(f"{where}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.split(".")[0] in FORBIDDEN_IMPORTS:
                found.append(f"{where}: imports from {module}")
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            if name is not None and (name in FORBIDDEN_CALLS or name.rsplit(".", 1)[-1] in {"now", "utcnow"}):
                found.append(f"{where}: calls {name}()")
        elif isinstance(node, ast.Attribute):
            name = dotted(node)
            if name in FORBIDDEN_ATTRIBUTES:
                found.append(f"{where}: uses {name}")
    return found


def test_the_core_has_modules_to_check() -> None:
    assert len(MODULES) > 10


@pytest.mark.parametrize("path", MODULES, ids=[str(path.relative_to(CORE)) for path in MODULES])
def test_core_module_is_pure(path: Path) -> None:
    assert violations(path) == []


@pytest.mark.parametrize(
    "source",
    [
        "import django",
        "from django.db import models",
        "import sqlite3",
        "from urllib.request import urlopen",
        "import socket",
        "import requests",
        "import psycopg",
        "x = open('f')",
        "import datetime\nx = datetime.date.today()",
        "import datetime as dt\nx = dt.datetime.now()",
        "from datetime import datetime\nx = datetime.now()",
        "from datetime import date\nx = date.today()",
        "import os\nx = os.environ['A']",
        "import time",
        "import random",
    ],
)
def test_the_checker_catches(tmp_path: Path, source: str) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert violations(probe, root=tmp_path), source


def test_importing_the_whole_core_loads_nothing_forbidden() -> None:
    script = (
        "import importlib, pkgutil, sys\n"
        "import smanav_core\n"
        "for module in pkgutil.walk_packages(smanav_core.__path__, 'smanav_core.'):\n"
        "    importlib.import_module(module.name)\n"
        "print(' '.join(sorted(name.split('.')[0] for name in sys.modules)))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(CORE.parent), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    )
    loaded = set(finished.stdout.split())
    # Only third-party and project packages: pydantic itself pulls in stdlib modules such as `socket`
    # (through `email`) without using them, which the source walk above does not hold against the core.
    assert loaded.isdisjoint(
        {"django", "ninja", "psycopg", "sqlite3", "requests", "httpx", "urllib3", "smanav"}
    )
