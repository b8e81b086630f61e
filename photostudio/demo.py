"""Demo data for a new installation: idempotent, so `seed_demo` can run on every start.

Rows are created only when missing, so edits made in the admin survive the next run.
"""

import os
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from bookings import scheduling, services, slots, team_days
from bookings.models import (
    Availability,
    Booking,
    Client,
    IntakeQuestion,
    SessionType,
    SessionTypePhoto,
    StudioProfile,
    TeamBreak,
    TeamDay,
    TeamMember,
    TermsDocument,
    TimeOff,
    WorkingHours,
)
from galleries import photos, publishing
from galleries.models import CropOption, Gallery, Photo, RetouchLevel

from . import history
from .demo_drawings import drawn_jpeg

DEMO_ADMIN_USERNAME = "photographer"
DEMO_ADMIN_EMAIL = "photographer@northlight.example"
DEMO_ADMIN_PASSWORD = "northlight-demo"  # public: printed by `make run`, so only ever with DEBUG on

SESSION_TYPES = [
    {
        "slug": "headshot",
        "kind": SessionType.Kind.HEADSHOT,
        "name": "Headshot session",
        "pitch": "A crisp, professional photo of you for LinkedIn, your company website and the press.",
        "purpose": (
            "Your LinkedIn profile, your company's About us and team pages, speaker bios and press "
            "releases: anywhere people should meet the professional you at a glance."
        ),
        "style": (
            "Framed from the shoulders up against a clean backdrop, lit with studio light or soft "
            "daylight, looking straight into the lens with an open, approachable expression."
        ),
        "goal": "You, coming across as professional, confident and easy to trust.",
        "deliverables": (
            "30 minutes in front of the camera\nHelp with posing and expression as we go\n"
            "Your proofs in a private online gallery\n3 retouched images of your choice\n"
            "Full-resolution and web-ready files"
        ),
        "duration_minutes": 30,
        "price": Decimal("195"),
        "images_included": 3,
        "location": SessionType.Location.EITHER,
        "buffer_before_minutes": 15,
        "buffer_after_minutes": 15,
        "preparation": (
            "Bring two or three tops in plain, solid colours; mid and dark tones suit most backdrops. "
            "Avoid busy patterns, logos and very thin stripes, which flicker on screen.\n\n"
            "Come as you would to an important meeting: hair done the way you usually wear it, glasses "
            "if you normally wear them. We have a mirror, a steamer and a lint roller in the studio."
        ),
        "order": 1,
    },
    {
        "slug": "portrait",
        "kind": SessionType.Kind.PORTRAIT,
        "name": "Portrait session",
        "pitch": "Pictures that show who you are and how you work, for your website and your brand.",
        "purpose": (
            "Your website, your brand and your social channels: images that let future clients see "
            "what working with you is like."
        ),
        "style": (
            "More than head and shoulders. In the studio with props, or on location where you work: "
            "a CEO in the boardroom, a therapist in the consulting room, a maker at the bench."
        ),
        "goal": "Tell your story: your role, the way you work and your personality.",
        "deliverables": (
            "90 minutes in the studio or at your workplace\nA short planning call beforehand\n"
            "Your proofs in a private online gallery\n10 retouched images of your choice\n"
            "Full-resolution and web-ready files"
        ),
        "duration_minutes": 90,
        "price": Decimal("450"),
        "images_included": 10,
        "location": SessionType.Location.EITHER,
        "buffer_before_minutes": 30,
        "buffer_after_minutes": 30,
        "preparation": (
            "Wear what you work in, at its best: the clothes your clients know you in. Bring a second "
            "outfit and anything that shows your craft: tools, samples, your laptop.\n\n"
            "On location, tidy the space we'll use and tell colleagues we're coming. We plan the "
            "pictures together on a short call a few days before."
        ),
        "order": 2,
    },
    {
        "slug": "headshot-and-portrait",
        "kind": SessionType.Kind.BOTH,
        "name": "Headshot and portrait session",
        "pitch": "Cover every base in one visit: a headshot for your profiles and portraits that tell your story.",
        "purpose": (
            "Everything at once: a profile photo for LinkedIn and your company, plus the pictures "
            "your website and brand need."
        ),
        "style": (
            "We start with a clean, shoulders-up headshot, then move on to portraits in the studio "
            "or at your workplace, with the tools and places that make your work yours."
        ),
        "goal": "A professional first impression and the story behind it, from one shoot.",
        "deliverables": (
            "2 hours, in the studio or at your workplace\nA short planning call beforehand\n"
            "Your proofs in a private online gallery\n12 retouched images of your choice\n"
            "Full-resolution and web-ready files"
        ),
        "duration_minutes": 120,
        "price": Decimal("575"),
        "images_included": 12,
        "location": SessionType.Location.EITHER,
        "buffer_before_minutes": 30,
        "buffer_after_minutes": 30,
        "preparation": (
            "Bring a smart outfit for the headshot and what you work in for the portraits, in plain "
            "colours without large logos.\n\n"
            "Allow the full two hours, plus a few minutes to settle in. If we come to you, keep a quiet "
            "corner free for the headshot set-up."
        ),
        "order": 3,
    },
]


