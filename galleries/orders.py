"""Per-photo orders: the crops a client places on a chosen photo and the retouching they ask for.
One change of a photo's orders is one transaction, with the gallery locked, as favourites are."""

from dataclasses import dataclass

from django.db import transaction

from . import crop_frames
from .models import CropOption, CropOrder, Favourite, Gallery, Photo, RetouchLevel, RetouchOrder
from .selection import SelectionError, check_open

SIDES = ("left", "top", "width", "height")


class OrderRejected(SelectionError):
    """What the client sent can't be kept as it is (an unknown crop, a frame outside the photo)."""


@dataclass(frozen=True)
class OrderForm:
    """What the orders page sends: crops as option id -> frame values (text), the retouch level's id
    (None for no retouching)."""

    crops: dict[str, dict[str, str]]
    retouch: str | None


def image_size(photo: Photo) -> tuple[int, int]:
    """The proof's pixel shape, upright (the original's, as the proof keeps its aspect)."""
    return (photo.width or 1, photo.height or 1)


def default_frame(option: CropOption, photo: Photo) -> crop_frames.Frame:
    return crop_frames.centred_frame((option.ratio_width, option.ratio_height), image_size(photo))


def posted_frame(option: CropOption, photo: Photo, form: OrderForm) -> crop_frames.Frame | None:
    """The frame the client placed for `option` in a form sent back, when it fits (to show it again
    where they left it); None when it wasn't sent or doesn't fit."""
    values = form.crops.get(str(option.pk))
    if not values:
        return None
    try:
        return crop_frames.checked_frame(
            values, ratio=(option.ratio_width, option.ratio_height), image_size=image_size(photo)
        )
    except crop_frames.FrameRejected:
        return None


def save_orders(gallery: Gallery, photo: Photo, form: OrderForm) -> None:
    """Replace the photo's orders with what the form asks. Refused once the selection is sent, for a
    photo not chosen, for a crop or retouch the studio doesn't offer, or a frame that doesn't fit."""
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().get(pk=gallery.pk)
        check_open(gallery)
        if photo.gallery_id != gallery.pk or photo.is_final:
            raise SelectionError("That photo isn't part of this gallery's proofs.")
        if not Favourite.objects.filter(photo=photo).exists():
            raise SelectionError("Choose this photo with the heart first: crops and retouching are for chosen photos.")
        offered = {str(o.pk): o for o in CropOption.objects.filter(is_active=True)}
        frames = {}
        for option_id, values in form.crops.items():
            option = offered.get(option_id)
            if option is None:
                raise OrderRejected("That crop isn't offered any more. Please choose from the list.")
            if not any(str(v).strip() for v in values.values()):
                frames[option] = default_frame(option, photo)  # no frame placed: the centred one
                continue
            try:
                frames[option] = crop_frames.checked_frame(
                    values, ratio=(option.ratio_width, option.ratio_height), image_size=image_size(photo)
                )
            except crop_frames.FrameRejected as exc:
                raise OrderRejected(f"{option.name}: {exc}") from None
        level = None
        if form.retouch:
            is_id = form.retouch.isascii() and form.retouch.isdigit() and len(form.retouch) < 10
            level = RetouchLevel.objects.filter(is_active=True, pk=form.retouch if is_id else 0).first()
            if level is None:
                raise OrderRejected("That retouching isn't offered any more. Please choose from the list.")
        CropOrder.objects.filter(photo=photo).exclude(option__in=list(frames)).delete()
        for option, frame in frames.items():
            CropOrder.objects.update_or_create(
                photo=photo, option=option, defaults={**frame.as_dict(), "price": option.price}
            )
        if level is None:
            RetouchOrder.objects.filter(photo=photo).delete()
        else:
            RetouchOrder.objects.update_or_create(photo=photo, defaults={"level": level, "price": level.price})
