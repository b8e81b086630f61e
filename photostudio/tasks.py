import socket
from datetime import UTC, datetime

from celery import shared_task


@shared_task(ignore_result=False)
def ping() -> dict[str, str]:
    """Answer from a worker: lets `manage.py ping_worker` prove the broker and a worker work."""
    return {"worker": socket.gethostname(), "at": datetime.now(UTC).isoformat()}