@dataclass(frozen=True)
class DemoAdmin:
    username: str
    password: str  # empty when the account existed and no longer takes the demo password
    created: bool


@transaction.atomic
def seed_studio_profile() -> StudioProfile:
    profile, _ = StudioProfile.objects.get_or_create(
        pk=StudioProfile.SINGLETON_ID,
        defaults={
            "tagline": "Headshots and portraits for people who mean business.",
            "about": (
                "A small studio for professional headshots and personal-brand portraits. "
                "Come to the studio for a clean, polished headshot, or let us visit your "
                "workplace to photograph you where you do your best work."
            ),
            "phone": "+44 20 7946 0321",
            "address": "Unit 4, Canal Yard\n12 Wharf Road",
            "city": "London",
            "postcode": "N1 7GR",
            "directions": (
                "Five minutes' walk from Angel station (Northern line): down Duncan Street, over the canal "
                "bridge, and through the green gate on the left. Ring Northlight at the door; we're on the "
                "first floor, with a lift."
            ),
        },
    )
    return profile


@transaction.atomic
def seed_demo_admin() -> DemoAdmin:
    """The demo photographer's account, created only when absent: an existing account (the studio's
    real admin, say) is never changed, its password least of all. Set DJANGO_SUPERUSER_USERNAME and
    DJANGO_SUPERUSER_PASSWORD to choose the demo account's."""
    password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or DEMO_ADMIN_PASSWORD
    username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or DEMO_ADMIN_USERNAME
    users = get_user_model().objects
    existing = users.filter(username=username).first()
    if existing is not None:
        # Only to say whether the printed sign-in still works; check_password() of the model would
        # upgrade and save the hash, which this leaves alone.
        works = existing.is_staff and existing.is_active and check_password(password, existing.password)
        return DemoAdmin(username=username, password=password if works else "", created=False)
    users.create_superuser(username, DEMO_ADMIN_EMAIL, password, first_name="Sam", last_name="Carter")
    return DemoAdmin(username=username, password=password, created=True)


@transaction.atomic
def seed_session_types() -> list[SessionType]:
    sessions = []
    for data in SESSION_TYPES:
        fields = dict(data)
        session, created = SessionType.objects.get_or_create(slug=fields.pop("slug"), defaults=fields)
        if created or not session.photos.exists():
            for n, (drawing, alt) in enumerate(_EXAMPLES[session.kind]):
                original = ContentFile(drawn_jpeg(drawing, f"{session.slug}-{n}"), name=f"example-{n + 1}.jpg")
                photo = SessionTypePhoto.objects.create(session_type=session, original=original, alt=alt, order=n)
                services.prepare_example_photo(photo.pk)
        sessions.append(session)
    return sessions


_EXAMPLES = {
    SessionType.Kind.HEADSHOT: [
        ("headshot", "Shoulders-up headshot against a plain grey backdrop"),
        ("headshot", "Headshot in a dark jacket against a light backdrop"),
    ],
    SessionType.Kind.PORTRAIT: [
        ("portrait", "Portrait at a desk in a bright office with books and a plant"),
        ("portrait", "Portrait in a workspace by the window"),
    ],
    SessionType.Kind.BOTH: [
        ("headshot", "Clean studio headshot from a combined session"),
        ("portrait", "Portrait at work from the same session"),
    ],
}


DEMO_CLIENTS = [
    ("Alice Byrne", "alice@example.com", "Byrne & Cole Architects"),
    ("Bob Mensah", "bob@example.com", "Mensah Physiotherapy"),
    ("Chloé Martin", "chloe@example.com", "Atelier Martin"),
    ("Dev Patel", "dev@example.com", "Northwind Legal"),
    ("Emma Walsh", "emma@example.com", ""),
]


