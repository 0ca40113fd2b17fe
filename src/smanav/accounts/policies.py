"""The versions of the privacy notice and the terms of use that a new account accepts.

The texts are templates (`web/privacy.html`, `web/terms.html`); when one changes in substance, its
version here changes with it, so that `PolicyAcceptance` says which text a person agreed to.
"""

from __future__ import annotations

PRIVACY_VERSION = "2026-12-07"
TERMS_VERSION = "2026-12-07"
