"""Delivering the finished photos: each in full size and in web size (long edge 2048, sRGB JPEG,
made by a task with the image pipeline), and a zip of everything in either size.

What the client downloads carries no location by default: at delivery a task writes each photo's
copy without its GPS position and place names (`imaging.without_location`; the pixels are not
re-encoded, copyright and camera stay), unless the gallery is set to keep them."""

import logging
import secrets
import zipfile
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import pluralize
from django.utils import timezone

from photostudio import history, imaging
from photostudio.queueing import send_after_commit
from photostudio.storage import reading_by_ranges, writing

from . import emails, finished_crops, progress
from .models import Download, Gallery, Photo, Size, ZipArchive, zip_path

log = logging.getLogger(__name__)

ZIP_LIFETIME = timedelta(days=2)


class DeliveryError(Exception):
    pass


def deliver(gallery: Gallery, *, by=None) -> int:
    """Mark the gallery delivered: its edited finals if it has any, else the selected originals.
    Emails the client. Returns how many photos were delivered. `by`: the staff user delivering."""
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
        for pk in gallery.photos.filter(delivered=True).values_list("pk", flat=True):
            send_after_commit("galleries.tasks.prepare_download", pk)
            send_after_commit("galleries.tasks.make_web_size", pk)
            finished_crops.queue_for(pk)  # in case a final's crops were lost on the way (a rerun does nothing)
        history.record_change(
            gallery,
            before=gallery.status,
            after=Gallery.Status.DELIVERED,
            by=by,
            reason=f"{delivered} photo{pluralize(delivered)} delivered",
        )
        gallery.status = Gallery.Status.DELIVERED
        gallery.delivered_at = timezone.now()
        gallery.save(update_fields=["status", "delivered_at"])
        progress.mark_delivered(gallery)
        emails.tell_client(gallery, "gallery_delivered", count=delivered)
        return delivered


def request_zip(gallery: Gallery, *, size: str = Size.FULL) -> ZipArchive:
    """The gallery's current zip of that size, or a new one being built (never two at once)."""
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().get(pk=gallery.pk)
        if gallery.status != Gallery.Status.DELIVERED:
            raise DeliveryError("The photos haven't been delivered yet.")
        current = (
            gallery.zips.filter(size=size, expires_at__gt=timezone.now()).exclude(state=ZipArchive.State.FAILED).first()
        )
        if current:
            return current
        archive = ZipArchive.objects.create(
            gallery=gallery,
            size=size,
            expires_at=timezone.now() + ZIP_LIFETIME,
            files_total=gallery.photos.filter(delivered=True).count() + len(finished_crops.delivered_crops(gallery)),
        )
        send_after_commit("galleries.tasks.build_zip", archive.pk)
        return archive


def prepare_download(photo_id: int) -> bool:
    """Write the delivered photo's copy without its location (in a task, at delivery). Safe to run
    twice: a photo that has its copy, or whose gallery keeps the location, is left alone."""
    photo = Photo.objects.filter(pk=photo_id, delivered=True).select_related("gallery").first()
    if photo is None or photo.gallery.keep_location or photo.download or not photo.original:
        return False
    with photo.original.open("rb") as original:
        data = original.read()  # a photo is at most MAX_UPLOAD_BYTES
    copy = imaging.without_location(data)  # raises for a file it can't read: then no copy, no download
    if copy == data:
        return False  # it says nowhere where it was taken: the original goes out as it is
    suffix = photo.original.name.rsplit(".", 1)[-1]
    name = f"downloads/{photo.gallery.public_id}/{secrets.token_hex(16)}.{suffix}"
    stored = photo.download.storage.save(name, ContentFile(copy))
    if not Photo.objects.filter(pk=photo_id, download="").update(download=stored):
        photo.download.storage.delete(stored)  # another run got there first
    return True


def make_web_size(photo_id: int) -> bool:
    """Write a delivered photo's web-size copy: long edge 2048 (never enlarged), sRGB JPEG, without
    the studio's mark or any metadata (the location included). Safe to run twice."""
    photo = Photo.objects.filter(pk=photo_id, delivered=True).select_related("gallery").first()
    if photo is None or photo.web or not photo.original:
        return False
    with photo.original.open("rb") as original:
        web = imaging.make_renditions(original).proof  # the proof's size and colour, with no mark
    name = f"downloads/{photo.gallery.public_id}/web-{secrets.token_hex(16)}.jpg"
    stored = photo.web.storage.save(name, ContentFile(web))
    if not Photo.objects.filter(pk=photo_id, web="").update(web=stored):
        photo.web.storage.delete(stored)  # another run got there first
    return True


