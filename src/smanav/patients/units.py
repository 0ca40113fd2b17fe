"""Everyday units beside the metric values, for readers whose locale uses US customary units.

Records stay metric (the contract's `weight_kg`, `height_cm`; clinics measure in kg and cm). Pages add
the pound or inch equivalent in brackets where the active locale is United States English, so a family
reads the measurement in the units they use at home without the record ever changing.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import get_language, gettext

from smanav_core.codes import Instrument

# Exact by definition (international yard and pound agreement, 1959).
KG_PER_POUND = 0.45359237
CM_PER_INCH = 2.54
# `en` is the project's United States English (its dates are US dates too); the regional variants use metric.
US_CUSTOMARY_LANGUAGES = frozenset({"en", "en-us"})


def local_equivalent(value: float | None, instrument: str) -> str:
    """`(27.6 lb)` for a weight, `(35.4 in)` for a height, in US customary locales; otherwise empty."""
    if value is None or (get_language() or "").lower() not in US_CUSTOMARY_LANGUAGES:
        return ""
    # number_format cuts extra decimals off rather than rounding them, so round first.
    if instrument == Instrument.WEIGHT_KG.value:
        number = formats.number_format(round(value / KG_PER_POUND, 1), decimal_pos=1, use_l10n=True)
        return gettext("(%(number)s lb)") % {"number": number}
    if instrument == Instrument.HEIGHT_CM.value:
        number = formats.number_format(round(value / CM_PER_INCH, 1), decimal_pos=1, use_l10n=True)
        return gettext("(%(number)s in)") % {"number": number}
    return ""
