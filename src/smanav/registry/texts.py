"""The consent texts as the project publishes them: each purpose's wording, by version.

A wording is never edited once published; a new wording is a new version. The first versions are put in
the database by a migration; `publish_missing` puts them back where the table was emptied (a test database
flushed between tests, a database restored without them), so a consent is never refused for want of its text.
"""

import datetime as dt

from smanav.registry.models import ConsentText

PUBLISHED_ON = dt.date(2026, 12, 7)

TEXTS = {
    "clinical_care": (
        "Sharing with the clinical team",
        "The clinics you invite can see this record and add to it, to plan and give care. "
        "You choose which clinics on the page 'Sharing with clinics', and you can stop sharing at any time.",
    ),
    "registry": (
        "Taking part in the registry",
        "This record is counted in the registry: how many people live with SMA, which treatments they "
        "have, and how they are doing over the years. Your name, address and contact details are never "
        "part of what it gives out. You will be asked regularly to check your data. You can stop at "
        "any time: from then on the record is left out of every new count and export.",
    ),
    "research": (
        "Use in research",
        "Researchers in an approved research project may receive this record without your name, with a "
        "code instead of your identity and with dates shifted or shortened, to learn what treatments do "
        "in real life. Notes written in your own words are never given out. You can stop at any time: "
        "the record is left out of every later export. Data already given to a project cannot be taken back.",
    ),
    "trial_contact": (
        "Being contacted about clinical trials",
        "If a clinical trial might suit this person, the registry may tell you about it. Being told does "
        "not mean taking part: you decide then, with your clinical team. You can stop at any time.",
    ),
    "data_linkage": (
        "Linking with other health records",
        "The registry may link this record with other health records about the same person (for example "
        "a hospital's records or another SMA registry) so the data are complete and not counted twice. "
        "You can stop at any time: no new link is made after that.",
    ),
}


def publish_missing() -> None:
    """Store every text above that the database lacks (one query when none is missing)."""
    if ConsentText.objects.filter(version=1).count() >= len(TEXTS):
        return
    for purpose, (title, text) in TEXTS.items():
        ConsentText.objects.get_or_create(
            purpose=purpose, version=1, defaults={"published_on": PUBLISHED_ON, "title": title, "text": text}
        )
