import logging
import socket
from datetime import UTC, datetime

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import outbox
from .celery import EMAIL_TIME_LIMITS, OutsideWorldTask

log = logging.getLogger(__name__)


@shared_task(ignore_result=False)
def ping() -> dict[str, str]:
    """Answer from a worker: lets `manage.py ping_worker` prove the broker and a worker work."""
    return {"worker": socket.gethostname(), "at": datetime.now(UTC).isoformat()}


@shared_task(bind=True, base=OutsideWorldTask, **EMAIL_TIME_LIMITS)
def send_outgoing_email(self, email_id: int) -> None:
    try:
        outbox.deliver(email_id)
    except SoftTimeLimitExceeded:
        # The mail server is stuck mid-conversation: deliver() has released the message, so the
        # outbox sweep sends it again later; this worker goes on with the next email.
        log.warning("email %s: gave up after %s s; the sweep will send it again", email_id, self.soft_time_limit)
        return
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            outbox.mark_failed(email_id, f"gave up after {self.request.retries + 1} attempts: {exc}")
        raise


@shared_task
def send_pending_emails() -> int:
    return outbox.sweep()
