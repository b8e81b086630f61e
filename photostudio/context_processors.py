from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def studio(request: HttpRequest) -> dict:
    from bookings.models import StudioProfile

    return {
        "studio_name": settings.STUDIO_NAME,
        "studio_email": settings.STUDIO_EMAIL,
        "currency": settings.CURRENCY_SYMBOL,
        # Lazy: pages that never show the profile never query it.
        "studio": SimpleLazyObject(StudioProfile.load),
    }
