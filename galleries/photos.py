"""A gallery's photos: adding them, processing them through the pipeline (in Celery tasks that call
`process_photo`), making them again, and removing them with their files. Each change of state is
one transaction."""

import contextlib
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from photostudio import history, imaging
from photostudio.celery import IMAGE_TIME_LIMITS
from photostudio.queueing import send_after_commit, send_now_or_later
from photostudio.storage import remove_folder

from . import finished_crops, frame_groups
from .models import Gallery, GallerySettings, Photo, ZipArchive

log = logging.getLogger(__name__)


@dataclass
class UploadReport:
    added: list[Photo] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # plain messages naming each file
    duplicates: int = 0  # of the skipped: files already in the gallery

    def as_dict(self) -> dict:
        return {"added": [p.original_name for p in self.added], "skipped": self.skipped}


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    waiting: int  # pending or processing

    @property
    def finished(self) -> bool:
        return self.waiting == 0

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "processed": self.done,
            "failed": self.failed,
            "waiting": self.waiting,
            "finished": self.finished,
        }


def add_photos(gallery: Gallery, files, *, queue: bool = True, by=None) -> UploadReport:
    """Store each uploaded file privately and queue its processing. `files` are Django File
    objects (uploads stream to temporary files, so a batch is never held in memory). With
    queue=False the caller processes the photos itself (`process_photo`). `by`: who uploads
    (the staff user; None for a folder imported on the server)."""
    report = UploadReport()
    status = Gallery.objects.filter(pk=gallery.pk).values_list("status", flat=True).get()
    for upload in files:
        name = str(getattr(upload, "name", "") or "unnamed")[:255]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            limit = settings.MAX_UPLOAD_BYTES / 2**20
            report.skipped.append(f"{name}: too big ({upload.size / 2**20:.1f} MB; the limit is {limit:g} MB a photo)")
            continue
        if upload.size == 0:
            report.skipped.append(f"{name}: an empty file")
            continue
        digest = _sha256(upload)
        try:
            with transaction.atomic():
                photo = Photo(
                    gallery=gallery,
                    original_name=name,
                    content_hash=digest,
                    size_bytes=upload.size,
                    # Photos added once the client has chosen are the edited finals to deliver.
                    is_final=status == Gallery.Status.SELECTION_SUBMITTED,
                )
                if photo.is_final:  # the proof it was made from, by its file name (the admin can change it)
                    photo.final_of_id = finished_crops.match_final(photo)
                photo.original.save(name, upload, save=False)
                photo.save()
                if status == Gallery.Status.DRAFT and Gallery.objects.filter(
                    pk=gallery.pk, status=Gallery.Status.DRAFT
                ).update(status=Gallery.Status.PROCESSING):
                    history.record_change(gallery, before=Gallery.Status.DRAFT, after=Gallery.Status.PROCESSING, by=by)
                if queue:
                    send_after_commit("galleries.tasks.process_photo", photo.pk)
        except IntegrityError:
            photo.original.delete(save=False)  # keep nothing of a duplicate
            report.skipped.append(f"{name}: already in this gallery (the same file)")
            report.duplicates += 1
            continue
        report.added.append(photo)
    return report


def add_photo_from_path(gallery: Gallery, path, *, by=None) -> UploadReport:
    with open(path, "rb") as fh:
        upload = File(fh, name=path.name)
        upload.size = path.stat().st_size
        return add_photos(gallery, [upload], by=by)


