"""`{{ km|distance }}`: a distance in the reader's unit, "12.3 km" or "7.6 miles".

Searches work in kilometres; pages write miles for readers in the United States and the United Kingdom
(`smanav.user_locale`), or in the unit the page's form asked for (`{{ km|distance:unit }}`).
"""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.translation import gettext

from smanav.user_locale import KM_PER_MILE, DistanceUnit, current_user_locale

register = template.Library()


def reader_unit() -> DistanceUnit:
    locale = current_user_locale()
    return DistanceUnit.KM if locale is None else locale.distance_unit


def distance_words(km: float, unit: str | None = None) -> str:
    """12.345 km -> "12.3 km", or "7.7 miles" where the unit is miles."""
    wanted = DistanceUnit(unit) if unit in {u.value for u in DistanceUnit} else reader_unit()
    value = km / KM_PER_MILE if wanted is DistanceUnit.MI else km
    # number_format cuts extra decimals off rather than rounding them, so round first.
    number = formats.number_format(round(value, 1), decimal_pos=1, use_l10n=True)
    if wanted is DistanceUnit.MI:
        return gettext("%(number)s miles") % {"number": number}
    return gettext("%(number)s km") % {"number": number}


@register.filter
def distance(km: float | None, unit: str | None = None) -> str:
    return "" if km is None else distance_words(float(km), unit)
