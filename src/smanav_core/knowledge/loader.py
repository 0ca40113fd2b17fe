"""Load, validate and index the knowledge base once per process.

Every TOML file under `data/` is validated against its schema; every entry id is unique across files;
every source an entry cites exists in `sources.toml` and every source is cited. The digest of the files
becomes part of `knowledge_version`, so an answer always says which knowledge produced it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import TypeVar, cast

from pydantic import ValidationError

from smanav_core.knowledge.schema.base import Entry, KnowledgeFile, Parameter, Source, Statement
from smanav_core.knowledge.schema.care import CareFile
from smanav_core.knowledge.schema.genetics import GeneticsFile, MeasuresFile
from smanav_core.knowledge.schema.therapies import TherapiesFile
from smanav_core.knowledge.schema.triage import TriageFile
from smanav_core.knowledge.schema.trials import TRIALS_FOLDER, CuratedTrial, read_trial_reviews

# Bumped by hand when the content is reviewed as a whole; the digest changes with every edit.
KNOWLEDGE_RELEASE = "2026.12.0"

FILE_SCHEMAS: dict[str, type[KnowledgeFile]] = {
    "genetics": GeneticsFile,
    "measures": MeasuresFile,
    "therapies": TherapiesFile,
    "care_plan": CareFile,
    "triage": TriageFile,
    "classification": KnowledgeFile,
    "urgency": KnowledgeFile,
    "review": KnowledgeFile,
}

F = TypeVar("F", bound=KnowledgeFile)
P = TypeVar("P")
# A text quotes a parameter as ${parameter.id}; the loader writes the value in its place.
PARAMETER_REFERENCE = re.compile(r"\$\{([a-z0-9][a-z0-9_.\-]*)\}")


class KnowledgeError(RuntimeError):
    """The knowledge base is inconsistent; the process must not answer clinical questions."""


# What `Knowledge.prepared` worked out, by knowledge base (its `id`) and function: kept beside the
# knowledge bases, not inside them, so that a `Knowledge` never changes once made. A knowledge base's
# entries go when it is collected.
_PREPARED: dict[tuple[int, Callable[[Knowledge], object]], object] = {}


@dataclass(frozen=True, eq=False)
class Knowledge:
    """A validated knowledge base. Immutable: every field is set when it is made, the files' own
    tables included (`genetics`, `therapies`...), and nothing is added to it afterwards."""

    version: str
    sources: Mapping[str, Source]
    files: Mapping[str, KnowledgeFile]
    entries: Mapping[str, Entry]
    # Curated eligibility criteria of trials (`data/trials/NCT*.toml`), by NCT id.
    trials: Mapping[str, CuratedTrial] = field(default_factory=dict)
    # The statements among the entries, and each file as its own type: the rules read these on every
    # evaluation as plain attributes.
    statements: Mapping[str, Statement] = field(init=False)
    genetics: GeneticsFile = field(init=False)
    measures: MeasuresFile = field(init=False)
    therapies: TherapiesFile = field(init=False)
    care_plan: CareFile = field(init=False)
    triage: TriageFile = field(init=False)

    def __post_init__(self) -> None:
        derived = {
            "statements": MappingProxyType(
                {key: entry for key, entry in self.entries.items() if isinstance(entry, Statement)}
            ),
            "genetics": self.file("genetics", GeneticsFile),
            "measures": self.file("measures", MeasuresFile),
            "therapies": self.file("therapies", TherapiesFile),
            "care_plan": self.file("care_plan", CareFile),
            "triage": self.file("triage", TriageFile),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # the dataclass way to set a frozen field it derives

    def file(self, name: str, schema: type[F]) -> F:
        return cast(F, self.files[name])

    def statement(self, entry_id: str) -> Statement:
        found = self.statements.get(entry_id)
        if found is None:
            entry = self.entries[entry_id]  # KeyError for an unknown id
            raise KnowledgeError(f"{entry_id} is not a statement but a {type(entry).__name__}")
        return found

    def parameter(self, entry_id: str) -> Parameter:
        found = self.entries[entry_id]  # KeyError for an unknown id
        if not isinstance(found, Parameter):
            raise KnowledgeError(f"{entry_id} is not a parameter but a {type(found).__name__}")
        return found

    def number(self, entry_id: str) -> float:
        """The value of a numeric parameter (a clinical limit, a number of days)."""
        value = self.parameter(entry_id).value
        if isinstance(value, str):
            raise KnowledgeError(f"{entry_id} is not a number: {value!r}")
        return value

    def prepared(self, build: Callable[[Knowledge], P]) -> P:
        """What `build` works out from this knowledge base (a rule's index of it), worked out on first use
        and kept beside it for as long as it lives. `build` must be a pure function of the knowledge and
        answer an immutable value: every evaluation shares it."""
        key = (id(self), build)
        try:
            # Called many times an evaluation: a plain subscript, no `cast` call (a function in Python).
            return _PREPARED[key]  # type: ignore[return-value]
        except KeyError:
            found = _PREPARED[key] = build(self)
            weakref.finalize(self, _PREPARED.pop, key, None)
            return found


def _data_files() -> dict[str, bytes]:
    folder = resources.files("smanav_core.knowledge") / "data"
    found = {
        item.name: item.read_bytes()
        for item in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if item.name.endswith(".toml")
    }
    # The curated trial criteria, named `trials/NCTxxxxxxxx.toml`: they join the digest like any file.
    trials = folder / TRIALS_FOLDER
    if trials.is_dir():
        found.update(
            {
                f"{TRIALS_FOLDER}/{item.name}": item.read_bytes()
                for item in sorted(trials.iterdir(), key=lambda entry: entry.name)
                if item.name.endswith(".toml")
            }
        )
    return found


def build_knowledge(raw_files: Mapping[str, bytes]) -> Knowledge:
    """Validate raw TOML files (name -> bytes) into a `Knowledge`; raise `KnowledgeError` on any fault."""
    problems: list[str] = []
    digest = hashlib.sha256()
    parsed: dict[str, dict[str, object]] = {}
    for name in sorted(raw_files):
        digest.update(name.encode() + b"\0" + raw_files[name] + b"\0")
        try:
            parsed[name] = tomllib.loads(raw_files[name].decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            problems.append(f"{name}: not valid TOML: {error}")
    if "sources.toml" not in parsed:
        raise KnowledgeError("; ".join([*problems, "sources.toml is missing"]))
    problems.extend(_quote_parameters(parsed))

    sources: dict[str, Source] = {}
    for key, value in parsed.pop("sources.toml").items():
        try:
            sources[key] = Source.model_validate(value)
        except ValidationError as error:
            problems.append(f"sources.toml [{key}]: {error}")

    trial_documents = {
        name: parsed.pop(name) for name in list(parsed) if name.startswith(f"{TRIALS_FOLDER}/")
    }
    files: dict[str, KnowledgeFile] = {}
    for name, document in parsed.items():
        stem = name.removesuffix(".toml")
        schema = FILE_SCHEMAS.get(stem)
        if schema is None:
            problems.append(f"{name}: no schema is registered for this file")
            continue
        try:
            files[stem] = schema.model_validate(document)
        except ValidationError as error:
            problems.append(f"{name}: {error}")
    for stem in FILE_SCHEMAS:
        if stem not in files and f"{stem}.toml" in raw_files:
            continue
        files.setdefault(stem, FILE_SCHEMAS[stem]())

    entries: dict[str, Entry] = {}
    cited: set[str] = set()
    for stem, content in files.items():
        for entry in content.entries():
            if entry.id in entries:
                problems.append(f"{stem}.toml: duplicate id {entry.id}")
            entries[entry.id] = entry
            for source in entry.sources:
                cited.add(source)
                if source not in sources:
                    problems.append(f"{stem}.toml [{entry.id}]: cites unknown source {source!r}")
    trials, cited_by_trials, trial_problems = read_trial_reviews(trial_documents, sources)
    problems.extend(trial_problems)
    cited |= cited_by_trials
    for key, bibliography_entry in sources.items():
        newer = bibliography_entry.newer_revision
        if newer is not None and newer.known_from is not None:
            cited.add(newer.known_from)
            if newer.known_from not in sources:
                problems.append(f"sources.toml [{key}]: its newer revision is known from an unknown source")
    for unused in sorted(set(sources) - cited):
        problems.append(f"sources.toml [{unused}]: no entry cites this source")
    if problems:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(problems))
    return Knowledge(
        version=f"{KNOWLEDGE_RELEASE}+{digest.hexdigest()[:12]}",
        sources=sources,
        files=files,
        entries=entries,
        trials=trials,
    )


def _quote_parameters(parsed: dict[str, dict[str, object]]) -> list[str]:
    """Write each parameter's value in place of every `${id}` in the texts of every file (in place).

    Done on the parsed documents, before validation, so that every text (statements, care items, notes,
    even another parameter's explanation) reads the value the rules use. An unknown id is a problem.
    """
    values: dict[str, str] = {}
    for document in parsed.values():
        tables = document.get("parameter")
        for table in tables if isinstance(tables, list) else ():
            if isinstance(table, dict) and isinstance(table.get("id"), str):
                value = table.get("value")
                if isinstance(value, bool) or not isinstance(value, int | float | str):
                    continue  # the schema reports it
                values[table["id"]] = f"{value:g}" if isinstance(value, float) else str(value)
    problems: list[str] = []

    def quote(text: str, where: str) -> str:
        def value_of(match: re.Match[str]) -> str:
            found = values.get(match.group(1))
            if found is None:
                problems.append(f"{where}: quotes unknown parameter ${{{match.group(1)}}}")
                return match.group(0)
            return found

        return PARAMETER_REFERENCE.sub(value_of, text) if "${" in text else text

    def walk(value: object, where: str) -> object:
        if isinstance(value, str):
            return quote(value, where)
        if isinstance(value, list):
            return [walk(item, where) for item in value]
        if isinstance(value, dict):
            inner = f"{where} [{value['id']}]" if isinstance(value.get("id"), str) else where
            return {key: walk(item, inner) for key, item in value.items()}
        return value

    for name in list(parsed):
        if name != "sources.toml":
            parsed[name] = cast(dict[str, object], walk(parsed[name], name))
    return problems


@functools.cache
def load_knowledge() -> Knowledge:
    """The knowledge base of this installation, loaded and validated once per process."""
    return build_knowledge(_data_files())
