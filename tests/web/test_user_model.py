"""smanav's own user model (ADR 0011): every account, and every foreign key to one, is `accounts.User`."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from smanav.accounts.models import User


def test_the_user_model_is_smanavs_own() -> None:
    assert get_user_model() is User
    assert User._meta.db_table == "accounts_user"


def test_every_foreign_key_to_an_account_points_at_it() -> None:
    pointing = [
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey | models.OneToOneField)
        and field.related_model is not None
        and field.related_model._meta.label in {"auth.User", "accounts.User"}
    ]
    assert pointing, "no foreign key to an account found"
    assert all(apps.get_model(label)._meta.get_field(name).related_model is User for label, name in pointing)
    assert ("patients.Guardian", "user") in pointing


@pytest.mark.django_db
def test_accounts_are_made_and_found_through_it() -> None:
    from smanav.accounts.services import user_create

    made = user_create(username="ada", email="ada@example.org", password="a long enough password 1")
    assert isinstance(made, User)
    assert User.objects.get(username="ada").check_password("a long enough password 1")