def process_photo(photo_id: int) -> bool:
    """Make the photo's renditions. Claims the photo first, so two workers never do it twice and
    a rerun of a finished photo does nothing; renditions are written under fixed names, so a redo
    after a crash replaces files instead of adding a second set. True if this call did the work."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PHOTO_CLAIM_TIMEOUT)
    claimed = (
        Photo.objects.filter(pk=photo_id)
        .filter(Q(state=Photo.State.PENDING) | Q(state=Photo.State.PROCESSING, claimed_at__lt=stale))
        .update(state=Photo.State.PROCESSING, claimed_at=now, attempts=F("attempts") + 1, error="")
    )
    if not claimed:
        return False
    photo = Photo.objects.select_related("gallery").get(pk=photo_id)
    try:
        with photo.original.open("rb") as original:
            result = imaging.make_renditions(original, watermark=current_watermark())
    except imaging.ImageRejected as exc:
        Photo.objects.filter(pk=photo_id, claimed_at=now).update(state=Photo.State.FAILED, error=str(exc)[:200])
        return False
    except SoftTimeLimitExceeded:
        # Far beyond what the largest photo within the pixel budget takes: trying again won't help.
        limit = IMAGE_TIME_LIMITS["soft_time_limit"]
        Photo.objects.filter(pk=photo_id, claimed_at=now).update(
            state=Photo.State.FAILED, error=f"took too long to process (over {limit} seconds)", claimed_at=None
        )
        return False
    except Exception as exc:
        if photo.attempts >= settings.PHOTO_MAX_ATTEMPTS:
            # Failing for a reason other than its pixels, again and again: say so, and stop trying,
            # so the gallery can be published once the photo is removed or replaced.
            Photo.objects.filter(pk=photo_id, claimed_at=now).update(
                state=Photo.State.FAILED, error=_gave_up(photo.attempts, exc), claimed_at=None
            )
            log.warning("photo %s failed %s times, last: %r", photo_id, photo.attempts, exc)
            return False
        # A transient failure (storage, memory): hand the photo back so the retry can claim it.
        Photo.objects.filter(pk=photo_id, claimed_at=now).update(state=Photo.State.PENDING, claimed_at=None)
        raise
    names = _write_renditions(photo, result)
    recorded = Photo.objects.filter(pk=photo_id, claimed_at=now).update(
        state=Photo.State.DONE,
        content_type=result.source_content_type,
        processed_at=timezone.now(),
        placeholder=result.placeholder_data_uri,
        width=result.width,
        height=result.height,
        thumb_width=result.thumb_size[0],
        thumb_height=result.thumb_size[1],
        captured_at=_aware(result.captured_at),
        phash=result.phash,
        **names,
    )
    if recorded:  # else another worker took the photo over: its files are its own to tidy
        _remove_other_renditions(photo, keep=names)
    return True


def regroup_frames(gallery_id: int) -> int:
    """Store which near-identical frames of the gallery's processed proofs go together
    (frame_groups), so its page reads them with the photos, without working them out. Run whenever
    a proof is processed, made again, removed or moved to another gallery: idempotent, and it writes
    only the photos whose group changed. The gallery's row is locked meanwhile, so two
    workers finishing photos of one shoot at once regroup one after the other, the second seeing
    the first's photo. Returns how many photos changed group."""
    with transaction.atomic():
        if not Gallery.objects.select_for_update().filter(pk=gallery_id).exists():
            return 0  # removed meanwhile
        proofs = Photo.objects.filter(gallery_id=gallery_id, state=Photo.State.DONE, is_final=False)
        rows = list(proofs.values_list("pk", "key", "phash", "captured_at", "group_key", "group_size"))
        groups = frame_groups.group_keys(frame_groups.Frame(key, phash, at) for _, key, phash, at, _, _ in rows)
        sizes = Counter(groups.values())
        changed = [
            Photo(pk=pk, group_key=groups[key], group_size=sizes[groups[key]])
            for pk, key, _, _, was, was_size in rows
            if (groups[key], sizes[groups[key]]) != (was, was_size)
        ]
        Photo.objects.bulk_update(changed, ["group_key", "group_size"], batch_size=500)
    return len(changed)


def regroup_frames_in(gallery_ids) -> int:
    """regroup_frames() of each gallery, in id order: two callers regrouping several galleries in one
    transaction lock them in the same order, so neither waits on the other in a circle."""
    return sum(regroup_frames(gallery_id) for gallery_id in sorted(set(gallery_ids)))


def regroup_frames_of(photo_id: int) -> int:
    """regroup_frames() of the photo's gallery (nothing if the photo is gone)."""
    gallery_id = Photo.objects.filter(pk=photo_id).values_list("gallery_id", flat=True).first()
    return 0 if gallery_id is None else regroup_frames(gallery_id)


def current_watermark() -> imaging.Watermark:
    mark = GallerySettings.load()
    logo = None
    if mark.logo:
        with mark.logo.open("rb") as fh:
            logo = fh.read()
    return imaging.Watermark(
        text=mark.text or settings.STUDIO_NAME,
        logo_png=logo,
        position=mark.position,
        size=float(mark.size),
        opacity=float(mark.opacity),
    )


def progress(gallery: Gallery) -> Progress:
    counts = gallery.photos.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=Photo.State.DONE)),
        failed=Count("pk", filter=Q(state=Photo.State.FAILED)),
    )
    return Progress(waiting=counts["total"] - counts["done"] - counts["failed"], **counts)


def reprocess(photos) -> int:
    """Make the renditions again (after the watermark changed, say), for done and failed photos."""
    ids = list(photos.exclude(state=Photo.State.PROCESSING).values_list("pk", flat=True))
    with transaction.atomic():
        # A fresh set of attempts: the photographer may have fixed what made it fail.
        Photo.objects.filter(pk__in=ids).update(state=Photo.State.PENDING, claimed_at=None, error="", attempts=0)
        # Meanwhile the frames of their groups show without them (each regrouped again once done).
        regroup_frames_in(Photo.objects.filter(pk__in=ids).values_list("gallery_id", flat=True))
        for pk in ids:
            send_after_commit("galleries.tasks.process_photo", pk)
    return len(ids)


