"""Publishing a gallery: once every photo is processed, the client is told and may start choosing."""

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from photostudio import history

from . import emails
from .models import Gallery, Photo, TeamShoot
from .photos import files_of, progress


class GalleryError(Exception):
    """A gallery operation that cannot happen; the message is for the photographer."""


@transaction.atomic
def publish_gallery(gallery: Gallery, *, by=None, email: str = "gallery_published", context=None) -> Gallery:
    """`email`: the message telling the client (a team day's people get their own), with `context`."""
    gallery = Gallery.objects.select_for_update().select_related("client").get(pk=gallery.pk)
    if TeamShoot.objects.filter(gallery=gallery).exists():
        raise GalleryError(
            "This is a team day's whole shoot: split it, then publish each person's gallery from its page."
        )
    if gallery.status not in (Gallery.Status.DRAFT, Gallery.Status.PROCESSING):
        raise GalleryError("This gallery is already published.")
    state = progress(gallery)
    if state.done == 0:
        raise GalleryError("Add photos first: the gallery has no processed photos yet.")
    if state.waiting:
        raise GalleryError(f"{state.waiting} photo{pluralize(state.waiting, ' is,s are')} still being processed.")
    if state.failed:
        raise GalleryError(
            f"{state.failed} photo{pluralize(state.failed)} could not be processed: "
            "remove or replace them, then publish."
        )
    history.record_change(gallery, before=gallery.status, after=Gallery.Status.PROOFING, by=by)
    gallery.status = Gallery.Status.PROOFING
    gallery.published_at = timezone.now()
    gallery.save(update_fields=["status", "published_at"])
    emails.tell_client(gallery, email, count=state.done, **(context or {}))
    return gallery


@transaction.atomic
def publish_without_failed(gallery: Gallery, *, by=None) -> tuple[Gallery, list[str]]:
    """Remove the photos that could not be processed and publish the rest, in one step; the names
    of the removed photos come back for the message. If publishing is refused, nothing is removed."""
    failed = list(Photo.objects.select_for_update().filter(gallery=gallery, state=Photo.State.FAILED))
    Photo.objects.filter(pk__in=[photo.pk for photo in failed]).delete()
    gallery = publish_gallery(gallery, by=by)  # raises, undoing the removal, if it can't be published
    files = [f for photo in failed for f in files_of(photo)]
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])  # files go once the rows have
    return gallery, [photo.original_name for photo in failed]