@transaction.atomic
def seed_availability() -> Availability:
    availability = Availability.load()
    if not availability.working_hours.exists():
        for weekday in range(5):  # Monday to Friday, with a lunch break
            WorkingHours.objects.create(availability=availability, weekday=weekday, start=time(9), end=time(12, 30))
            WorkingHours.objects.create(
                availability=availability, weekday=weekday, start=time(13, 30), end=time(17, 30)
            )
        WorkingHours.objects.create(availability=availability, weekday=5, start=time(10), end=time(14))
    if not TimeOff.objects.exists():
        start = timezone.localdate() + timedelta(days=40)
        TimeOff.objects.create(first_day=start, last_day=start + timedelta(days=6), note="Summer holiday")
        afternoon = timezone.localdate() + timedelta(days=9)
        TimeOff.objects.create(
            first_day=afternoon, start_time=time(14), last_day=afternoon, end_time=time(17, 30), note="Print lab visit"
        )
    return availability


@transaction.atomic
def seed_bookings() -> int:
    """A few bookings in each state, once (skipped when any booking exists)."""
    if Booking.objects.exists():
        return 0
    tz = Availability.load().tz
    sessions = {s.kind: s for s in SessionType.objects.filter(is_active=True)}
    if not sessions:
        return 0
    clients = [
        Client.objects.get_or_create(email=email, defaults={"name": name, "company": company})[0]
        for name, email, company in DEMO_CLIENTS
    ]
    today = timezone.now().astimezone(tz).date()

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        day = today + timedelta(days=days)
        while day.weekday() >= 5:  # keep demo sessions on weekdays
            day += timedelta(days=1)
        return datetime.combine(day, time(hour, minute), tz)

    plan = [
        (clients[0], "headshot", at(3, 10), Booking.Status.REQUESTED),
        (clients[1], "portrait", at(4, 14), Booking.Status.REQUESTED),
        (clients[2], "both", at(6, 9, 30), Booking.Status.CONFIRMED),
        (clients[3], "headshot", at(1, 11), Booking.Status.CONFIRMED),
        (clients[4], "portrait", at(9, 13, 30), Booking.Status.DECLINED),
        (clients[0], "headshot", at(12, 15), Booking.Status.CANCELLED),
        (clients[1], "headshot", at(-10, 10), Booking.Status.COMPLETED),
    ]
    for client, kind, start, status in plan:
        session = sessions.get(kind) or next(iter(sessions.values()))
        shape = scheduling.session_shape(session)
        held = slots.held(start, shape)
        booking = Booking.objects.create(
            client=client,
            session_type=session,
            start=start,
            end=start + shape.duration,
            held_start=held.start,
            held_end=held.end,
            status=status,
            purpose="Team page and LinkedIn" if kind == "headshot" else "Website and brand",
            decline_reason=DECLINED_BECAUSE if status == Booking.Status.DECLINED else "",
            cancel_reason=CANCELLED_BECAUSE if status == Booking.Status.CANCELLED else "",
        )
        _demo_history(booking)
    return len(plan)


S = Booking.Status
DECLINED_BECAUSE = "We're away on a shoot that week. Any other week works!"
CANCELLED_BECAUSE = "Our offsite moved to the spring; we'll book again then."
# How each demo booking reached its state after the client's request: (state, by the client, reason).
DEMO_HISTORY = {
    S.REQUESTED: [],
    S.CONFIRMED: [(S.CONFIRMED, False, "")],
    S.DECLINED: [(S.DECLINED, False, DECLINED_BECAUSE)],
    S.CANCELLED: [(S.CONFIRMED, False, ""), (S.CANCELLED, True, CANCELLED_BECAUSE)],
    S.COMPLETED: [(S.CONFIRMED, False, ""), (S.COMPLETED, False, "")],
}


def _demo_history(booking: Booking) -> None:
    """The demo booking's changes, a day apart up to today, so its admin page shows a history."""
    studio = history.Actor(f"{settings.STUDIO_NAME} (photographer)")
    steps = [(S.REQUESTED, True, ""), *DEMO_HISTORY[booking.status]]
    before = ""
    for n, (after, by_client, reason) in enumerate(steps):
        who = history.client(booking.client) if by_client else studio
        change = history.record_change(booking, before=before, after=after, by=who, reason=reason)
        change.at = timezone.now() - timedelta(days=len(steps) - 1 - n)
        change.save(update_fields=["at"])
        before = after


