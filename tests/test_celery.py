import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.management import CommandError, call_command

from photostudio.celery import EMAIL_QUEUE, IMAGES_QUEUE, TASK_QUEUES
from photostudio.celery import app as celery_app
from photostudio.tasks import ping
from tests.helpers import closed_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.celery_worker
def test_a_task_travels_through_redis_to_a_real_worker_and_back(celery_worker):
    result = ping.delay()

    answer = result.get(timeout=30)

    assert result.successful()
    assert answer["worker"]
    assert answer["at"].startswith("20")


@pytest.mark.celery_worker
@pytest.mark.parametrize("queue", ["default", EMAIL_QUEUE, IMAGES_QUEUE])
def test_ping_worker_reports_the_worker_answering_on_each_queue(celery_worker, capsys, queue):
    call_command("ping_worker", "--timeout=30", f"--queue={queue}")

    assert f"answered on {queue!r}" in capsys.readouterr().out


@pytest.mark.celery_worker
def test_ping_worker_fails_plainly_when_no_worker_answers(celery_worker, redis_url):
    with pytest.raises(CommandError, match="No worker answered on the 'nobody-listens' queue"):
        call_command("ping_worker", "--timeout=0.5", "--queue=nobody-listens")
    redis.Redis.from_url(redis_url).delete("nobody-listens")


def test_ping_worker_fails_plainly_and_quickly_when_the_broker_does_not_answer():
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}

    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "manage.py", "ping_worker", "--timeout=30"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert run.returncode == 1
    assert "The broker did not answer" in run.stderr
    assert time.monotonic() - started < 20  # gave up on the dead broker, did not wait for the timeout


# Image jobs: renditions (a gallery's photos, a session type's example), delivered-file copies (without
# location, web size), zips.
IMAGE_JOBS = {
    "galleries.tasks.process_photo",
    "galleries.tasks.prepare_download",
    "galleries.tasks.make_web_size",
    "galleries.tasks.build_zip",
    "galleries.tasks.make_finished_crops",
    "bookings.tasks.prepare_example_photo",
}


def queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def project_tasks() -> list[str]:
    celery_app.loader.import_default_modules()  # what a worker registers: every app's tasks module
    # Celery's own and those a test module defines (registered when the suite collects it) are not the project's.
    return sorted(
        name for name in celery_app.tasks if name.partition(".")[0] in {"photostudio", "bookings", "galleries"}
    )


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("photostudio.tasks.send_outgoing_email", EMAIL_QUEUE),
        ("galleries.tasks.process_photo", IMAGES_QUEUE),
        ("photostudio.tasks.ping", "default"),
    ],
)
def test_email_and_image_tasks_have_queues_of_their_own(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_task_of_the_project_is_routed_by_its_full_name():
    tasks = project_tasks()

    assert len(tasks) >= 10  # the registry was filled, not read empty
    assert [name for name in tasks if name not in TASK_QUEUES] == []
    assert [name for name in TASK_QUEUES if name not in tasks] == []  # no route left for a task that is gone


def names_queued_in_the_code() -> set[str]:
    """Every task name the services hand to photostudio.queueing (services name tasks, never import them)."""
    names = set()
    for path in [*ROOT.glob("photostudio/**/*.py"), *ROOT.glob("bookings/**/*.py"), *ROOT.glob("galleries/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in QUEUEING
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


QUEUEING = {"send_after_commit", "send_now_or_later", "task_named"}


def test_every_task_the_code_queues_by_name_exists():
    queued = names_queued_in_the_code()

    assert "galleries.tasks.process_photo" in queued and "photostudio.tasks.send_outgoing_email" in queued
    assert sorted(queued - set(project_tasks())) == []


def test_only_image_jobs_go_to_the_images_queue():
    on_images = {name for name in project_tasks() if queue_of(name) == IMAGES_QUEUE}

    assert on_images == IMAGE_JOBS


@pytest.mark.parametrize(
    "task_name",
    [
        "galleries.tasks.remind_expiring_galleries",
        "galleries.tasks.purge_unchosen_originals",
        "galleries.tasks.remove_expired_zips",
        "galleries.tasks.requeue_stalled_photos",
        "bookings.tasks.lapse_overdue_requests",
        "bookings.tasks.send_booking_reminders",
        "photostudio.tasks.send_pending_emails",
    ],
)
def test_reminders_purges_and_sweeps_never_wait_behind_uploads(task_name):
    assert queue_of(task_name) != IMAGES_QUEUE


def test_a_task_is_enqueued_only_once_the_transaction_commits(django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ping.delay_on_commit()

    # held back as an on-commit callback, not sent while the transaction was open
    assert len(callbacks) == 1


def test_a_lost_worker_hands_its_job_back_to_the_queue():
    conf = celery_app.conf

    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
