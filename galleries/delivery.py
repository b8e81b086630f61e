"""Delivering the finished photos: full-size downloads and one zip of everything."""

import tempfile
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from photostudio.outbox import queue_email
from photostudio.queueing import send_after_commit

from . import tasks
from .models import Download, Gallery, Photo, ZipArchive
from .services import email_client

ZIP_LIFETIME = timedelta(days=2)


class DeliveryError(Exception):
    pass


def deliver(gallery: Gallery) -> int:
    """Mark the gallery delivered: its edited finals if it has any, else the selected originals.
    Emails the client. Returns how many photos were delivered."""
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().select_related("client").get(pk=gallery.pk)
        if gallery.status == Gallery.Status.DELIVERED:
            return gallery.photos.filter(delivered=True).count()
        finals = gallery.photos.filter(is_final=True, state=Photo.State.DONE)
        chosen = gallery.photos.filter(favourite__isnull=False, state=Photo.State.DONE)
        photos = finals if finals.exists() else chosen
        delivered = photos.update(delivered=True)
        if not delivered:
            raise DeliveryError("Nothing to deliver: upload the edited finals, or wait for the client's selection.")
        gallery.status = Gallery.Status.DELIVERED
        gallery.delivered_at = timezone.now()
        gallery.save(update_fields=["status", "delivered_at"])
        email_client(gallery, "gallery_delivered", count=delivered)
        return delivered


def request_zip(gallery: Gallery) -> ZipArchive:
    """The gallery's current zip, or a new one being built (never two at once)."""
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().get(pk=gallery.pk)
        if gallery.status != Gallery.Status.DELIVERED:
            raise DeliveryError("The photos haven't been delivered yet.")
        current = gallery.zips.filter(expires_at__gt=timezone.now()).exclude(state=ZipArchive.State.FAILED).first()
        if current:
            return current
        archive = ZipArchive.objects.create(
            gallery=gallery,
            expires_at=timezone.now() + ZIP_LIFETIME,
            files_total=gallery.photos.filter(delivered=True).count(),
        )
        send_after_commit(tasks.build_zip, archive.pk)
        return archive


def build_zip(archive_id: int) -> bool:
    """Write the zip to a temporary file, then store it in one go: no half-written zip is ever
    visible. Safe to run twice (a ready zip is left alone)."""
    archive = ZipArchive.objects.filter(pk=archive_id, state=ZipArchive.State.BUILDING).first()
    if archive is None:
        return False
    photos = list(archive.gallery.photos.filter(delivered=True).order_by("original_name"))
    with tempfile.TemporaryFile() as tmp:
        names: set[str] = set()
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for n, photo in enumerate(photos, 1):
                with photo.original.open("rb") as src, zf.open(_unique(photo.original_name, names), "w") as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        dst.write(chunk)
                ZipArchive.objects.filter(pk=archive.pk).update(files_done=n)
        size = tmp.tell()
        tmp.seek(0)
        archive.file.save(f"{archive.key}.zip", File(tmp), save=False)
    ZipArchive.objects.filter(pk=archive.pk).update(
        file=archive.file.name, state=ZipArchive.State.READY, size_bytes=size, files_done=len(photos)
    )
    return True


def remove_expired_zips() -> int:
    removed = 0
    for archive in ZipArchive.objects.filter(expires_at__lt=timezone.now()):
        if archive.file:
            archive.file.delete(save=False)
        archive.delete()
        removed += 1
    return removed


def record_download(gallery: Gallery, user, *, photo: Photo | None = None, archive: ZipArchive | None = None):
    Download.objects.create(gallery=gallery, user=user, photo=photo, archive=archive)


def remind_expiring(*, days: int = 3) -> int:
    """Tell the photographer about galleries closing within `days` (once per gallery and day)."""
    today = timezone.localdate()
    soon = Gallery.objects.filter(
        status=Gallery.Status.PROOFING, expires_on__gte=today, expires_on__lte=today + timedelta(days=days)
    ).exclude(expiry_reminder_sent_on=today)
    sent = 0
    for gallery in soon.select_related("client"):
        with transaction.atomic():
            if (
                Gallery.objects.filter(pk=gallery.pk)
                .exclude(expiry_reminder_sent_on=today)
                .update(expiry_reminder_sent_on=today)
            ):
                queue_email(
                    "gallery_expiring",
                    to=settings.STUDIO_EMAIL,
                    context={"gallery": gallery, "admin_url": settings.SITE_URL + gallery.get_admin_url()},
                    about=gallery,
                )
                sent += 1
    return sent


def _unique(name: str, taken: set[str]) -> str:
    """The photo's own file name inside the zip, made unique if two share one."""
    stem, dot, ext = name.replace("/", "_").rpartition(".")
    stem, ext = (stem, f".{ext}") if dot else (name, "")
    candidate, n = f"{stem}{ext}", 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{ext}"
    taken.add(candidate)
    return candidate
