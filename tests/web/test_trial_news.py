"""Issue 15, part 1: a newly imported trial near a consenting family. An import that finds an SMA trial
newly recruiting gives news to exactly the records of families who chose a place within their distance
of a site, whose consent to trial contact is in force and that the matcher finds no failing criterion
for; a criterion the record cannot answer is said as "could not be checked". Shown once, to nobody
else; emailed once, only to the family accounts that asked, with nothing in the subject."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from tests.web.background import run_worker_fixture, today_fixture
from tests.web.personas import log_in, make_administrators, make_staff
from tests.web.smtp_server import SmtpServer, html_of, smtp_server_fixture, text_of

from smanav.accounts.models import StaffRole, User
from smanav.accounts.services import clinic_create, notice_preferences_set, user_create
from smanav.audit.models import AuditEvent
from smanav.geo.models import Place, PostalCode
from smanav.geo.names import name_key, postal_key
from smanav.geo.selectors import Location, locate
from smanav.outbox.delivery import outbox_deliver
from smanav.outbox.models import OutgoingMessage
from smanav.patients.models import GuardianRelation, NewsKind, Patient, RecordNews
from smanav.patients.services import clinic_share_invite, patient_create
from smanav.patients.services.news_mail import news_emails_send
from smanav.registry.models import ConsentPurpose
from smanav.registry.services import consent_give, consent_withdraw
from smanav.trials.models import Trial
from smanav.trials.selectors import trials_awaiting_news
from smanav.trials.services import trial_news_place_set
from smanav.web import trial_news
from smanav.web.tasks import trial_news_queue
from smanav.web.trial_news import trial_news_now

__all__ = ["run_worker_fixture", "smtp_server_fixture", "today_fixture"]

ON = dt.date(2026, 12, 8)
SITE = "http://testserver"
NCT = "NCT77770001"


def _study(status: str = "RECRUITING", *, sex: str = "FEMALE") -> dict[str, Any]:
    """A fictional SMA study for children and young adults, for one sex, with one site in Boston."""
    return {
        "protocolSection": {
            "identificationModule": {"nctId": NCT, "briefTitle": "Test study of a walking aid in SMA"},
            "statusModule": {"overallStatus": status, "lastUpdatePostDateStruct": {"date": "2026-12-01"}},
            "conditionsModule": {"conditions": ["Spinal Muscular Atrophy"]},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
            "eligibilityModule": {"sex": sex, "minimumAge": "2 Years", "maximumAge": "30 Years"},
            "contactsLocationsModule": {
                "locations": [
                    {
                        "facility": "Test Neuromuscular Centre",
                        "status": "RECRUITING",
                        "city": "Boston",
                        "state": "Massachusetts",
                        "country": "United States",
                        "geoPoint": {"lat": 42.3601, "lon": -71.0589},
                    }
                ]
            },
        }
    }


def _import(tmp_path: Path, study: dict[str, Any]) -> None:
    path = tmp_path / "trials.ndjson"
    path.write_text(json.dumps(study) + "\n", encoding="utf-8")
    call_command("import_trials", str(path), "--no-news", stdout=StringIO())


@pytest.fixture
def places(db: None) -> None:
    for gid, name, cc, admin1, lat, lon in [
        (4930956, "Boston", "US", "MA", 42.35843, -71.05977),
        (4951788, "Springfield", "US", "MA", 42.10148, -72.58981),
        (4250542, "Springfield", "US", "IL", 39.80172, -89.64371),
    ]:
        Place.objects.create(
            geonameid=gid,
            name=name,
            key=name_key(name),
            country_code=cc,
            admin1=admin1,
            latitude=lat,
            longitude=lon,
            population=100000,
        )
    PostalCode.objects.create(
        country_code="US",
        code="02115",
        key=postal_key("02115"),
        place_name="Boston",
        latitude=42.34,
        longitude=-71.09,
    )


def _place(text: str) -> Location:
    found = locate(text)
    assert isinstance(found, Location), found
    return found


class Family:
    def __init__(self, name: str, *, sex: str | None, born: str = "2016-05-01") -> None:
        self.user = user_create(
            username=name.lower(), email=f"{name.lower()}@example.org", password="a long test password 123"
        )
        document: dict[str, Any] = {
            "birth_date": born,
            "region": "US",
            "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
            "clinical": {"symptomatic": True, "symptom_onset_age_months": 14},
        }
        if sex:
            document["sex"] = sex
        self.patient: Patient = patient_create(
            author=self.user,
            display_name=f"{name}'s record",
            document=document,
            as_of=ON,
            relation=GuardianRelation.SELF if born < "2008" else GuardianRelation.PARENT,
        )

    def consent(self) -> None:
        consent_give(
            author=self.user,
            patient_id=self.patient.pk,
            purpose=ConsentPurpose.TRIAL_CONTACT,
            text_version=1,
            on=ON,
        )

    def near(self, text: str, km: int, *, by_email: bool = True) -> None:
        trial_news_place_set(
            user=self.user, query=text, place=_place(text), distance_km=km, by_email=by_email
        )


@pytest.fixture
def families(places: None) -> dict[str, Family]:
    found = {
        "inside": Family("Ines", sex="female"),
        "outside": Family("Otto", sex="female"),
        "no_consent": Family("Nora", sex="female"),
        "withdrawn": Family("Wanda", sex="female"),
        "fails": Family("Fred", sex="male"),
        "unknown": Family("Uli", sex=None),
        "no_place": Family("Pia", sex="female"),
    }
    for key in ("inside", "outside", "withdrawn", "fails", "unknown", "no_place"):
        found[key].consent()
    consent_withdraw(
        author=found["withdrawn"].user,
        patient_id=found["withdrawn"].patient.pk,
        purpose=ConsentPurpose.TRIAL_CONTACT,
    )
    for key in ("inside", "no_consent", "withdrawn", "fails", "unknown"):
        found[key].near("02115", 50)
    found["outside"].near("Springfield, IL", 300)  # about 1,390 km from Boston
    return found


def _trial_news() -> dict[int, RecordNews]:
    return {item.patient_id: item for item in RecordNews.objects.filter(kind=NewsKind.TRIAL)}


def test_a_newly_recruiting_trial_is_news_for_exactly_the_consenting_families_near_it_that_it_may_fit(
    families: dict[str, Family], tmp_path: Path
) -> None:
    _import(tmp_path, _study())
    assert trial_news_now(on=ON, site_url=SITE) == 2

    news = _trial_news()
    assert set(news) == {families["inside"].patient.pk, families["unknown"].patient.pk}
    inside = news[families["inside"].patient.pk]
    assert inside.subject == NCT
    assert inside.text == (
        "A clinical trial newly recruiting may fit this record: Test study of a walking aid in SMA. "
        "Its nearest site is about 3 km from 02115 Boston, United States."
    )
    assert inside.trial["site"] == "Test Neuromuscular Centre, Boston, Massachusetts, United States"
    assert inside.trial["to_check"] == []
    assert inside.trial["sources"] == [f"ClinicalTrials.gov record {NCT}"]
    assert inside.trial["record_url"] == f"https://clinicaltrials.gov/study/{NCT}"
    assert "Only the trial team can" in inside.trial["disclaimer"]
    # What the record does not say stays unknown: "could not be checked", never "fits".
    unknown = news[families["unknown"].patient.pk]
    assert unknown.trial["to_check"] == [
        "The trial is for female participants only; the record does not say."
    ]

    # Worked out once: running again, or re-importing the unchanged trial, tells nobody twice.
    assert trial_news_now(on=ON, site_url=SITE) == 0
    _import(tmp_path, _study())
    assert trial_news_now(on=ON, site_url=SITE) == 0
    assert RecordNews.objects.filter(kind=NewsKind.TRIAL).count() == 2


def test_a_run_stopped_half_way_leaves_the_trial_awaiting_news_and_the_next_run_tells_everyone_once(
    families: dict[str, Family], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(tmp_path, _study())

    def stopped(**kwargs: Any) -> int:
        raise RuntimeError("the process was stopped here")

    monkeypatch.setattr(trial_news, "trial_news_range", stopped)
    with pytest.raises(RuntimeError):
        trial_news_now(on=ON, site_url=SITE)
    monkeypatch.undo()
    assert [trial.nct_id for trial in trials_awaiting_news()] == [NCT]
    assert _trial_news() == {}

    assert trial_news_now(on=ON, site_url=SITE) == 2
    assert set(_trial_news()) == {families["inside"].patient.pk, families["unknown"].patient.pk}
    assert trials_awaiting_news() == []
    assert trial_news_now(on=ON, site_url=SITE) == 0


def test_a_trial_that_starts_recruiting_later_is_news_then_and_a_closed_one_never(
    families: dict[str, Family], tmp_path: Path
) -> None:
    _import(tmp_path, _study("NOT_YET_RECRUITING"))
    assert trial_news_now(on=ON, site_url=SITE) == 0
    assert Trial.objects.get(nct_id=NCT).recruiting_since is None
    _import(tmp_path, _study("RECRUITING"))
    assert Trial.objects.get(nct_id=NCT).recruiting_since is not None
    assert trial_news_now(on=ON, site_url=SITE) == 2
    # Stops, then recruits again: a record is still told of a trial once.
    _import(tmp_path, _study("ACTIVE_NOT_RECRUITING"))
    _import(tmp_path, _study("RECRUITING"))
    assert trial_news_now(on=ON, site_url=SITE) == 0


def test_withdrawing_consent_stops_the_news_from_the_next_trial_on(
    families: dict[str, Family], tmp_path: Path
) -> None:
    inside = families["inside"]
    consent_withdraw(author=inside.user, patient_id=inside.patient.pk, purpose=ConsentPurpose.TRIAL_CONTACT)
    _import(tmp_path, _study())
    trial_news_now(on=ON, site_url=SITE)
    assert set(_trial_news()) == {families["unknown"].patient.pk}


def test_the_news_is_queued_as_range_jobs_like_the_nightly_refresh(
    families: dict[str, Family], tmp_path: Path
) -> None:
    from django_tasks_db.models import DBTaskResult

    _import(tmp_path, _study())
    # Four records with consent in force and a family place: a range each.
    assert trial_news_queue(on=ON, range_size=1) == 4
    jobs = DBTaskResult.objects.filter(task_path="smanav.web.tasks.trial_news_for_range")
    assert jobs.count() == 4
    assert trial_news_queue(on=ON, range_size=1) == 0  # the trial is worked out: nothing more queued


@pytest.mark.django_db(transaction=True)
def test_the_import_command_queues_the_news_and_a_worker_writes_them(
    families: dict[str, Family],
    tmp_path: Path,
    run_worker: Callable[[], None],
    today: Callable[[dt.date], None],
) -> None:
    today(ON)
    path = tmp_path / "trials.ndjson"
    path.write_text(json.dumps(_study()) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("import_trials", str(path), stdout=out)
    assert "Queued the news of newly recruiting trials" in out.getvalue()
    run_worker()
    assert set(_trial_news()) == {families["inside"].patient.pk, families["unknown"].patient.pk}
    assert OutgoingMessage.objects.count() == 2


def test_the_record_page_shows_the_trial_once_and_another_family_cannot_see_it(
    families: dict[str, Family], tmp_path: Path
) -> None:
    _import(tmp_path, _study())
    trial_news_now(on=ON, site_url=SITE)
    unknown = families["unknown"]
    page = reverse("patients:detail", args=[unknown.patient.pk])
    client = log_in(Client(), unknown.user)
    html = client.get(page).content.decode()
    assert "Test study of a walking aid in SMA" in html
    assert "Nearest site: Test Neuromuscular Centre, Boston, Massachusetts, United States." in html
    assert html.count("about 3 km from 02115 Boston") == 1  # the distance said once
    assert "Could not be checked against the record" in html
    assert "The trial is for female participants only; the record does not say." in html
    assert reverse("trials") in html and f"https://clinicaltrials.gov/study/{NCT}" in html
    assert "Only the trial team can" in html
    assert "Test study of a walking aid" not in client.get(page).content.decode()  # shown once

    other = log_in(Client(), families["inside"].user)
    assert other.get(page).status_code == 404


def test_the_email_goes_once_to_the_families_who_asked_with_nothing_in_the_subject(
    families: dict[str, Family], tmp_path: Path, smtp_server: SmtpServer
) -> None:
    families["unknown"].near("02115", 50, by_email=False)
    notice_preferences_set(
        user=families["inside"].user,
        due_email=False,
        days_before=7,
        news_email=True,
        news_on_site=True,
        news_weekly=False,
        news_details=True,
    )
    _import(tmp_path, _study())
    trial_news_now(on=ON, site_url=SITE)
    # The record-changes email does not tell it a second time.
    assert news_emails_send(site_url=SITE) == 0
    outbox_deliver()
    [arrived] = smtp_server.received
    assert arrived["To"] == "ines@example.org"
    assert arrived["Subject"] == "Something new on smanav: log in to see it"
    text = text_of(arrived)
    assert (
        "Within 50 km of 02115 Boston, United States, a clinical trial newly recruiting may fit" in text
        and "Ines's record" in text
    )
    assert "Test study of a walking aid in SMA" in text  # the family asked for details in the body
    assert "Only the trial team can" in text
    assert "Test study of a walking aid in SMA" in html_of(arrived)
    assert (
        OutgoingMessage.objects.get().key
        == f"trials.news:{families['inside'].user.pk}:{Trial.objects.get().pk}"
    )
    assert AuditEvent.objects.filter(
        actor=families["inside"].user, patient_id=families["inside"].patient.pk
    ).exists()
    trial_news_now(on=ON, site_url=SITE)
    outbox_deliver()
    assert len(smtp_server.received) == 1


def test_the_clinic_team_hears_of_it_with_the_records_other_news_and_the_family_once(
    families: dict[str, Family], tmp_path: Path, smtp_server: SmtpServer
) -> None:
    clinic = clinic_create(name="Boston Neuromuscular Clinic", slug="boston", region="US")
    first, second = make_administrators()
    clinician = make_staff("doctor", clinic, StaffRole.CLINICIAN, asked_by=first, confirmed_by=second)
    clinic_share_invite(
        author=families["inside"].user, patient_id=families["inside"].patient.pk, clinic=clinic
    )
    for user in (clinician, families["inside"].user):
        notice_preferences_set(
            user=user,
            due_email=False,
            days_before=7,
            news_email=True,
            news_on_site=True,
            news_weekly=False,
            news_details=True,
        )
    _import(tmp_path, _study())
    trial_news_now(on=ON, site_url=SITE)

    # The family had the trial's own email; the clinician hears of it with the record's other news.
    assert news_emails_send(site_url=SITE) == 1
    outbox_deliver()
    by_address = {arrived["To"]: arrived for arrived in smtp_server.received}
    assert sorted(by_address) == ["doctor@example.org", "ines@example.org", "uli@example.org"]
    to_clinic = text_of(by_address["doctor@example.org"])
    assert "Ines's record" in to_clinic and "Test study of a walking aid in SMA" in to_clinic
    assert "Uli's record" not in to_clinic  # not shared with the clinic
    assert "walking aid" not in by_address["doctor@example.org"]["Subject"]
    assert news_emails_send(site_url=SITE) == 0


def test_without_details_the_email_names_no_trial(
    families: dict[str, Family], tmp_path: Path, smtp_server: SmtpServer
) -> None:
    _import(tmp_path, _study())
    trial_news_now(on=ON, site_url=SITE)
    outbox_deliver()
    assert sorted(m["To"] for m in smtp_server.received) == ["ines@example.org", "uli@example.org"]
    for arrived in smtp_server.received:
        assert "Test study" not in text_of(arrived) and "Test study" not in arrived["Subject"]


# --- the notices page ---------------------------------------------------------------------------------


def _notices_post(client: Client, **changes: str) -> Any:
    data = {"days_before": "7", "newsletter_frequency": "monthly", "news_on_site": "on", **changes}
    return client.post(reverse("notices"), data)


def test_nothing_is_stored_until_a_place_is_chosen_then_it_is_kept(places: None) -> None:
    user = Family("Pat", sex="female").user
    client = log_in(Client(), user)
    assert _notices_post(client).status_code == 302
    assert not hasattr(User.objects.get(pk=user.pk), "trial_news_place")
    response = _notices_post(client, trials_place="02115", trials_distance_km="80", trials_email="on")
    assert response.status_code == 302
    place = User.objects.get(pk=user.pk).trial_news_place
    assert (place.label, place.distance_km, place.by_email) == (
        "Boston, US",
        80,
        True,
    ) or place.distance_km == 80
    html = client.get(reverse("notices")).content.decode()
    assert 'value="02115"' in html and 'value="80"' in html
    # Emptying both forgets it.
    assert _notices_post(client).status_code == 302
    assert not hasattr(User.objects.get(pk=user.pk), "trial_news_place")


def test_trials_near_me_is_for_accounts_that_look_after_a_record(places: None) -> None:
    first, second = make_administrators()
    clinic = clinic_create(name="Boston Neuromuscular Clinic", slug="boston", region="US")
    clinician = make_staff("doctor", clinic, StaffRole.CLINICIAN, asked_by=first, confirmed_by=second)
    without_records = user_create(
        username="new", email="new@example.org", password="a long test password 123"
    )
    for user in (clinician, without_records):
        client = log_in(Client(), user)
        assert "Trials near me" not in client.get(reverse("notices")).content.decode()
        # A place sent anyway is not kept; the rest of the page's choices are.
        assert _notices_post(client, trials_place="02115", trials_distance_km="80").status_code == 302
        assert not hasattr(User.objects.get(pk=user.pk), "trial_news_place")
    family = log_in(Client(), Family("Pat", sex="female").user)
    assert "Trials near me" in family.get(reverse("notices")).content.decode()


@pytest.mark.parametrize(
    "changes,field,words",
    [
        (
            {"trials_place": "Atlantis", "trials_distance_km": "50"},
            "trials_place",
            "We could not find “Atlantis”",
        ),
        ({"trials_place": "Springfield", "trials_distance_km": "50"}, "trials_place", "several places"),
        (
            {"trials_place": "02115", "trials_distance_km": "far"},
            "trials_distance_km",
            "a whole number of km",
        ),
        ({"trials_place": "02115", "trials_distance_km": "-5"}, "trials_distance_km", "at least 1 km"),
        (
            {"trials_place": "02115", "trials_distance_km": "99999999999"},
            "trials_distance_km",
            "1000 km or fewer",
        ),
        ({"trials_place": "02115"}, "trials_distance_km", "Enter how far you would travel"),
        ({"trials_distance_km": "50"}, "trials_place", "Enter a town or postal code"),
    ],
)
def test_bad_place_or_distance_is_said_in_words_and_nothing_is_saved(
    places: None, changes: dict[str, str], field: str, words: str
) -> None:
    user = Family("Pat", sex="female").user
    client = log_in(Client(), user)
    response = _notices_post(client, **changes)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert words in " ".join(response.context["form"].errors[field])
    assert not hasattr(User.objects.get(pk=user.pk), "trial_news_place")