# --- A client's gallery: generated photos processed through the real pipeline ---

DEMO_PHOTOS = 12
DEMO_BURST = [4, 5, 6]  # three frames of one pose


def _as_taken(shot: list[Photo], *, around: datetime) -> None:
    """The capture times a camera would have written (the drawings carry none): a frame every 40
    seconds, the burst's a second apart."""
    for n, photo in enumerate(shot):
        seconds = 40 * n if n not in DEMO_BURST else 40 * DEMO_BURST[0] + DEMO_BURST.index(n)
        Photo.objects.filter(pk=photo.pk).update(captured_at=around + timedelta(seconds=seconds))


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
    added = []
    for n in range(DEMO_PHOTOS):
        if n in DEMO_BURST:  # the same pose, frame after frame: shown as one group of similar frames
            jpeg = drawn_jpeg("headshot", "demo-burst", quality=80 + 2 * DEMO_BURST.index(n))
        else:
            jpeg = drawn_jpeg("headshot" if n % 3 else "portrait", f"demo-gallery-{n}")
        data = ContentFile(jpeg, name=f"DSC_{1040 + n * 7:04d}.jpg")
        data.size = len(data)
        # Processed here and now, not queued: a running worker would otherwise take some of them
        # while this publishes too early, leaving the gallery in "processing" for good.
        added += photos.add_photos(gallery, [data], queue=False).added
    for photo in added:  # synchronously here: seeding is not a web request
        photos.process_photo(photo.pk)
    _as_taken(added, around=booking.start if booking else timezone.now() - timedelta(days=3))
    photos.regroup_frames(gallery.pk)
    if not Photo.objects.filter(gallery=gallery).exclude(state=Photo.State.DONE).exists():
        publishing.publish_gallery(gallery)
    return gallery


# What the demo studio asks when a session is booked: (question, kind, required, help text, choices).
INTAKE_QUESTIONS = {
    "headshot": [
        (
            "Is there a date you need the photos by?", IntakeQuestion.Kind.SHORT_TEXT, False,
            "A conference, a website launch, a new job: we'll plan the editing around it.", "",
        ),
        (
            "Which backdrop would you like?", IntakeQuestion.Kind.ONE_CHOICE, True, "",
            "Light grey\nCharcoal\nWhite\nI'd like your advice on the day",
        ),
        (
            "Do you wear glasses?", IntakeQuestion.Kind.YES_NO, True,
            "We angle the lights to keep reflections off the lenses.", "",
        ),
        (
            "Anything we should know about how you like to be photographed?", IntakeQuestion.Kind.LONG_TEXT, False,
            "A side you prefer, something you'd rather hide, a look you like from another photo.", "",
        ),
    ],
    "portrait": [
        (
            "Tell us about your work and who the photos are for", IntakeQuestion.Kind.LONG_TEXT, True,
            "A few lines are plenty: what you do and the people you'd like to reach.", "",
        ),
        (
            "Which settings should the photos show?", IntakeQuestion.Kind.SEVERAL_CHOICES, False, "",
            "At my desk or workbench\nWith my team\nWith my tools or products\nOutdoors near where I work",
        ),
        (
            "Is there a colour palette we should work with?", IntakeQuestion.Kind.SHORT_TEXT, False,
            "Colour codes or a link to your brand guide both help.", "",
        ),
        (
            "May we show a few of your photos in our portfolio?", IntakeQuestion.Kind.YES_NO, False,
            "Only with your yes; you can change your mind at any time.", "",
        ),
    ],
}  # fmt: skip

DEFAULT_TERMS_TITLE = "Booking terms"
DEFAULT_TERMS_TEXT = "\n\n".join(
    [
        "Your booking\nSending the booking form asks for a time. The time is held for you, and the session is "
        "booked once we confirm it by email, usually within a working day.",
        "Moving or cancelling\nYou can move or cancel your session yourself, through the link in our emails, "
        "until 24 hours before it starts. Closer to the day, call or email us and we will do what we can.",
        "If we have to move your session\nIf illness or a problem with our equipment stops us, we tell you as "
        "soon as we know and offer you the nearest free times, or cancel at no cost to you.",
        "Your photos\nYour proofs are in a private online gallery that only you can open. We show your photos "
        "in our portfolio or online only if you say we may.",
        "Prices\nThe price on the booking page includes the edited images listed with the session. Extra "
        "images you choose from your gallery cost the price shown there.",
    ]
)


