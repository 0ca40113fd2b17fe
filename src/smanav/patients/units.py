"""Everyday units beside the metric values, for readers whose locale uses US customary units.

Records stay metric (the contract's `weight_kg`, `height_cm`; clinics measure in kg and cm). Pages add
the pound or inch equivalent in brackets for a reader in the United States (the reader's locale,
`smanav.user_locale`: a signed-in family's records, else the browser's country; with neither, United
States English, the site's default language), so a family reads the measurement in the units they use at
home without the record ever changing.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import get_language, gettext

from smanav.user_locale import current_user_locale
from smanav_core.codes import Instrument

# Exact by definition (international yard and pound agreement, 1959).
KG_PER_POUND = 0.45359237
CM_PER_INCH = 2.54
# `en` is the project's United States English (its dates are US dates too); the regional variants use metric.
US_CUSTOMARY_LANGUAGES = frozenset({"en", "en-us"})


def uses_us_customary() -> bool:
    """Whether the reader of the page being written uses pounds and inches."""
    locale = current_user_locale()
    if locale is not None and locale.country is not None:
        return locale.us_customary
    return (get_language() or "").lower() in US_CUSTOMARY_LANGUAGES


def local_equivalent(value: float | None, instrument: str) -> str:
    """`(27.6 lb)` for a weight, `(35.4 in)` for a height, for a reader in the United States; else empty."""
    if value is None or not uses_us_customary():
        return ""
    # number_format cuts extra decimals off rather than rounding them, so round first.
    if instrument == Instrument.WEIGHT_KG.value:
        number = formats.number_format(round(value / KG_PER_POUND, 1), decimal_pos=1, use_l10n=True)
        return gettext("(%(number)s lb)") % {"number": number}
    if instrument == Instrument.HEIGHT_CM.value:
        number = formats.number_format(round(value / CM_PER_INCH, 1), decimal_pos=1, use_l10n=True)
        return gettext("(%(number)s in)") % {"number": number}
    return ""
