"""Demo gallery: a client's shoot of generated photos, processed through the real pipeline."""

import random

from django.core.files.base import ContentFile
from django.db import transaction

from bookings.demo import as_jpeg, draw_headshot, draw_portrait
from bookings.models import Booking, Client

from . import services
from .models import Gallery, Photo

DEMO_PHOTOS = 12


def seed_gallery() -> Gallery | None:
    """Once: a published gallery for the demo client with a completed session."""
    booking = Booking.objects.filter(status=Booking.Status.COMPLETED).select_related("client").first()
    client = booking.client if booking else Client.objects.order_by("pk").first()
    if client is None or Gallery.objects.filter(client=client).exists():
        return None
    with transaction.atomic():
        gallery = Gallery.objects.create(
            client=client,
            booking=booking,
            title="Headshots at the studio",
            message="Lovely to meet you! Pick your favourites and tell us if you'd like anything softened.",
        )
    photos = []
    for n in range(DEMO_PHOTOS):
        rng = random.Random(f"demo-gallery-{n}")
        drawing = draw_headshot if n % 3 else draw_portrait
        data = ContentFile(as_jpeg(drawing(rng)), name=f"DSC_{1040 + n * 7:04d}.jpg")
        data.size = len(data)
        # Processed here and now, not queued: a running worker would otherwise take some of them
        # while this publishes too early, leaving the gallery in "processing" for good.
        photos += services.add_photos(gallery, [data], queue=False).added
    for photo in photos:  # synchronously here: seeding is not a web request
        services.process_photo(photo.pk)
    if not Photo.objects.filter(gallery=gallery).exclude(state=Photo.State.DONE).exists():
        services.publish_gallery(gallery)
    return gallery
