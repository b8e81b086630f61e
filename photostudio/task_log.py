"""One structured log line per task (id, name, duration, outcome), and a visible record of failures.

Connected from photostudio/celery.py; runs inside the worker."""

import json
import logging
import time

from celery import signals

log = logging.getLogger("photostudio.tasks")
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _start(task_id=None, task=None, **_) -> None:
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _finish(task_id=None, task=None, args=None, state=None, **_) -> None:
    took = time.monotonic() - _started.pop(task_id, time.monotonic())
    line = {"task": task.name, "id": task_id, "args": list(args or ()), "outcome": state, "ms": round(took * 1000)}
    log.info(json.dumps(line))


@signals.task_failure.connect
def _record_failure(sender=None, task_id=None, exception=None, args=None, **_) -> None:
    from .models import FailedTask

    try:
        FailedTask.objects.create(
            task=sender.name, task_id=task_id or "", arguments=repr(args)[:500], error=repr(exception)[:5000]
        )
    except Exception:  # the database may be what failed: the log line above still tells
        log.exception("could not record the failure of %s", task_id)
