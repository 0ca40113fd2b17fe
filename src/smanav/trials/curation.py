"""The curated structured layer: SMA-specific criteria of a trial, read by a person from its record.

The reviews of real trials are knowledge: the clinical core loads them with the rest of the knowledge base
(`smanav_core/knowledge/data/trials/`, each criterion citing its source, part of `knowledge_version`).
The reviews of the fictional sample trials use the same schema and live with the sample data
(`sample_data/curated/`, each marked `sample = true`). The matcher never uses a criterion that is not in
one of these or in the record's own structured fields.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from smanav_core.knowledge.loader import load_knowledge
from smanav_core.knowledge.schema.trials import CuratedTrial

SAMPLE_CURATED_DIR = Path(__file__).resolve().parent / "sample_data" / "curated"


class CurationError(RuntimeError):
    pass


def load_curated_dir(folder: Path) -> dict[str, CuratedTrial]:
    """The sample reviews of `folder`; each must say `sample = true` and be named after its trial."""
    found: dict[str, CuratedTrial] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            curated = CuratedTrial.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as error:
            problems.append(f"{path.name}: {error}")
            continue
        if path.stem != curated.nct_id:
            problems.append(f"{path.name}: the file name must be the NCT id ({curated.nct_id})")
            continue
        if not curated.sample:
            problems.append(
                f"{path.name}: only sample reviews belong here; a real trial's review is knowledge "
                "(smanav_core/knowledge/data/trials/)"
            )
            continue
        found[curated.nct_id] = curated
    if problems:
        raise CurationError("invalid curated trial files:\n" + "\n".join(problems))
    return found


@cache
def curated_trials() -> dict[str, CuratedTrial]:
    """Every review by NCT id: the knowledge base's, then the samples' (a sample never hides a real one)."""
    return {**load_curated_dir(SAMPLE_CURATED_DIR), **load_knowledge().trials}
