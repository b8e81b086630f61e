"""The emails a gallery sends: each names its template, who it goes to and what it is about, and
is queued in the outbox (sent after commit, by Celery)."""

from django.conf import settings

from photostudio.outbox import queue_email

from . import accounts
from .models import Gallery


def tell_client(gallery: Gallery, name: str, *, count: int) -> None:
    """Tell the client about their gallery; the link signs them in and opens it."""
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


def selection_submitted(gallery: Gallery, photos, *, count, names: str) -> None:
    """Tell the photographer which photos the client chose (a reply goes to the client)."""
    queue_email(
        "selection_submitted",
        to=settings.STUDIO_EMAIL,
        reply_to=gallery.client.email,
        context={
            "gallery": gallery,
            "client": gallery.client,
            "photos": photos,
            "count": count,
            "names": names,
            "admin_url": settings.SITE_URL + gallery.get_admin_url(),
        },
        about=gallery,
    )


def gallery_expiring(gallery: Gallery) -> None:
    """Tell the photographer a gallery closes soon."""
    queue_email(
        "gallery_expiring",
        to=settings.STUDIO_EMAIL,
        context={"gallery": gallery, "admin_url": settings.SITE_URL + gallery.get_admin_url()},
        about=gallery,
    )