@transaction.atomic
def seed_intake_and_terms() -> None:
    """The demo's questions for a session type that has none yet, and its default terms when the studio
    has none: what the photographer has written in the admin is never touched."""
    for slug, questions in INTAKE_QUESTIONS.items():
        session = SessionType.objects.filter(slug=slug).first()
        if session is None or session.intake_questions.exists():
            continue
        for order, (text, kind, required, help_text, choices) in enumerate(questions, start=1):
            IntakeQuestion.objects.create(
                session_type=session, text=text, kind=kind, required=required, help_text=help_text,
                choices=choices, order=order,
            )  # fmt: skip
    if not TermsDocument.objects.filter(session_type=None).exists():
        TermsDocument.objects.create(title=DEFAULT_TERMS_TITLE, text=DEFAULT_TERMS_TEXT, version=1)


# --- Crops and retouching a client can order of a chosen photo ---

DEMO_CROPS = [("LinkedIn 1:1", 1, 1, Decimal("0")), ("Profile 4:5", 4, 5, Decimal("0")),
              ("Website banner 4:1", 4, 1, Decimal("15.00"))]  # fmt: skip
DEMO_RETOUCH = [
    ("Natural", "Skin and stray hairs tidied; you still look like you on a good day.", Decimal("0")),
    ("Polished", "Natural, plus even skin tone, brighter eyes and creases smoothed from clothes.", Decimal("20.00")),
    ("Background cleaned", "Polished, plus a clean, even background for a consistent team look.", Decimal("35.00")),
]


@transaction.atomic
def seed_orders() -> None:
    """The studio's crops and retouching levels, each added once (by name): the photographer's own
    changes to them are never undone."""
    for order, (name, ratio_width, ratio_height, price) in enumerate(DEMO_CROPS, start=1):
        CropOption.objects.get_or_create(
            name=name,
            defaults={"ratio_width": ratio_width, "ratio_height": ratio_height, "price": price, "order": order},
        )
    for order, (name, description, price) in enumerate(DEMO_RETOUCH, start=1):
        RetouchLevel.objects.get_or_create(
            name=name, defaults={"description": description, "price": price, "order": order}
        )


# --- A company's team headshot day, a fortnight ahead ---

DEMO_TEAM = [
    ("Ines Carvalho", "ines.carvalho@brightwater.example", 0, "Wears glasses"),
    ("Kwame Asante", "kwame.asante@brightwater.example", 1, ""),
    ("Sofia Lindqvist", "sofia.lindqvist@brightwater.example", 4, "Prefers her left side"),
    ("Rory Gallagher", "rory.gallagher@brightwater.example", None, ""),
    ("Mei Tanaka", "mei.tanaka@brightwater.example", None, ""),
]


@transaction.atomic
def seed_team_day() -> TeamDay | None:
    """Once: an upcoming team day at a client's office, some of its people with a time."""
    if TeamDay.objects.exists():
        return None
    session = SessionType.objects.filter(kind=SessionType.Kind.HEADSHOT).first()
    if session is None:
        return None
    tz = Availability.load().tz
    day = timezone.now().astimezone(tz).date() + timedelta(days=14)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    team_day = TeamDay.objects.create(
        company="Brightwater Consulting",
        coordinator_name="Hannah Brooks",
        coordinator_email="hannah.brooks@brightwater.example",
        billing_reference="PO-20417",
        session_type=session,
        location=Booking.Location.ON_LOCATION,
        address="Brightwater Consulting, 2nd floor, 18 Canal Street, Manchester M1 3HE",
        date=day,
        start=time(9, 30),
        end=time(12, 30),
        slot_minutes=10,
        walk_in_slots=2,
    )
    TeamBreak.objects.create(day=team_day, start=time(11), end=time(11, 15), label="Coffee and a new backdrop")
    times = team_days.slots(team_day, tz)
    for name, email, slot, notes in DEMO_TEAM:
        TeamMember.objects.create(
            day=team_day,
            name=name,
            email=email,
            notes=notes,
            slot_start=times[slot].start if slot is not None else None,
            invited_at=timezone.now() - timedelta(days=2),
        )
    return team_day
