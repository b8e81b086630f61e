"""Handing tasks to Celery without ever making a web request wait on, or fail because of, the broker.

A task is sent only after the transaction that wrote its rows commits. If Redis is down at that
moment the send is skipped after a quick check (publishing to a dead broker blocks for seconds
while Celery retries); the rows stay in their waiting state and a periodic sweep (Celery beat)
sends them once Redis is back: the outbox for emails, the stalled-photo sweep for images.

Where tasks live: a task module (`<app>/tasks.py`) imports the service it calls; a service never
imports a task module. It queues a task by its full name (`"galleries.tasks.process_photo"`) through
this module, so no service and task import each other.
"""

import logging
import threading

from celery import Task, current_app
from django.db import transaction

from .health import check_broker

log = logging.getLogger(__name__)


# Two requests queueing their first task at once (two photos uploaded side by side): without the lock
# the second sees the discovery already started, not finished, and finds no task of that name.
_discovery = threading.Lock()


def task_named(name: str) -> Task:
    """The registered task called `name` (its module imported on first use, as a worker does)."""
    if name not in current_app.tasks:
        with _discovery:
            if name not in current_app.tasks:
                current_app.loader.import_default_modules()  # runs the apps' tasks discovery
    return current_app.tasks[name]


def send_after_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: send_now_or_later(task_name, *args))


def send_now_or_later(task_name: str, *args) -> bool:
    """True if the task reached the broker (or ran, when tasks run in-process)."""
    broker = check_broker(timeout=0.3)
    if not broker.ok:
        log.warning("%s%s waits for the sweep: %s", task_name, args, broker.detail)
        return False
    try:
        # One quick retry: after a Redis restart the first pooled connection is stale, and the
        # retry reconnects (the broker answered the ping just now).
        task_named(task_name).apply_async(
            args, retry=True, retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0}
        )
    except Exception:  # broker gone mid-send, or (in-process) the task itself failed
        log.warning("%s%s waits for the sweep: could not send it", task_name, args, exc_info=True)
        return False
    return True
