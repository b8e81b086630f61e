"""A new gallery's details taken from the session it follows (no queries here): the photographer
opens the gallery form from a booking and finds the client, a title, the photos included and the
price of each extra already filled in."""

from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo


def price_per_extra(session_price: Decimal, images_included: int) -> Decimal | None:
    """What one included photo costs within the session's price (a £420 portrait with 10 photos:
    £42.00 per extra); None when the session includes no photos, so no price can be read from it."""
    if not images_included or session_price is None:
        return None
    return (Decimal(session_price) / images_included).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def gallery_initial(booking, tz: ZoneInfo) -> dict:
    """The gallery form's starting values for `booking` (its client and session type loaded)."""
    session = booking.session_type
    day = booking.start.astimezone(tz)
    return {
        "client": booking.client_id,
        "booking": booking.pk,
        "title": f"{session.name}, {day.day} {day:%B %Y}"[:120],
        "selection_limit": session.images_included,
        "price_per_extra": price_per_extra(session.price, session.images_included),
    }
