"""The emails a gallery sends: each names its template, who it goes to and what it is about, and
is queued in the outbox (sent after commit, by Celery)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from bookings.models import Client
from photostudio.outbox import queue_email

from . import accounts
from .models import Gallery


def _to_client(gallery: Gallery, name: str, **context) -> None:
    """Email the client about their gallery (a reply goes to the studio); the link signs them in and opens it."""
    queue_email(
        name,
        to=gallery.client.email,
        reply_to=settings.STUDIO_EMAIL,
        context={
            "gallery": gallery,
            "client": gallery.client,
            "url": accounts.sign_in_url(gallery.client, next_url=gallery.get_absolute_url()),
            **context,
        },
        about=gallery,
    )


def _from_client(gallery: Gallery, name: str, *, admin_anchor: str = "", **context) -> None:
    """Email the photographer about what a client did (a reply goes to the client), with the gallery's admin link."""
    queue_email(
        name,
        to=settings.STUDIO_EMAIL,
        reply_to=gallery.client.email,
        context={
            "gallery": gallery,
            "client": gallery.client,
            "admin_url": settings.SITE_URL + gallery.get_admin_url() + admin_anchor,
            **context,
        },
        about=gallery,
    )


def tell_client(gallery: Gallery, name: str, *, count: int, **context) -> None:
    """Tell the client about their gallery; the link signs them in and opens it."""
    _to_client(gallery, name, count=count, **context)


def selection_submitted(gallery: Gallery, photos, *, count, names: str, note: str = "", orders_price=0) -> None:
    """Tell the photographer which photos the client chose and what they wrote (a reply goes to the client)."""
    _from_client(
        gallery,
        "selection_submitted",
        photos=photos,
        count=count,
        names=names,
        note=note,
        orders_price=orders_price,
        currency=settings.CURRENCY_SYMBOL,
    )


def selection_receipt(gallery: Gallery, photos, *, count, note: str = "", orders_price=0, promised_on=None) -> None:
    """Send the client a record of the selection they sent: the file names, their crops and
    retouching, any extras and their price, and the date their finished photos are promised by.
    `photos` were read with `photo_orders.with_orders`."""
    _to_client(
        gallery,
        "selection_receipt",
        photos=photos,
        count=count,
        note=note,
        orders_price=orders_price,
        currency=settings.CURRENCY_SYMBOL,
        promised_on=promised_on,
    )


def selection_editing(gallery: Gallery, *, selection, late: bool) -> None:
    """Tell the client their photos are being edited now, and by when they are promised."""
    _to_client(gallery, "selection_editing", selection=selection, late=late, url=_dashboard_url(gallery))


def selection_ready(gallery: Gallery, *, selection, late: bool) -> None:
    """Tell the client their edited photos are being prepared for delivery."""
    _to_client(gallery, "selection_ready", selection=selection, late=late, url=_dashboard_url(gallery))


def _dashboard_url(gallery: Gallery) -> str:
    """The link signs the client in on their page, where the work's progress shows."""
    return accounts.sign_in_url(gallery.client, next_url=reverse("portal:dashboard"))


def new_comments(gallery: Gallery, comments) -> None:
    """Tell the photographer what the client wrote on their proofs (a reply goes to the client)."""
    _from_client(
        gallery,
        "new_comments",
        admin_anchor="#comments",
        comments=comments,
        photo_count=len({c.photo_id for c in comments}),
    )


def gallery_expiring(gallery: Gallery) -> None:
    """Tell the photographer a gallery closes soon."""
    queue_email(
        "gallery_expiring",
        to=settings.STUDIO_EMAIL,
        context={"gallery": gallery, "admin_url": settings.SITE_URL + gallery.get_admin_url()},
        about=gallery,
    )


def sign_in_link(email: str, *, next_url: str = "/portal/") -> bool:
    """Email a short-lived link if a client has this address. Says nothing either way to the page."""
    client = Client.objects.filter(email__iexact=email.strip()).first()
    if client is None:
        return False
    with transaction.atomic():
        queue_email(
            "portal_sign_in",
            to=client.email,
            context={
                "client": client,
                "url": accounts.sign_in_url(client, next_url=next_url, scope=accounts.SCOPE_REQUESTED),
                "minutes": settings.PORTAL_LOGIN_LINK_MINUTES,
            },
            about=client,
        )
    return True


def client_asks_to_be_forgotten(client: Client) -> None:
    """Tell the photographer a client asked to have their details deleted (a reply goes to the client)."""
    with transaction.atomic():
        queue_email(
            "client_asks_deletion",
            to=settings.STUDIO_EMAIL,
            reply_to=client.email,
            context={
                "client": client,
                "admin_url": settings.SITE_URL + reverse("admin:bookings_client_change", args=[client.pk]),
            },
            about=client,
        )