def web_file_for(photo: Photo) -> FieldFile | None:
    """The web-size copy, or None while it is being made (its task is sent again, in case it was lost)."""
    if photo.web:
        return photo.web
    send_after_commit("galleries.tasks.make_web_size", photo.pk)
    return None


def web_name(photo: Photo) -> str:
    """The web-size copy's file name: the photo's own, marked as web size, as a JPEG."""
    return f"{photo.original_name.rsplit('.', 1)[0]}-web.jpg"


def download_for(photo: Photo) -> FieldFile | None:
    """The file the client downloads: the original when the gallery keeps the location or the
    original records none, else the copy without it; None while that copy is being made (its
    task is sent again, in case it was lost)."""
    if photo.gallery.keep_location or not photo.original:
        return photo.original
    if photo.download:
        return photo.download
    with reading_by_ranges(photo.original) as original:  # from a bucket, its first bytes only
        if not imaging.says_where(original):  # reads its metadata only
            return photo.original
    send_after_commit("galleries.tasks.prepare_download", photo.pk)
    return None


def build_zip(archive_id: int) -> bool:
    """Write the zip into storage as it is made, a photo at a time: no zip of the gallery in memory
    or on a worker's disk. Nothing is visible under its name until it is whole (a bucket shows a
    multipart upload only once completed; on disk it is renamed into place). Safe to run twice (a
    ready zip is left alone; a rerun writes the same name anew)."""
    archive = ZipArchive.objects.filter(pk=archive_id, state=ZipArchive.State.BUILDING).first()
    if archive is None:
        return False
    try:
        return _build_zip(archive)
    except SoftTimeLimitExceeded:
        ZipArchive.objects.filter(pk=archive.pk).update(state=ZipArchive.State.FAILED)  # asking again starts anew
        log.warning("zip %s: gave up at the time limit", archive_id)
        return False


def _build_zip(archive: ZipArchive) -> bool:
    keep_location = archive.gallery.keep_location  # one gallery: the same for every photo
    web = archive.size == Size.WEB
    photos = list(archive.gallery.photos.filter(delivered=True).order_by("original_name"))
    for photo in photos:  # the web-size copies or the copies without location, made now if a task has not yet
        if web and not photo.web and make_web_size(photo.pk):
            photo.refresh_from_db(fields=["web"])
        if not web and not keep_location and not photo.download and prepare_download(photo.pk):
            photo.refresh_from_db(fields=["download"])
    crops = finished_crops.delivered_crops(archive.gallery)
    name = zip_path(archive, "")
    with writing(archive.file.storage, name) as stream:
        written = _Counted(stream)
        names: set[str] = set()
        # The stream has no tell(): zipfile writes each member's sizes after its data.
        with zipfile.ZipFile(written, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for n, photo in enumerate(photos, 1):
                if web:
                    source, member = photo.web, web_name(photo)
                else:
                    source = photo.original if keep_location or not photo.download else photo.download
                    member = photo.original_name
                with source.open("rb") as src, zf.open(_unique(member, names), "w") as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        dst.write(chunk)
                ZipArchive.objects.filter(pk=archive.pk).update(files_done=n)
            # The crops the client ordered, cut from the finals, in a folder of their own.
            for n, crop in enumerate(crops, len(photos) + 1):
                source = crop.web if web else crop.file
                with source.open("rb") as src, zf.open("crops/" + _unique(crop.file_name, names), "w") as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        dst.write(chunk)
                ZipArchive.objects.filter(pk=archive.pk).update(files_done=n)
    ZipArchive.objects.filter(pk=archive.pk).update(
        file=name, state=ZipArchive.State.READY, size_bytes=written.size, files_done=len(photos) + len(crops)
    )
    return True


class _Counted:
    """Passes writes on to a stream, counting the bytes (the zip's size, without asking storage)."""

    def __init__(self, stream) -> None:
        self.stream, self.size = stream, 0

    def write(self, data) -> int:
        self.size += len(data)
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()


def remove_expired_zips() -> int:
    removed = 0
    for archive in ZipArchive.objects.filter(expires_at__lt=timezone.now()):
        if archive.file:
            archive.file.delete(save=False)
        archive.delete()
        removed += 1
    return removed


def record_download(
    gallery: Gallery,
    user,
    *,
    photo: Photo | None = None,
    archive: ZipArchive | None = None,
    file: FieldFile | None = None,
    file_name: str = "",
    size: str = Size.FULL,
) -> Download:
    """Log who downloaded what: the file's name as sent, its size in bytes, full or web size."""
    return Download.objects.create(
        gallery=gallery,
        user=user,
        photo=photo,
        archive=archive,
        size=size,
        file_name=file_name,
        size_bytes=file.size if file else 0,
    )


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
                emails.gallery_expiring(gallery)
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