def requeue_stalled(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Photos whose task was lost (broker down) or whose worker died: process them again, unless
    their worker died on them PHOTO_MAX_ATTEMPTS times already (they are marked failed). Zips and
    finals' crops whose task was lost are sent again too."""
    now = timezone.now()
    cutoff = now - older_than
    stale_claim = now - timedelta(seconds=settings.PHOTO_CLAIM_TIMEOUT)
    Photo.objects.filter(
        state=Photo.State.PROCESSING, claimed_at__lt=stale_claim, attempts__gte=settings.PHOTO_MAX_ATTEMPTS
    ).update(
        state=Photo.State.FAILED,
        claimed_at=None,
        error=Concat(
            Value("processing stopped "),
            Cast("attempts", CharField()),
            Value(" times without finishing (perhaps too large for the server to handle)"),
        ),
    )
    stalled = Photo.objects.filter(
        Q(state=Photo.State.PENDING, created_at__lt=cutoff, claimed_at__isnull=True)
        | Q(state=Photo.State.PROCESSING, claimed_at__lt=stale_claim)
    ).values_list("pk", flat=True)[:1000]
    ids = list(stalled)
    for pk in ids:
        send_now_or_later("galleries.tasks.process_photo", pk)
    stalled_zips = ZipArchive.objects.filter(state=ZipArchive.State.BUILDING, created_at__lt=cutoff)
    for pk in stalled_zips.values_list("pk", flat=True):
        send_now_or_later("galleries.tasks.build_zip", pk)
    for pk in finished_crops.finals_waiting(processed_before=cutoff):
        send_now_or_later("galleries.tasks.make_finished_crops", pk)
    return len(ids)


def files_of(photo: Photo) -> list:
    """Every file a photo has: its original, renditions and delivered copies."""
    return [f for f in (photo.original, photo.proof, photo.thumb, photo.thumb_2x, photo.download, photo.web) if f]


def remove_leftovers(gallery: Gallery, photo_keys) -> int:
    """Delete everything in the gallery's folders, in private and public storage: files no row
    names any more (a job that stopped between writing a file and recording it) included. For
    forgetting a client: nothing of theirs stays in a folder or a bucket. Returns how many."""
    private, public = Photo.original.field.storage, Photo.thumb.field.storage
    removed = remove_folder(private, f"originals/{gallery.public_id}")
    removed += remove_folder(private, f"downloads/{gallery.public_id}")
    for key in photo_keys:
        removed += remove_folder(private, f"{RENDITION_FOLDERS['proof']}/{key}")
        removed += remove_folder(public, f"{RENDITION_FOLDERS['thumb']}/{key}")
    return removed


def remove_photos(photos) -> int:
    """Delete photos and every file of theirs (original and renditions); the frames left in their
    galleries are regrouped."""
    removed, galleries = 0, set()
    for photo in photos:
        for f in files_of(photo):
            f.delete(save=False)
        for crop in photo.finished_crops.all():  # the crops cut from a final go with it
            for f in (crop.file, crop.web):
                if f:
                    f.delete(save=False)
        galleries.add(photo.gallery_id)
        photo.delete()
        removed += 1
    regroup_frames_in(galleries)
    return removed


# --- helpers ---


def _gave_up(attempts: int, exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        reason = "its original file is missing from storage"
    elif isinstance(exc, PermissionError):
        reason = "its original file can't be read (permission denied)"
    elif isinstance(exc, MemoryError):
        reason = "the server ran out of memory"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    return f"could not be processed after {attempts} attempts: {reason}"[:200]


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


# Where each rendition lives: the proof privately, the thumbnails publicly (see Photo).
RENDITION_FOLDERS = {"proof": "proofs", "thumb": "thumbs", "thumb_2x": "thumbs"}


def _rendition_folder(photo: Photo, field_name: str) -> str:
    return f"{RENDITION_FOLDERS[field_name]}/{photo.key}"  # the photo's random key: unguessable


def _write_renditions(photo: Photo, result: imaging.Renditions) -> dict[str, str]:
    """Each name carries a digest of the file's content: a new watermark gives new addresses, so
    a browser or proxy holding an `immutable` copy never shows a stale one. The same content
    gives the same name, so a redo after a crash rewrites files instead of adding a second set."""
    names = {}
    for field_name, data, stem in (
        ("proof", result.proof, "proof"),
        ("thumb", result.thumb, "thumb"),
        ("thumb_2x", result.thumb_2x, "thumb@2x"),
    ):
        storage = getattr(photo, field_name).storage
        name = f"{_rendition_folder(photo, field_name)}/{stem}-{hashlib.sha256(data).hexdigest()[:16]}.jpg"
        if not (storage.exists(name) and storage.size(name) == len(data)):
            storage.delete(name)  # a partial file left by a crash
            name = storage.save(name, ContentFile(data))
        names[field_name] = name
    return names


def _remove_other_renditions(photo: Photo, *, keep: dict[str, str]) -> None:
    """Delete the photo's earlier renditions (its names before this run, and anything a crashed
    run wrote to its folders), so only the current set stays on disk."""
    current = set(keep.values())
    for field_name in keep:
        field_file = getattr(photo, field_name)  # as loaded before this run: the previous names
        storage = field_file.storage
        stale = {field_file.name} if field_file.name else set()
        folder = _rendition_folder(photo, field_name)
        with contextlib.suppress(FileNotFoundError):
            stale |= {f"{folder}/{name}" for name in storage.listdir(folder)[1]}
        for name in stale - current:
            storage.delete(name)


def _aware(captured):
    """Camera clocks have no zone: read them as the studio's local time."""
    if captured is None:
        return None
    from bookings.models import Availability

    return captured.replace(tzinfo=Availability.load().tz) if captured.tzinfo is None else captured
