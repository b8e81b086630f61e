"""Small helpers that make rows for tests, with sensible defaults."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from bookings import services
from bookings.models import Availability, Booking, Client, SessionType, WorkingHours
from galleries.models import Gallery


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


def open_every_day(start: time = time(9), end: time = time(17), **rules) -> Availability:
    """The studio open every day of the week, so tests don't depend on today's weekday."""
    availability = Availability.load()
    for field, value in rules.items():
        setattr(availability, field, value)
    availability.save()
    availability.working_hours.all().delete()
    for weekday in range(7):
        WorkingHours.objects.create(availability=availability, weekday=weekday, start=start, end=end)
    return availability


def local(days: int = 3, hour: int = 10, minute: int = 0) -> datetime:
    """An aware datetime `days` from today at a wall-clock time in the studio's zone."""
    tz = Availability.load().tz
    day = timezone.now().astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tz)


def booking_data(session: SessionType, start: datetime, **fields) -> dict:
    """What the booking form posts."""
    return {
        "session_type": session.slug,
        "date": start.astimezone(Availability.load().tz).date().isoformat(),
        "start": start.isoformat(),
        "name": "Alice Byrne",
        "email": "alice@example.com",
        "phone": "07700 900123",
        "company": "Byrne & Cole",
        "location": "studio",
        "address": "",
        "purpose": "LinkedIn and our team page",
        "people": "1",
        "message": "",
    } | fields


def make_booking(session: SessionType | None = None, start: datetime | None = None, **fields) -> Booking:
    """A booking request made through the service (so its emails are queued like a real one)."""
    session = session or SessionType.objects.first() or make_session_type()
    request = services.BookingRequest(
        session_type=session,
        start=start or local(),
        name=fields.pop("name", "Alice Byrne"),
        email=fields.pop("email", "alice@example.com"),
        **fields,
    )
    return services.request_booking(request, by_studio=True)


def make_client(name: str = "Alice Byrne", email: str = "alice@example.com") -> Client:
    return Client.objects.get_or_create(email=email, defaults={"name": name})[0]


def make_gallery(client: Client | None = None, **fields) -> Gallery:
    return Gallery.objects.create(client=client or make_client(), title=fields.pop("title", "Headshots"), **fields)


def jpeg_bytes(size=(1200, 800), colour=(120, 140, 160), seed: int = 0) -> bytes:
    """A small camera-like JPEG; a different seed gives a different file (and hash)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle([seed % size[0], 0, seed % size[0] + 40, 40], fill=(255, 255 - seed % 255, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (900, 600), (200, 170, 140)).save(out, "PNG")
    return out.getvalue()


def processed_photo(gallery: Gallery, name: str, data: bytes):
    """A photo uploaded as the admin does, then made by the real pipeline (unless it already ran when the
    upload committed)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from galleries import photos
    from galleries.models import Photo

    report = photos.add_photos(gallery, [SimpleUploadedFile(name, data)])
    assert report.added, report.skipped
    photos.process_photo(report.added[0].pk)
    return Photo.objects.get(pk=report.added[0].pk)


def make_user_client(name: str, email: str) -> Client:
    """A client with a portal account."""
    from galleries.accounts import ensure_user

    client = make_client(name=name, email=email)
    ensure_user(client)
    return client


def make_ready_gallery(
    client: Client, *, photos: int = 3, limit: int = 2, with_files: bool = True, **fields
) -> Gallery:
    """A published gallery whose photos are processed (tiny stand-in files, no pipeline run)."""
    from django.core.files.base import ContentFile

    from galleries.models import Photo

    gallery = make_gallery(client, **({"status": Gallery.Status.PROOFING, "selection_limit": limit} | fields))
    rows = []
    for n in range(photos):
        photo = Photo(
            gallery=gallery, original_name=f"DSC_{n:04d}.jpg", content_hash=f"{gallery.pk}-{n}", state="done",
            width=1200, height=800, thumb_width=480, thumb_height=320, order=n,
        )  # fmt: skip
        if with_files:
            data = jpeg_bytes(size=(60, 40), seed=n + 1)
            photo.original.save(f"{n}.jpg", ContentFile(data), save=False)
            for field in ("proof", "thumb", "thumb_2x"):
                getattr(photo, field).save(f"proofs/{photo.key}/{field}.jpg", ContentFile(data), save=False)
        else:
            photo.thumb.name = photo.thumb_2x.name = f"proofs/{photo.key}/thumb.jpg"
        rows.append(photo)
    Photo.objects.bulk_create(rows)
    return gallery


