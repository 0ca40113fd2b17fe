"""The real public data files shared beside the project (`../shared/data/real/`, described in its README),
read by path and never copied into the project. They are looked for above this checkout and, for a clone
made elsewhere (`git clone . /some/new/dir`, as CI does), above the checkout it was cloned from;
`SMANAV_REAL_DATA` points elsewhere. Without them a test is skipped on a laptop and fails under CI.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]


def _origin(checkout: Path) -> Path | None:
    """The local checkout `checkout` was cloned from, if its `origin` is a folder on this machine."""
    try:
        url = subprocess.run(
            ["git", "-C", str(checkout), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    folder = Path(url.removeprefix("file://")) if url and "://" not in url.replace("file://", "") else None
    return folder if folder is not None and folder.is_dir() else None


def _shared_beside() -> Path:
    """`shared/data/real` in the nearest folder above this checkout that has one, else above the checkout
    it was cloned from (and that one's origin), else where the main checkout expects it."""
    checkout: Path | None = ROOT
    for _ in range(3):
        if checkout is None:
            break
        for folder in (checkout, *checkout.parents):
            candidate = folder / "shared" / "data" / "real"
            if candidate.is_dir():
                return candidate
        checkout = _origin(checkout)
    return ROOT.parent / "shared" / "data" / "real"


def shared_real_data() -> Path:
    """The folder of the real public data files (it may not exist)."""
    return Path(os.environ.get("SMANAV_REAL_DATA") or _shared_beside())


def real_data(*parts: str) -> Path:
    path = shared_real_data().joinpath(*parts)
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
