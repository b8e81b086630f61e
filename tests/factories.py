"""Small helpers that make rows for tests, with sensible defaults."""

from decimal import Decimal

from bookings.models import SessionType


def make_session_type(**fields) -> SessionType:
    kind = fields.get("kind", SessionType.Kind.HEADSHOT)
    defaults = {
        "kind": kind,
        "name": f"{kind.title()} session",
        "slug": kind,
        "pitch": "A short pitch.",
        "purpose": "What it is for.",
        "style": "How it looks.",
        "goal": "What it achieves.",
        "deliverables": "30 minutes\n3 retouched images",
        "duration_minutes": 30,
        "price": Decimal("195.00"),
        "images_included": 3,
        "location": SessionType.Location.EITHER,
    }
    return SessionType.objects.create(**(defaults | fields))
