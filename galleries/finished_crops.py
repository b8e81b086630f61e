"""The crops a client ordered, cut from the photographer's edited final: full resolution and web
size, named by file and crop, delivered with the final. Made by a task once the final is processed
(and again when the photographer sets which proof a final is of); safe to run twice."""

import logging
import re
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Q

from photostudio import imaging
from photostudio.queueing import send_after_commit

from . import finals
from .models import CropOrder, FinishedCrop, Photo

log = logging.getLogger(__name__)


def match_final(photo: Photo) -> int | None:
    """The id of the proof of the same gallery that a final's file name says it was made from."""
    proofs = dict(Photo.objects.filter(gallery_id=photo.gallery_id, is_final=False).values_list("pk", "original_name"))
    return finals.match_proof(photo.original_name, proofs)


def queue_for(final_id: int) -> bool:
    """Send the task making a final's crops, if its proof has crops ordered."""
    final = Photo.objects.filter(pk=final_id, is_final=True, final_of__isnull=False).first()
    if final is None or not CropOrder.objects.filter(photo_id=final.final_of_id).exists():
        return False
    send_after_commit("galleries.tasks.make_finished_crops", final_id)
    return True


def finals_waiting(*, processed_before) -> list[int]:
    """Finals processed before then whose crops are not all made (or failed with a reason): their
    task was lost, as when the broker was down as the final finished. The stalled-work sweep sends
    them again (photos.requeue_stalled)."""
    settled = Q(finished_crops__state__in=[FinishedCrop.State.DONE, FinishedCrop.State.FAILED])
    waiting = (
        Photo.objects.filter(
            is_final=True, state=Photo.State.DONE, final_of__isnull=False, processed_at__lt=processed_before
        )
        .annotate(
            ordered=Count("final_of__crop_orders", distinct=True),
            made=Count("finished_crops", filter=settled, distinct=True),
        )
        .filter(ordered__gt=F("made"))
        .order_by()
    )
    return list(waiting.values_list("pk", flat=True)[:1000])


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def crop_file_name(final_name: str, crop_name: str) -> str:
    """`IMG_0142-edit - LinkedIn 1-1.jpg`: the final's stem and the crop's name, safe on any computer."""
    stem = final_name.rsplit(".", 1)[0] if "." in final_name else final_name
    name = _UNSAFE.sub("-", f"{stem} - {crop_name}").strip(" .-") or "crop"
    return f"{name[:200]}.jpg"


def make_finished_crops(final_id: int) -> int:
    """Cut every crop ordered of the final's proof from the final. Crops already made are left
    alone, so a rerun does nothing; two runs at once keep one file each (the second's is deleted).
    A file that can't be read marks its crops failed with the reason. Returns how many were made."""
    final = Photo.objects.filter(pk=final_id, is_final=True, state=Photo.State.DONE).select_related("gallery").first()
    if final is None or final.final_of_id is None or not final.original:
        return 0
    orders = list(CropOrder.objects.filter(photo_id=final.final_of_id).select_related("option"))
    # A final now of another proof: the crops of the old one go.
    stale = FinishedCrop.objects.filter(final=final).exclude(order__in=orders)
    for crop in stale:
        _delete_files(crop)
    stale.delete()
    rows = []
    for order in orders:
        row, _ = FinishedCrop.objects.get_or_create(
            order=order, final=final, defaults={"file_name": crop_file_name(final.original_name, order.option.name)}
        )
        if row.state != FinishedCrop.State.DONE or not row.file:
            rows.append(row)
    if not rows:
        return 0
    frames = [(r.order.left, r.order.top, r.order.width, r.order.height) for r in rows]
    try:
        with final.original.open("rb") as original:
            cut = imaging.cut_crops(original, frames)
    except imaging.ImageRejected as exc:
        FinishedCrop.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=FinishedCrop.State.FAILED, error=str(exc)[:200]
        )
        return 0
    made = 0
    folder = f"downloads/{final.gallery.public_id}/crops"
    for row, crop in zip(rows, cut, strict=True):
        token = secrets.token_hex(16)
        storage = row.file.storage
        full = storage.save(f"{folder}/{token}.jpg", ContentFile(crop.full))
        web = storage.save(f"{folder}/{token}-web.jpg", ContentFile(crop.web))
        with transaction.atomic():
            done = FinishedCrop.objects.filter(pk=row.pk, file="").update(
                file=full, web=web, width=crop.size[0], height=crop.size[1], state=FinishedCrop.State.DONE, error=""
            )
        if not done:  # another run got there first
            storage.delete(full)
            storage.delete(web)
            continue
        made += 1
    return made


def _delete_files(crop: FinishedCrop) -> None:
    for f in (crop.file, crop.web):
        if f:
            f.delete(save=False)


def delivered_crops(gallery) -> list[FinishedCrop]:
    """The crops ready for the client: those of the gallery's delivered finals."""
    return list(
        FinishedCrop.objects.filter(
            final__gallery=gallery, final__delivered=True, state=FinishedCrop.State.DONE
        ).select_related("final", "order__option")
    )
