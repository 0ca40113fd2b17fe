"""The real public data files shared beside the project (`../shared/data/real/`, described in its README),
read by path and never copied into the project. `SMANAV_REAL_DATA` points elsewhere (a worktree that is
not beside `shared/`). Without them a test is skipped on a laptop and fails under CI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]


def _shared_beside() -> Path:
    """`shared/data/real` in the nearest folder above the checkout that has one (a clone may sit a level
    or two deeper than the main checkout), else where the main checkout expects it."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "data" / "real"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data" / "real"


def real_data(*parts: str) -> Path:
    base = Path(os.environ.get("SMANAV_REAL_DATA") or _shared_beside())
    path = base.joinpath(*parts)
    if not path.exists():
        require_or_skip(f"the real public data file {path} is not there (set SMANAV_REAL_DATA)")
    return path


def real_study(nct_id: str) -> dict[str, Any]:
    """One ClinicalTrials.gov API v2 study of `ctgov_v2/` (a page of studies gives its first)."""
    document: dict[str, Any] = json.loads(real_data("ctgov_v2", f"{nct_id}.json").read_text("utf-8"))
    return document["studies"][0] if "studies" in document else document


def real_criteria(nct_id: str) -> str:
    """The eligibility criteria of a real study, exactly as the registry wrote them."""
    return str(real_study(nct_id)["protocolSection"]["eligibilityModule"]["eligibilityCriteria"])
