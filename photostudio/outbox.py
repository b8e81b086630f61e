"""Emails through the outbox: render and store in the caller's transaction, send from a task.

`queue_email(...)` is called inside the service that changes state, so the message exists if and
only if the change does. After commit its task is handed to the broker; if the broker is down the
web request does not wait or fail: the row stays pending and `sweep()` (Celery beat, every minute)
hands it over again. `deliver()` claims the row first, so a message queued twice is sent once.
"""

import base64
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutgoingEmail
from .queueing import send_now_or_later
from .studio_zone import studio_time

log = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send; the message may be retried.
CLAIM_TIMEOUT = timedelta(minutes=10)
# The sweep leaves fresh messages alone: their own task is normally on its way.
SWEEP_GRACE = timedelta(seconds=30)


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML from templates/emails/<name>.subject.txt, .txt and .html.

    Times are written on the studio's wall clock, whoever or whatever sends the message."""
    context = {"studio_name": settings.STUDIO_NAME, "studio_email": settings.STUDIO_EMAIL, **context}
    with studio_time():
        subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context).split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def queue_email(
    name: str,
    *,
    to: str,
    context: dict,
    about: models.Model | None = None,
    reply_to: str = "",
    attachments: list[tuple[str, str, bytes]] = (),
) -> OutgoingEmail:
    subject, text, html = render_email(name, context)
    email = OutgoingEmail.objects.create(
        kind=name,
        to=to,
        reply_to=reply_to,
        subject=subject,
        text=text,
        html=html,
        attachments=[
            {"filename": f, "content_type": t, "content": base64.b64encode(c).decode()} for f, t, c in attachments
        ],
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=str(about.pk) if about is not None else "",
    )
    transaction.on_commit(lambda: hand_to_worker(email.pk))
    return email


def hand_to_worker(email_id: int) -> None:
    send_now_or_later("photostudio.tasks.send_outgoing_email", email_id)


def deliver(email_id: int) -> bool:
    """Send one message unless it was sent or another worker is sending it. True if sent now."""
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    for a in email.attachments:
        message.attach(a["filename"], base64.b64decode(a["content"]), a["content_type"])
    try:
        message.send()
    except Exception as exc:
        OutgoingEmail.objects.filter(pk=email_id).update(claimed_at=None, last_error=f"{type(exc).__name__}: {exc}")
        raise
    OutgoingEmail.objects.filter(pk=email_id).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())
    return True


def mark_failed(email_id: int, error: str) -> None:
    OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.PENDING).update(
        status=OutgoingEmail.Status.FAILED, last_error=error, claimed_at=None
    )


def sweep() -> int:
    """Hand every pending message that no worker holds back to the broker. Returns how many."""
    now = timezone.now()
    ids = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING, created_at__lt=now - SWEEP_GRACE)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .values_list("pk", flat=True)[:500]
    )
    for email_id in ids:
        hand_to_worker(email_id)
    return len(ids)
