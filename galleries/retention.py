"""How long a gallery's files are kept: originals nobody chose are purged once the gallery was
delivered long enough ago."""

from datetime import timedelta

from django.utils import timezone

from .models import Gallery, GallerySettings, Photo


def purge_unchosen_originals(*, now=None) -> int:
    """Delete the originals of photos nobody chose, once a gallery was delivered long enough ago
    (the period is set in the admin's gallery settings). The proofs stay. Returns how many."""
    days = GallerySettings.load().purge_unchosen_after_days
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    unchosen = (
        Photo.objects.filter(
            gallery__status=Gallery.Status.DELIVERED, gallery__delivered_at__lt=cutoff, delivered=False, is_final=False
        )
        .filter(favourite__isnull=True)
        .exclude(original="")
    )
    purged = 0
    for photo in unchosen:
        photo.original.delete(save=False)
        Photo.objects.filter(pk=photo.pk).update(original="")
        purged += 1
    return purged
