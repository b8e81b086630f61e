"""Forgetting a client entirely, in every app: their bookings, galleries, messages, emails and account."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from bookings.models import Booking, Client, ContactMessage
from galleries.models import Gallery, Photo, ZipArchive, zip_path
from galleries.photos import remove_leftovers, remove_photos

from .models import OutgoingEmail


def forget_client(client: Client) -> None:
    """Delete a client with their bookings, galleries (and the history of both), photos, zips,
    contact-form messages, emails and account, and every file of theirs. Files go first: a crash
    half-way leaves rows to retry with, never orphan files."""
    galleries = Gallery.objects.filter(client=client)
    photo_keys = {gallery.pk: [] for gallery in galleries}
    for gallery_id, key in Photo.objects.filter(gallery__in=galleries).values_list("gallery_id", "key"):
        photo_keys[gallery_id].append(key)
    # Everything in their galleries' folders, what a job left there without recording it included
    # (first, while the photos' rows still name the folders, should this stop half-way).
    for gallery in galleries:
        remove_leftovers(gallery, photo_keys[gallery.pk])
    remove_photos(Photo.objects.filter(gallery__in=galleries))
    for archive in ZipArchive.objects.filter(gallery__in=galleries):
        # Its recorded file, and the name it is written under (a build may have stopped after writing).
        for name in {archive.file.name, zip_path(archive, "")} - {""}:
            archive.file.storage.delete(name)
    with transaction.atomic():
        # Their contact-form messages too: the form asks for no account, so they are found by email.
        messages = ContactMessage.objects.filter(email__iexact=client.email)
        about = Q(about_type=ContentType.objects.get_for_model(Client), about_id=str(client.pk))
        for model, ids in (
            (Booking, Booking.objects.filter(client=client).values_list("pk", flat=True)),
            (Gallery, galleries.values_list("pk", flat=True)),
            (ContactMessage, messages.values_list("pk", flat=True)),
        ):
            about |= Q(about_type=ContentType.objects.get_for_model(model), about_id__in=[str(i) for i in ids])
        # Every copy in the outbox: sent to them, about them, or to the studio with them to reply to
        # (the contact form's message, their request to be forgotten).
        mine = about | Q(to__iexact=client.email) | Q(reply_to__iexact=client.email)
        OutgoingEmail.objects.filter(mine).delete()
        messages.delete()
        user = client.user
        client.delete()  # bookings, galleries and everything in them go with it
        if user is not None:
            user.delete()
