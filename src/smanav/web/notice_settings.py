"""One page for every notice smanav sends a signed-in person (issue 15, part 3): what is due in a care
plan, changes to a record, news of trials near the family (`trial_news.py`), the community's
notifications (for a member) and the library's newsletter,
each on the site and by e-mail, with the digest options. The separate pages (reminders, the
community's "How you are told") link here; what is chosen here holds from the next message on.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.models import User
from smanav.accounts.services import notice_preferences_set, reminder_preference_of
from smanav.community.access import member_for
from smanav.community.forms.notifications import PreferencesForm
from smanav.community.models import NotificationKind
from smanav.community.notices import delivery as community_notices
from smanav.library.models import DigestFrequency, NewsletterSubscription
from smanav.library.newsletter import Choices, newsletter_confirm, newsletter_unsubscribe, normal_address
from smanav.patients.selectors import family_looks_after_records
from smanav.trials.services import trial_news_place_clear, trial_news_place_of, trial_news_place_set
from smanav.user_locale import user_locale
from smanav.web.forms import NoticesForm


@signed_in
@require_http_methods(["GET", "POST"])
def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    preference = reminder_preference_of(user)
    address = normal_address(user.email)
    subscription = NewsletterSubscription.objects.filter(email=address).first() if address else None
    subscribed = subscription is not None and subscription.unsubscribed_at is None
    place = trial_news_place_of(user)
    form = NoticesForm(
        request.POST or None,
        prefer_country=user_locale(request).country,
        trials=place is not None or family_looks_after_records(user=user),
        initial={
            "due_email": preference.enabled,
            "days_before": preference.days_before,
            "news_on_site": preference.news_on_site,
            "news_email": preference.news_by_email,
            "news_weekly": "weekly" if preference.news_weekly else "",
            "news_details": preference.news_details,
            "trials_place": place.query if place else "",
            "trials_distance_km": place.distance_km if place else None,
            "trials_email": place.by_email if place else False,
            "newsletter": subscribed,
            "newsletter_frequency": subscription.frequency if subscription else DigestFrequency.MONTHLY,
        },
    )
    member = member_for(user)
    community = None
    if member is not None:
        current = {
            kind: community_notices.choice_for(member=member, kind=kind) for kind in NotificationKind.values
        }
        community = PreferencesForm(request.POST or None, choices=current, prefix="community")
    if request.method == "POST":
        valid = form.is_valid() & (community is None or community.is_valid())
        if valid:
            data = form.cleaned_data
            with transaction.atomic():
                notice_preferences_set(
                    user=user,
                    due_email=data["due_email"],
                    days_before=data["days_before"],
                    news_email=data["news_email"],
                    news_on_site=data["news_on_site"],
                    news_weekly=data["news_weekly"] == "weekly",
                    news_details=data["news_details"],
                )
                if form.trials:
                    _trials_place_save(user, form, data)
                if community is not None and member is not None:
                    community_notices.preferences_save(member=member, choices=community.chosen())
                _newsletter_save(subscription, address, data["newsletter"], data["newsletter_frequency"])
            messages.success(request, _("Your choices were saved. They hold from the next message on."))
            return redirect("notices")
    context = {"form": form, "community": community, "has_email": bool(address), "subscription": subscription}
    status = 422 if request.method == "POST" else 200
    return render(request, "web/notices.html", context, status=status)


def _newsletter_save(
    subscription: NewsletterSubscription | None, address: str, wanted: bool, frequency: str
) -> None:
    """The account's address was confirmed when it was given (sign-up, change of address): no second
    confirmation. Topics and audiences chosen on the newsletter's own page are kept."""
    now = timezone.now()
    active = subscription is not None and subscription.unsubscribed_at is None
    if wanted and address and (not active or subscription is None or subscription.frequency != frequency):
        kept = subscription if active else None
        newsletter_confirm(
            choices=Choices(
                email=address,
                topics=tuple(kept.topics) if kept else (),
                audiences=tuple(kept.audiences) if kept else (),
                frequency=frequency,
            ),
            now=now,
        )
    elif not wanted and active and subscription is not None:
        newsletter_unsubscribe(subscription=subscription, now=now)


def _trials_place_save(user: User, form: NoticesForm, data: dict[str, Any]) -> None:
    """Keep the place and distance chosen for trial news, or forget them when the place was emptied."""
    if form.trials_location is None:
        trial_news_place_clear(user=user)
        return
    trial_news_place_set(
        user=user,
        query=data["trials_place"],
        place=form.trials_location,
        distance_km=data["trials_distance_km"],
        by_email=data["trials_email"],
    )
