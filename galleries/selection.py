"""The client's choice: favourites within the package's limit, comments, submitting the selection."""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from photostudio import history

from . import comments, emails, photo_orders, progress
from .models import Comment, CropOrder, Favourite, Gallery, Photo, RetouchOrder, Selection


class SelectionError(Exception):
    """Something the client can't do right now; the message says why, in their words."""


class TextRejected(SelectionError):
    """What the client wrote can't be kept as it is (empty, too long); the message says how to fix it."""


@dataclass(frozen=True)
class SelectionCount:
    """How many photos the client chose, against the gallery's limit, and what the extras cost."""

    chosen: int
    limit: int
    price_per_extra: Decimal | None

    @property
    def extras(self) -> int:
        return max(0, self.chosen - self.limit)

    @property
    def extras_price(self) -> Decimal:
        return (self.price_per_extra or Decimal(0)) * self.extras


def count(gallery: Gallery) -> SelectionCount:
    """The client's count: from `gallery.n_chosen` when the gallery was read with it
    (gallery_pages.counted_galleries), else counted now."""
    chosen = getattr(gallery, "n_chosen", None)
    if chosen is None:
        chosen = gallery.favourites.count()
    return SelectionCount(chosen, gallery.selection_limit or 0, gallery.price_per_extra)


def set_favourite(gallery: Gallery, photo: Photo, *, chosen: bool) -> SelectionCount:
    """Make the photo chosen or not, as asked (not a toggle), so a double tap or a second tab ends
    in the state the client last chose. The gallery row is locked, so the limit holds under races."""
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().get(pk=gallery.pk)
        check_open(gallery)
        if photo.gallery_id != gallery.pk or photo.is_final or photo.state != Photo.State.DONE:
            raise SelectionError("That photo isn't part of this gallery's proofs.")
        if chosen:
            current = count(gallery)
            already = Favourite.objects.filter(photo=photo).exists()
            if not already and current.chosen >= current.limit and not gallery.allows_extras:
                raise SelectionError(
                    f"You've chosen {current.chosen} of {current.limit}, all your package includes. "
                    "Remove a favourite to choose this one instead."
                )
            if not already:
                try:
                    with transaction.atomic():
                        Favourite.objects.create(photo=photo, gallery=gallery)
                except IntegrityError:
                    pass  # chosen a moment ago in another tab: the state is what was asked
        else:
            Favourite.objects.filter(photo=photo).delete()
            # A photo no longer chosen keeps no crops or retouching: they would not be made.
            CropOrder.objects.filter(photo=photo).delete()
            RetouchOrder.objects.filter(photo=photo).delete()
        return count(gallery)


def add_comment(gallery: Gallery, photo: Photo, *, author, text: str) -> Comment:
    text = text.strip()
    if not text:
        raise TextRejected("Write something first.")
    if len(text) > 2000:
        raise TextRejected("Please keep a comment under 2000 characters.")
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().get(pk=gallery.pk)
        check_open(gallery)
        if photo.gallery_id != gallery.pk:
            raise SelectionError("That photo isn't part of this gallery.")
        # The photographer hears of a client's comment by email; their own need no telling.
        told = timezone.now() if getattr(author, "is_staff", False) else None
        saved = Comment.objects.create(photo=photo, author=author, text=text, photographer_told_at=told)
        comments.tell_photographer(gallery)
        return saved


NOTE_MAX_CHARS = 2000


def clean_note(note: str) -> str:
    """The client's note to the photographer as it will be stored, or TextRejected saying why not."""
    note = note.replace("\r\n", "\n").strip()  # browsers send a textarea's line breaks as CRLF
    # Control characters (a NUL above all, which the database refuses) are never typed by a person.
    if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t" for c in note):
        raise TextRejected("The note contains characters that can't be stored. Please type it again in plain text.")
    if len(note) > NOTE_MAX_CHARS:
        raise TextRejected(
            f"Please keep the note to {NOTE_MAX_CHARS} characters or fewer (it has {len(note)}); "
            "anything longer is better sent by email."
        )
    return note


def submit_selection(gallery: Gallery, *, by=None, note: str = "") -> Selection:
    """Lock the selection, tell the photographer and send the client a receipt. Submitting twice
    changes nothing the second time. `by`: the signed-in user sending it (the client's account, or
    staff doing it for them); `note`: what the client wants the photographer to know."""
    note = clean_note(note)
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().select_related("client").get(pk=gallery.pk)
        if gallery.status == Gallery.Status.SELECTION_SUBMITTED:
            return gallery.selections.first()
        check_open(gallery)
        current = count(gallery)
        if current.chosen == 0:
            raise SelectionError("Choose at least one photo with the heart before you send your selection.")
        if current.extras and not gallery.allows_extras:
            raise SelectionError(f"Your package includes {current.limit} photos: remove {current.extras} first.")
        photos = photo_orders.with_orders(Photo.objects.filter(favourite__gallery=gallery).prefetch_related("comments"))
        orders_price = photo_orders.orders_total_of(photos)
        selection = Selection.objects.create(
            gallery=gallery,
            extras=current.extras,
            extras_price=current.extras_price,
            orders_price=orders_price,
            note=note,
        )
        selection.photos.set(photos)
        progress.set_promise(selection)
        history.record_change(
            gallery,
            before=gallery.status,
            after=Gallery.Status.SELECTION_SUBMITTED,
            by=by or history.client(gallery.client),
            for_client=gallery.client,
            reason=f"{current.chosen} photo{pluralize(current.chosen)} chosen",
        )
        gallery.status = Gallery.Status.SELECTION_SUBMITTED
        gallery.save(update_fields=["status"])
        emails.selection_submitted(
            gallery, photos, count=current, names=search_names(photos), note=note, orders_price=orders_price
        )
        emails.selection_receipt(
            gallery, photos, count=current, note=note, orders_price=orders_price, promised_on=selection.promised_on
        )
        return selection


def reopen_selection(gallery: Gallery, *, by=None) -> Gallery:
    with transaction.atomic():
        gallery = Gallery.objects.select_for_update().select_related("client").get(pk=gallery.pk)
        if gallery.status != Gallery.Status.SELECTION_SUBMITTED:
            raise SelectionError("Only a submitted selection can be reopened.")
        history.record_change(
            gallery, before=gallery.status, after=Gallery.Status.PROOFING, by=by, for_client=gallery.client
        )
        gallery.status = Gallery.Status.PROOFING
        gallery.save(update_fields=["status"])
        gallery.selections.filter(reopened_at__isnull=True).update(reopened_at=timezone.now())
        return gallery


def search_names(photos) -> str:
    """File names as photo-editing software searches for them: `DSC_0012 OR DSC_0047`."""
    return " OR ".join(p.original_name.rsplit(".", 1)[0] for p in photos)


def check_open(gallery: Gallery) -> None:
    if gallery.is_expired:
        raise SelectionError("This gallery has expired. Please ask the studio to open it again.")
    if gallery.status == Gallery.Status.SELECTION_SUBMITTED:
        raise SelectionError("Your selection has been sent, so it can't be changed. Ask the studio if you need to.")
    if gallery.status != Gallery.Status.PROOFING:
        raise SelectionError("This gallery isn't open for choosing.")
