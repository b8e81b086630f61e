from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .cache import STUDIO_PROFILE_KEY, remembered


def studio_profile():
    """The studio's profile (address, phone, directions), from the shared cache: saving it in the
    admin forgets the cached copy at once (photostudio/cache.py)."""
    from bookings.models import StudioProfile

    return remembered(STUDIO_PROFILE_KEY, StudioProfile.load)


def studio(request: HttpRequest) -> dict:
    return {
        "studio_name": settings.STUDIO_NAME,
        "studio_email": settings.STUDIO_EMAIL,
        "currency": settings.CURRENCY_SYMBOL,
        # Lazy: pages that never show the profile never ask for it.
        "studio": SimpleLazyObject(studio_profile),
    }
