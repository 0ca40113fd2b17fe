"""Python names only knowledge entries that exist.

Rules find their statements, parameters and care items by id (`kb.statement("urgency.routine")`,
`reason(kb, "...")`, `kb.number("...")`). A renamed or deleted entry would otherwise surface only when a
record reaches that rule. This test reads every string in the sources that looks like a knowledge id (a
namespace the knowledge base uses, a dot, a name) and fails when no entry has that id; a piece of an
f-string (`f"classification.type_{...}"`) must begin at least one id.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from smanav_core.knowledge.loader import load_knowledge
from smanav_core.knowledge.schema.base import ID_PATTERN
from smanav_core.record import Clinical, Genetics, Labs

SOURCES = Path(__file__).resolve().parents[2] / "src"
# Strings in these namespaces that are the record's own field paths (error messages, forms), not ids.
RECORD_FIELDS = {
    f"{section}.{name}"
    for section, model in (("genetics", Genetics), ("clinical", Clinical), ("labs", Labs))
    for name in model.model_fields
}


def _strings(tree: ast.AST) -> Iterator[tuple[int, str, bool]]:
    """(line, text, is a piece of an f-string) of every string constant."""
    pieces = {
        id(value) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for value in node.values
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value, id(node) in pieces


def test_every_knowledge_id_named_in_python_exists() -> None:
    kb = load_knowledge()
    ids = set(kb.entries)
    namespaces = {entry_id.split(".", 1)[0] for entry_id in ids}
    shape = re.compile(ID_PATTERN)
    missing: list[str] = []
    checked = 0
    for path in sorted(SOURCES.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, text, piece in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            head = text.split(".", 1)[0]
            if "." not in text or head not in namespaces or not shape.match(text) or text in RECORD_FIELDS:
                continue
            if text.endswith((".", "_", ".md", ".toml", ".py", ".html", ".json")):
                continue  # a file name, or a prefix of ids matched with startswith

            checked += 1
            found = any(entry_id.startswith(text) for entry_id in ids) if piece else text in ids
            if not found:
                missing.append(f"{path.relative_to(SOURCES)}:{line}: {text!r}")
    assert not missing, "Python names knowledge ids that do not exist:\n" + "\n".join(missing)
    assert checked > 30, "the scan found almost no knowledge ids: has the way rules name entries changed?"


def test_the_scan_finds_a_missing_id(tmp_path: Path) -> None:
    """The check itself can fail: a made-up id in a piece of code is reported."""
    tree = ast.parse('reason(kb, "urgency.no_such_statement")\nf"classification.nothing_{x}"')
    found = [(text, piece) for _, text, piece in _strings(tree)]
    assert ("urgency.no_such_statement", False) in found
    assert ("classification.nothing_", True) in found
    ids = set(load_knowledge().entries)
    assert "urgency.no_such_statement" not in ids
    assert not any(entry_id.startswith("classification.nothing_") for entry_id in ids)
