import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import closed_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.mark.redis
def test_it_is_healthy_when_database_and_broker_answer(client, settings, redis_url):
    settings.REDIS_URL = redis_url

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "detail": "redis"}


def test_it_is_503_naming_the_broker_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False
    assert "redis not answering" in body["checks"]["broker"]["detail"]
    assert body["checks"]["database"]["ok"] is True


def test_it_is_healthy_without_a_broker_when_tasks_run_in_process(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["detail"] == "none: tasks run in-process"


def test_it_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.postgres
def test_it_names_postgresql_as_the_database(client):
    response = client.get("/healthz")

    assert response.json()["checks"]["database"] == {"ok": True, "detail": "postgresql"}


def test_a_failing_broker_is_named_without_its_address_which_goes_to_the_log(client, settings, caplog):
    port = closed_port()
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    text = response.content.decode()
    assert str(port) not in text and "127.0.0.1" not in text and "refused" not in text.lower()
    assert str(port) in caplog.text  # the detail is in the log, for whoever runs the server


def test_a_failing_database_is_named_without_its_address_or_error_text():
    """The site's own process with its database gone: /healthz says "database", and nothing else."""
    port = closed_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "photostudio.settings",
        "DATABASE_URL": f"postgres://studio:secret@127.0.0.1:{port}/photostudio",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "testserver",
    }
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )

    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    status, body = run.stdout.strip().split("\n", 1)
    assert status == "503", run.stdout + run.stderr
    assert json.loads(body)["failing"] == ["database"]
    assert str(port) not in body and "127.0.0.1" not in body and "studio" not in body
    assert "connection" not in body.lower()
    assert "health check: the database is not answering" in run.stderr and str(port) in run.stderr  # logged


def test_it_says_files_are_on_local_disk_without_object_storage(client):
    assert client.get("/healthz").json()["checks"]["storage"] == {"ok": True, "detail": "local disk"}
