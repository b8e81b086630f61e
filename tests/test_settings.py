"""The environment contract: what the settings become for each variable (checked in a fresh process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings
from photostudio.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "email_backend": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
    "private": str(settings.PRIVATE_MEDIA_ROOT),
    "media": str(settings.MEDIA_ROOT),
}))
"""

CONTRACT = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT")


def settings_with(**variables: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT}
    env |= {"DJANGO_SETTINGS_MODULE": "photostudio.settings", **variables}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_with_nothing_set_it_runs_on_sqlite_with_tasks_in_process():
    s = settings_with()

    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["db_name"].endswith("db.sqlite3")
    assert s["eager"] is True
    assert s["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is False


def test_database_and_broker_come_from_the_environment():
    s = settings_with(
        DATABASE_URL="postgres://studio:secret@db.internal:5432/photostudio",
        REDIS_URL="redis://cache.internal:6379/2",
        EMAIL_URL="smtp://mailer:pw@mail.internal:587/?tls=True",
        ALLOWED_HOSTS="studio.example,www.studio.example",
        PRIVATE_MEDIA_ROOT="/srv/private",
    )

    assert s["engine"] == "django.db.backends.postgresql"
    assert s["db_name"] == "photostudio"
    assert s["eager"] is False
    assert s["broker"] == "redis://cache.internal:6379/2"
    assert s["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["hosts"] == ["studio.example", "www.studio.example"]
    assert s["private"] == "/srv/private"


def test_originals_are_kept_outside_the_public_media_folder():
    s = settings_with()

    assert not Path(s["private"]).is_relative_to(Path(s["media"]))
