"""The first version of each consent text. Later wordings are added as new versions, never edited."""

from typing import Any

from django.db import migrations

# The wording lives beside the app so that it is written once; this migration only stores version 1.
from smanav.registry.texts import PUBLISHED_ON, TEXTS


def publish(apps: Any, schema_editor: Any) -> None:
    ConsentText = apps.get_model("registry", "ConsentText")
    for purpose, (title, text) in TEXTS.items():
        ConsentText.objects.get_or_create(
            purpose=purpose, version=1, defaults={"published_on": PUBLISHED_ON, "title": title, "text": text}
        )


def unpublish(apps: Any, schema_editor: Any) -> None:
    apps.get_model("registry", "ConsentText").objects.filter(version=1, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_consents")]
    operations = [migrations.RunPython(publish, unpublish)]
