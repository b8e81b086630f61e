import pytest

from tests.helpers import closed_port

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