# A real placeholder as the pipeline makes it (24 px JPEG), so the byte counts are the real ones.
PLACEHOLDER = (
    "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNy"
    "wtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09"
    "PT09PT0//wAARCAAYABMDASIAAhEBAxEB/8QAGAABAAMBAAAAAAAAAAAAAAAAAAMEBgX/xAAlEAACAgEEAQMFAAAAAAAAAAABAgADBAUREzESBiGBIk"
    "FhkcH/xAAXAQADAQAAAAAAAAAAAAAAAAABAgMA/8QAGREBAQADAQAAAAAAAAAAAAAAABEBAjEh/9oADAMBAAIRAxEAPwDUPelVT22uERAWZj0AJW07"
    "WcHVUsbBv5OM7MCCCPgyHI1DFw6g+ZaiIx2+r33+JJfmYWNmJiBqq77EDqoAHkD11N7ZBmJVzkiUzbEJWP8AVb+bYv4DfycnGust1HGe12dldFBJ"
    "+w2AH6iJXXhc9bjm9+4iJIz/2Q=="
)


def make_shoot(client: Client, photos: int, *, looks=None, **fields) -> Gallery:
    """A published gallery of processed proofs as the pipeline leaves them (rows only: the pages read
    no file), named as cameras name them. `looks`: (width, height, thumb width, thumb height,
    placeholder) of each photo in turn; by default a 24 MP landscape with PLACEHOLDER."""
    from galleries.models import Photo

    looks = looks or [(6000, 4000, 480, 320, PLACEHOLDER)]
    gallery = make_gallery(client, **({"status": Gallery.Status.PROOFING, "selection_limit": 10} | fields))
    rows = []
    for n in range(photos):
        width, height, thumb_width, thumb_height, placeholder = looks[n % len(looks)]
        rows.append(
            processed_row(gallery, n, width=width, height=height, thumb_width=thumb_width, thumb_height=thumb_height,
                          placeholder=placeholder, order=n)
        )  # fmt: skip
    Photo.objects.bulk_create(rows)
    return gallery


def processed_row(gallery: Gallery, n: int, **fields):
    """An unsaved Photo row of `gallery` as the pipeline leaves one (no file behind it): the n-th
    camera file name, its renditions' names, and by default a 24 MP landscape with PLACEHOLDER."""
    from galleries.models import Photo
    from tests.browser.realistic import camera_file_name

    defaults = {"width": 6000, "height": 4000, "thumb_width": 480, "thumb_height": 320, "placeholder": PLACEHOLDER}
    photo = Photo(
        gallery=gallery, original_name=camera_file_name(n), state="done",
        **({"content_hash": f"{gallery.pk}-{n}"} | defaults | fields),
    )  # fmt: skip
    photo.proof.name = f"proofs/{photo.key}/proof-{n:016x}.jpg"
    photo.thumb.name = f"thumbs/{photo.key}/thumb-{n:016x}.jpg"
    photo.thumb_2x.name = f"thumbs/{photo.key}/thumb@2x-{n:016x}.jpg"
    return photo


def make_team_day(days: int = 10, *, breaks=(), **fields):
    """A company's headshot day `days` from today, on location, with its breaks (start, end) pairs."""
    from bookings.models import TeamBreak, TeamDay

    tz = Availability.load().tz
    session = fields.pop("session_type", None) or SessionType.objects.filter(kind="headshot").first()
    defaults = {
        "company": "Halden & Roe Architects",
        "coordinator_name": "Marta Halden",
        "coordinator_email": "marta.halden@haldenroe.example",
        "session_type": session or make_session_type(kind="headshot", slug="headshot"),
        "address": "3 Wharf Street, Leeds LS2 7EQ",
        "date": timezone.now().astimezone(tz).date() + timedelta(days=days),
        "start": time(9),
        "end": time(12),
        "slot_minutes": 10,
        "walk_in_slots": 2,
    }
    day = TeamDay.objects.create(**(defaults | fields))
    for start, end in breaks:
        TeamBreak.objects.create(day=day, start=start, end=end, label="Lunch")
    return day


def make_deposit_studio() -> SessionType:
    """A studio in Toronto whose portrait session takes a £60 deposit, held 30 minutes, refunded in
    full up to 72 hours before (changes online up to 24 hours before)."""
    open_every_day(time_zone="America/Toronto", deposit_hold_minutes=30, change_notice_hours=24)
    return make_session_type(
        kind="portrait", slug="portrait", name="Portrait session", deposit=Decimal("60.00"), refund_until_hours=72
    )
