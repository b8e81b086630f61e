"""The emails a gallery sends: each names its template, who it goes to and what it is about, and
is queued in the outbox (sent after commit, by Celery)."""

from django.conf import settings

from photostudio.outbox import queue_email

from . import accounts
from .models import Gallery


def tell_client(gallery: Gallery, name: str, *, count: int) -> None:
    """Tell the client about their gallery; the link signs them in (once) and opens it."""
    queue_email(
        name,
        to=gallery.client.email,
        reply_to=settings.STUDIO_EMAIL,
        context={
            "gallery": gallery,
            "client": gallery.client,
            "count": count,
            "url": accounts.sign_in_url(gallery.client, next_url=gallery.get_absolute_url()),
        },
        about=gallery,
    )
