"""Publishing a gallery: once every photo is processed, the client is told and may start choosing."""

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from photostudio import history

from . import emails
from .models import Gallery
from .photos import progress


class GalleryError(Exception):
    """A gallery operation that cannot happen; the message is for the photographer."""


@transaction.atomic
def publish_gallery(gallery: Gallery, *, by=None) -> Gallery:
    gallery = Gallery.objects.select_for_update().select_related("client").get(pk=gallery.pk)
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
    emails.tell_client(gallery, "gallery_published", count=state.done)
    return gallery
