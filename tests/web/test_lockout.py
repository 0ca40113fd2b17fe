"""Issue 14, part 3: lockout after wrong passwords is kept per account and per address, not per address
alone (five wrong passwords behind a clinic's one address locked every account there)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from smanav.accounts.services import user_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
CLINIC = "198.51.100.7"  # one address, many people (a clinic's network)
ELSEWHERE = "203.0.113.9"


@pytest.fixture(autouse=True)
def quick_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(username: str, password: str, address: str) -> Any:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response, client


def signed_in(client: Client) -> bool:
    return get_user_model().objects.filter(pk=client.session.get("_auth_user_id")).exists()


def test_five_wrong_passwords_behind_one_address_do_not_lock_other_accounts_there() -> None:
    user_create(username="nurse", email="nurse@example.org", password=PASSWORD)
    user_create(username="mother", email="mother@example.org", password=PASSWORD)
    for _ in range(5):
        sign_in("nurse", "wrong password", CLINIC)
    _, client = sign_in("mother", PASSWORD, CLINIC)
    assert signed_in(client)


def test_five_wrong_passwords_lock_the_account_from_every_address() -> None:
    user_create(username="nurse", email="nurse@example.org", password=PASSWORD)
    for _ in range(5):
        sign_in("nurse", "wrong password", CLINIC)
    for address in (CLINIC, ELSEWHERE):
        response, client = sign_in("nurse", PASSWORD, address)
        assert not signed_in(client)
        assert response.status_code == 429


def test_four_wrong_passwords_then_the_right_one_signs_in() -> None:
    user_create(username="nurse", email="nurse@example.org", password=PASSWORD)
    for _ in range(4):
        sign_in("nurse", "wrong password", CLINIC)
    _, client = sign_in("nurse", PASSWORD, CLINIC)
    assert signed_in(client)


def test_an_address_trying_many_accounts_is_locked(settings: Any) -> None:
    settings.SMANAV_ADDRESS_FAILURE_LIMIT = 8
    user_create(username="mother", email="mother@example.org", password=PASSWORD)
    for index in range(8):
        sign_in(f"guess{index}", "wrong password", ELSEWHERE)
    response, client = sign_in("mother", PASSWORD, ELSEWHERE)
    assert not signed_in(client)
    assert response.status_code == 429
    # The same account from another address is not affected.
    _, client = sign_in("mother", PASSWORD, CLINIC)
    assert signed_in(client)


def test_signing_into_ones_own_account_does_not_clear_the_address_count(settings: Any) -> None:
    settings.SMANAV_ADDRESS_FAILURE_LIMIT = 8
    user_create(username="attacker", email="attacker@example.org", password=PASSWORD)
    user_create(username="mother", email="mother@example.org", password=PASSWORD)
    for index in range(7):
        sign_in(f"guess{index}", "wrong password", ELSEWHERE)
    _, client = sign_in("attacker", PASSWORD, ELSEWHERE)
    assert signed_in(client)
    sign_in("guess7", "wrong password", ELSEWHERE)
    _, client = sign_in("mother", PASSWORD, ELSEWHERE)
    assert not signed_in(client)


def test_the_password_reset_answers_alike_for_a_known_and_an_unknown_address() -> None:
    user_create(username="mother", email="mother@example.org", password=PASSWORD)
    answers = []
    for address in ("mother@example.org", "nobody@example.org"):
        client = Client()
        sent = client.post(reverse("accounts:password_reset"), {"email": address})
        page = client.get(sent["Location"])
        answers.append((sent.status_code, sent["Location"], page.status_code, page.content))
    assert answers[0] == answers[1]
    assert b"If an account uses that address" in answers[0][3]
