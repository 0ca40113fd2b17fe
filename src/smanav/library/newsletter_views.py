"""The newsletter's pages: subscribe (no account), confirm from the e-mailed link, and unsubscribe from a
digest's link. None needs signing in; none tells whether an address is subscribed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from smanav.jsonapi.throttling import client_address
from smanav.library import newsletter
from smanav.library.forms import NewsletterForm


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = NewsletterForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "library/newsletter/subscribe.html", {"form": form}, status=422)
        choices = newsletter.Choices(
            email=newsletter.normal_address(form.cleaned_data["email"]),
            topics=tuple(form.cleaned_data["topics"]),
            audiences=tuple(form.cleaned_data["audiences"]),
            frequency=form.cleaned_data["frequency"],
        )
        try:
            newsletter.newsletter_subscribe(
                choices=choices, client=client_address(request), now=timezone.now()
            )
        except newsletter.TooManyRequests:
            context = {"form": form, "too_many": True}
            return render(request, "library/newsletter/subscribe.html", context, status=429)
        # The same answer whether or not the address is subscribed, and whether or not a link was sent.
        return render(request, "library/newsletter/sent.html", {"days": newsletter.CONFIRM_DAYS})
    return render(request, "library/newsletter/subscribe.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the choices and one button (a link scanner's GET subscribes nobody); POST: subscribe."""
    choices = newsletter.confirm_payload(token)
    if choices is None:
        return render(request, "library/newsletter/confirm.html", {"refused": True}, status=400)
    done = request.method == "POST"
    if done:
        newsletter.newsletter_confirm(choices=choices, now=timezone.now())
    return render(request, "library/newsletter/confirm.html", {"choices": choices, "done": done})


# A mail program's one-click request (RFC 8058) comes without a session or a CSRF token: the signed link
# is what proves it, and it can only stop the digest.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = newsletter.subscription_of_token(token)
    if subscription is None:
        return render(request, "library/newsletter/unsubscribe.html", {"refused": True}, status=404)
    done = request.method == "POST"
    if done:
        newsletter.newsletter_unsubscribe(subscription=subscription, now=timezone.now())
    return render(request, "library/newsletter/unsubscribe.html", {"done": done})
