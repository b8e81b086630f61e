"""Proofs move to private storage (only the access-checked proof view sends them), and each
photo records what its original is, as decoded, for the Content-Type of its download."""

from django.db import migrations, models

import photostudio.storage


def _move_proofs(apps, source: str, target: str) -> None:
    """Move every proof file between storages under the same name: rerunning after a failure
    (the rows roll back, the files moved so far stay moved) picks up where it stopped."""
    from django.core.files.storage import storages

    source_storage, target_storage = storages[source], storages[target]
    Photo = apps.get_model("galleries", "Photo")
    for photo in Photo.objects.exclude(proof="").only("pk", "proof", "thumb", "thumb_2x").iterator():
        name = photo.proof.name
        if not source_storage.exists(name):
            continue
        with source_storage.open(name, "rb") as fh:
            target_storage.delete(name)  # a partial copy from an interrupted run
            stored = target_storage.save(name, fh)
        Photo.objects.filter(pk=photo.pk).update(proof=stored)
        if name not in (photo.thumb.name, photo.thumb_2x.name):
            source_storage.delete(name)


def proofs_to_private(apps, schema_editor) -> None:
    _move_proofs(apps, "renditions", "private")


def proofs_to_public(apps, schema_editor) -> None:
    _move_proofs(apps, "private", "renditions")


def record_content_types(apps, schema_editor) -> None:
    from PIL import Image

    Photo = apps.get_model("galleries", "Photo")
    for photo in Photo.objects.filter(state="done", content_type="").exclude(original="").iterator():
        try:
            with photo.original.open("rb") as fh:
                found = Image.open(fh).format  # the header only: nothing is decoded
        except Exception:  # a missing or unreadable file: its download goes out as plain bytes
            continue
        content_type = Image.MIME.get("JPEG" if found == "MPO" else found, "")
        Photo.objects.filter(pk=photo.pk).update(content_type=content_type)


class Migration(migrations.Migration):
    dependencies = [
        ("galleries", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="photo",
            name="content_type",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="What the original is, as decoded (not its name).",
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="photo",
            name="proof",
            field=models.FileField(
                blank=True, max_length=200, storage=photostudio.storage.private_storage, upload_to=""
            ),
        ),
        migrations.RunPython(proofs_to_private, proofs_to_public),
        migrations.RunPython(record_content_types, migrations.RunPython.noop),
    ]
