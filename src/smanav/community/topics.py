"""The topics a conversation starts in, as the issue lists them. Written once here: the data migration
seeds them, and `topics_ensure` puts them back where a table was emptied (a flushed test database)."""

from __future__ import annotations

from typing import Any

# (slug, name, description), in the order members see them.
TOPICS: tuple[tuple[str, str, str], ...] = (
    (
        "newly-diagnosed",
        "Newly diagnosed",
        "The first weeks and months: what to ask, who to see, how others coped.",
    ),
    ("treatments", "Treatments", "Nusinersen, risdiplam, gene therapy and what living with them is like."),
    ("breathing", "Breathing", "Coughing, ventilation, chest infections and sleep."),
    ("nutrition", "Nutrition", "Eating, swallowing, feeding tubes and weight."),
    ("equipment", "Equipment", "Wheelchairs, seating, hoists, splints, computers and getting them funded."),
    (
        "school-and-work",
        "School and work",
        "Nursery, school, university, jobs and the support that makes them work.",
    ),
    (
        "adult-life",
        "Adult life",
        "Independence, relationships, housing, care staff and getting older with SMA.",
    ),
    ("parents", "Parents", "Parents and carers of children with SMA, for each other."),
    ("everyday-life", "Everyday life", "Travel, hobbies, holidays and everything else."),
)


def topics_seed(topic_model: Any) -> None:
    """Create the topics that are missing (by slug); never changes a topic an administrator edited."""
    for position, (slug, name, description) in enumerate(TOPICS):
        topic_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


def topics_ensure() -> None:
    from smanav.community.models import Topic

    topics_seed(Topic)
