from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from payments.models import BasePayment

from photostudio.models import Singleton, StateChange
from photostudio.storage import private_storage


class StudioProfile(Singleton):
    """What the public site says about the studio; one row, edited in the admin.

    The studio's name and sending address are deployment settings (STUDIO_NAME, STUDIO_EMAIL).
    """

    tagline = models.CharField(max_length=160, blank=True, help_text="One line under the studio name on the home page.")
    about = models.TextField(blank=True, help_text="A short introduction shown on the home page.")
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(
        "street address", blank=True, help_text="The building and street, one line each, e.g. Unit 4, Canal Yard."
    )
    city = models.CharField("town or city", max_length=80, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    directions = models.TextField(
        blank=True,
        max_length=1000,
        help_text="How to find the studio: the nearest station, parking, which door to use. "
        "Shown with the address on the site and in confirmation emails.",
    )
    instagram_url = models.URLField(blank=True)

    class Meta:
        verbose_name = "studio profile"
        verbose_name_plural = "studio profile"

    def __str__(self) -> str:
        return "Studio profile"

    @property
    def address_lines(self) -> list[str]:
        """The studio's address as it is written on an envelope: street lines, town, postcode."""
        lines = [line.strip() for line in self.address.splitlines()]
        return [line for line in [*lines, self.city.strip(), self.postcode.strip()] if line]

    @property
    def map_url(self) -> str:
        """A search for the address on OpenStreetMap (no map embedded, no key); empty without one."""
        lines = self.address_lines
        if not lines:
            return ""
        return "https://www.openstreetmap.org/search?" + urlencode({"query": ", ".join(lines)})


class SessionType(models.Model):
    """A kind of session the studio offers, as clients see it on the site and book it."""

    class Kind(models.TextChoices):
        HEADSHOT = "headshot", "Headshot"
        PORTRAIT = "portrait", "Portrait"
        BOTH = "both", "Headshot and portrait"

    class Location(models.TextChoices):
        STUDIO = "studio", "In the studio"
        ON_LOCATION = "on_location", "On location"
        EITHER = "either", "In the studio or on location"

    kind = models.CharField(max_length=10, choices=Kind)
    name = models.CharField(max_length=80)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The end of its address on the site, as in /sessions/headshot/."
    )
    pitch = models.CharField(max_length=200, help_text="One sentence on the home page.")
    purpose = models.TextField(help_text="What the photos are for.")
    style = models.TextField(help_text="How the photos look.")
    goal = models.CharField(max_length=200, help_text="What the photos should achieve, in a line.")
    deliverables = models.TextField(help_text="What the client gets, one item a line.")
    duration_minutes = models.PositiveSmallIntegerField(help_text="Length of the session itself.")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    images_included = models.PositiveSmallIntegerField(help_text="Edited images included in the price.")
    location = models.CharField(max_length=12, choices=Location, default=Location.STUDIO)
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0, help_text="Set-up time kept free before.")
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0, help_text="Time kept free after.")
    preparation = models.TextField(
        "what to wear and how to prepare",
        blank=True,
        max_length=2000,
        help_text="Shown on the session's page and in the confirmation email. A blank line starts a new paragraph.",
    )
    is_active = models.BooleanField("active", default=True, help_text="Shown on the site and bookable.")
    order = models.PositiveSmallIntegerField(default=0)
    deposit = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Paid online to reserve the time, right after the request. 0 for none.",
    )
    turnaround_days = models.PositiveSmallIntegerField(
        "delivery within (working days)",
        default=10,
        help_text="Working days from the client's selection to the finished photos, skipping weekends and time off: "
        "the delivery date the client is promised.",
    )
    refund_until_hours = models.PositiveSmallIntegerField(
        "deposit refunded until (hours before)",
        default=48,
        help_text="A client who cancels up to this many hours before the session gets the whole deposit back; "
        "later, none of it.",
    )

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gt=0), name="session_type_has_duration"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="session_type_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("session_type", args=[self.slug])

    @property
    def duration_display(self) -> str:
        hours, minutes = divmod(self.duration_minutes, 60)
        parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
        if minutes:
            parts.append(f"{minutes} minutes")
        return " ".join(parts)

    @property
    def deliverable_lines(self) -> list[str]:
        return [line.strip() for line in self.deliverables.splitlines() if line.strip()]

    @property
    def allows_on_location(self) -> bool:
        return self.location in (self.Location.ON_LOCATION, self.Location.EITHER)

    @property
    def allows_studio(self) -> bool:
        return self.location in (self.Location.STUDIO, self.Location.EITHER)


def example_original_path(instance: "SessionTypePhoto", filename: str) -> str:
    return f"session-types/{instance.session_type.slug}/{filename}"


class SessionTypePhoto(models.Model):
    """An example photo shown with a session type. The upload is kept privately; the site shows
    a web-sized copy without camera metadata, made by the image pipeline (a Celery task)."""

    session_type = models.ForeignKey(SessionType, related_name="photos", on_delete=models.CASCADE)
    original = models.ImageField(upload_to=example_original_path, storage=private_storage)
    image = models.ImageField(upload_to="session-types/", blank=True, editable=False)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    error = models.CharField(max_length=200, blank=True, editable=False)
    alt = models.CharField("description", max_length=200, help_text="What the photo shows, for screen readers.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "example photo"

    def __str__(self) -> str:
        return self.alt


def ready_photos() -> models.Prefetch:
    """Prefetch a session type's example photos that have their web copy (the rest are pending)."""
    return models.Prefetch("photos", queryset=SessionTypePhoto.objects.exclude(image=""))


class ContactMessage(models.Model):
    """A question from the "get in touch" form: not yet a booking."""

    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    answered = models.BooleanField(default=False, help_text="Tick once you have replied.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def _default_time_zone() -> str:
    return settings.TIME_ZONE


def new_secret() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class Availability(Singleton):
    """The studio's booking rules; one row, edited in the admin with its working hours."""

    time_zone = models.CharField(
        max_length=64, default=_default_time_zone, help_text="The studio's time zone, e.g. Europe/London."
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        "minimum notice (hours)", default=24, help_text="How soon before a session it can still be booked."
    )
    horizon_days = models.PositiveSmallIntegerField(
        "booking horizon (days)", default=90, help_text="How far ahead clients can book."
    )
    step_minutes = models.PositiveSmallIntegerField(
        "start every (minutes)", default=30, help_text="Offered start times fall on this grid."
    )
    max_sessions_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit."
    )
    change_notice_hours = models.PositiveSmallIntegerField(
        "cancel or reschedule until (hours before)",
        default=24,
        help_text="Clients can cancel or move a session online until this many hours before it starts.",
    )
    request_lapse_hours = models.PositiveSmallIntegerField(
        "unanswered requests lapse after (hours)",
        default=72,
        validators=[MinValueValidator(1, "Give at least 1 hour.")],
        help_text="A request you haven't confirmed by then lapses: its time is freed and the client is told. "
        "A request never holds its time past the session's start.",
    )
    calendar_token = models.CharField(
        max_length=64, default=new_secret, editable=False, help_text="The secret in the calendar feed's address."
    )
    waitlist_offer_hours = models.PositiveSmallIntegerField(
        "waitlist offers held for (hours)",
        default=2,
        validators=[MinValueValidator(1, "Give at least 1 hour.")],
        help_text="When a time frees up on a full day, the first client on its waitlist is offered it and the "
        "time is kept for them this long; then it goes to the next.",
    )
    deposit_hold_minutes = models.PositiveSmallIntegerField(
        "deposit to be paid within (minutes)",
        default=30,
        validators=[MinValueValidator(5, "Give at least 5 minutes.")],
        help_text="A request whose session takes a deposit holds its time this long for the payment; "
        "unpaid by then, the time is freed and the client told.",
    )

    class Meta:
        verbose_name = "availability"
        verbose_name_plural = "availability"
        constraints = [
            models.CheckConstraint(condition=models.Q(step_minutes__gte=5), name="availability_step_at_least_5"),
            models.CheckConstraint(condition=models.Q(horizon_days__gte=1), name="availability_horizon_at_least_1"),
            models.CheckConstraint(
                condition=models.Q(request_lapse_hours__gte=1), name="availability_requests_lapse_after_an_hour_or_more"
            ),
        ]

    def __str__(self) -> str:
        return "Availability"

    def clean(self) -> None:
        from zoneinfo import available_timezones

        from django.core.exceptions import ValidationError

        if self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": "Not a time zone name; use one like Europe/London."})

    @classmethod
    def load(cls) -> "Availability":
        # Stored on first use: the calendar feed's secret must stay the same from then on.
        obj, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return obj

    @property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.time_zone)


class WorkingHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    availability = models.ForeignKey(Availability, related_name="working_hours", on_delete=models.CASCADE)
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="hours_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class TimeOff(models.Model):
    """Days, or hours, when no session can be booked: from the start time on the first day (its
    start when empty) to the end time on the last day (its end when empty), on the studio's clock."""

    first_day = models.DateField()
    start_time = models.TimeField(
        "from", null=True, blank=True, help_text="Leave empty to take the whole first day off."
    )
    last_day = models.DateField()
    end_time = models.TimeField("until", null=True, blank=True, help_text="Leave empty to take the whole last day off.")
    note = models.CharField(max_length=120, blank=True, help_text="For you only, e.g. holiday.")

    class Meta:
        ordering = ["first_day", "start_time"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="time_off_in_order",
                violation_error_message="The last day can't come before the first.",
            ),
            models.CheckConstraint(
                condition=models.Q(last_day__gt=models.F("first_day"))
                | models.Q(start_time__isnull=True)
                | models.Q(end_time__isnull=True)
                | models.Q(end_time__gt=models.F("start_time")),
                name="time_off_hours_in_order",
                violation_error_message="On a single day, time off must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        start = f"{self.first_day:%d %b %Y}" + (f" {self.start_time:%H:%M}" if self.start_time else "")
        end = f"{self.last_day:%d %b %Y}" + (f" {self.end_time:%H:%M}" if self.end_time else "")
        return f"{start} – {end}" + (f" ({self.note})" if self.note else "")

    @property
    def whole_days(self) -> bool:
        return self.start_time is None and self.end_time is None

    def span(self, tz) -> tuple[datetime, datetime]:
        """The instants it starts and ends, on the studio's clock (`tz`)."""
        start = datetime.combine(self.first_day, self.start_time or time(0), tz)
        if self.end_time is None:
            end = datetime.combine(self.last_day + timedelta(days=1), time(0), tz)
        else:
            end = datetime.combine(self.last_day, self.end_time, tz)
        return start, end


class Client(models.Model):
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    company = models.CharField(max_length=120, blank=True)
    notes = models.TextField("private notes", blank=True, help_text="Never shown to the client.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(models.functions.Lower("email"), name="client_email_unique_any_case"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def _new_reference() -> str:
    import secrets

    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: easy to read out on the phone
    return "".join(secrets.choice(alphabet) for _ in range(8))


class DepositStatus(models.TextChoices):
    """Where a booking's deposit stands. A pending deposit holds the time for Availability.deposit_hold_minutes."""

    NONE = "none", "Not needed"
    PENDING = "pending", "Waiting for payment"
    PAID = "paid", "Paid"
    WAIVED = "waived", "Waived"
    UNPAID = "unpaid", "Never paid"
    REFUNDED = "refunded", "Refunded"
    KEPT = "kept", "Kept (cancelled too late for a refund)"


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        # Not answered within Availability.request_lapse_hours: the time is freed, the client told.
        LAPSED = "lapsed", "Lapsed"

    # Requested and confirmed bookings hold their time (buffers included); no two may overlap.
    HOLDING = (Status.REQUESTED, Status.CONFIRMED)

    class Location(models.TextChoices):
        STUDIO = "studio", "In the studio"
        ON_LOCATION = "on_location", "On location"

    reference = models.CharField(max_length=8, unique=True, default=_new_reference, editable=False)
    client = models.ForeignKey(Client, related_name="bookings", on_delete=models.CASCADE)
    session_type = models.ForeignKey(SessionType, related_name="bookings", on_delete=models.PROTECT)
    start = models.DateTimeField()
    end = models.DateTimeField()
    held_start = models.DateTimeField(editable=False, help_text="Start of the session's time, buffers included.")
    held_end = models.DateTimeField(editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.REQUESTED)
    location = models.CharField(max_length=12, choices=Location, default=Location.STUDIO)
    address = models.CharField("on-location address", max_length=300, blank=True)
    purpose = models.CharField("what the photos are for", max_length=300, blank=True)
    people = models.PositiveSmallIntegerField("number of people", default=1)
    message = models.TextField(max_length=3000, blank=True)
    decline_reason = models.TextField(blank=True, help_text="Shown to the client when you decline.")
    cancel_reason = models.TextField("client's reason for cancelling", max_length=1000, blank=True, editable=False)
    lapses_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When this request lapses unless it is confirmed first."
    )
    sequence = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="Bumped on each reschedule and on cancelling, so calendars update."
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deposit = models.DecimalField(
        max_digits=8, decimal_places=2, default=0, editable=False, help_text="Asked when it was requested."
    )
    deposit_status = models.CharField(max_length=10, choices=DepositStatus, default=DepositStatus.NONE, editable=False)
    # Its changes of state, who made them and why; they go when it does.
    state_changes = GenericRelation(StateChange, content_type_field="object_type", object_id_field="object_id")

    class Meta:
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["status", "held_start", "held_end"]),
            models.Index(fields=["start"]),
            models.Index(fields=["status", "lapses_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=models.Q(held_start__lte=models.F("start"), held_end__gte=models.F("end")),
                name="booking_held_covers_session",
            ),
            # On PostgreSQL an exclusion constraint (migration 0002) also forbids overlapping held times.
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.session_type} for {self.client.name}"

    @property
    def holds_time(self) -> bool:
        return self.status in self.HOLDING

    @property
    def is_upcoming(self) -> bool:
        from django.utils import timezone

        return self.start > timezone.now() and self.holds_time


class WaitlistEntry(models.Model):
    """A client waiting for a time on one or more full days, served in the order they joined."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked"  # took an offer, or booked some other way since joining
        LEFT = "left", "Left the waitlist"
        EXPIRED = "expired", "Expired"  # its last day has passed

    session_type = models.ForeignKey(SessionType, related_name="waitlist_entries", on_delete=models.PROTECT)
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    address = models.CharField("on-location address", max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    last_day = models.DateField(editable=False, help_text="The latest day asked for; the entry expires after it.")
    created_at = models.DateTimeField("joined", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["status", "last_day"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>: {self.session_type}"

    @property
    def day_list(self) -> list:
        return [d.day for d in self.days.all()]


class WaitlistDay(models.Model):
    """One day a waitlist entry asks for."""

    entry = models.ForeignKey(WaitlistEntry, related_name="days", on_delete=models.CASCADE)
    day = models.DateField(db_index=True)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["entry", "day"], name="waitlist_day_once_per_entry")]

    def __str__(self) -> str:
        return f"{self.day:%a %d %b %Y}"


class WaitlistOffer(models.Model):
    """A freed time offered to one waiting client, held for them until `expires_at`."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        TAKEN = "taken", "Taken"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Not taken in time"

    entry = models.ForeignKey(WaitlistEntry, related_name="offers", on_delete=models.CASCADE)
    day = models.DateField(help_text="The studio's day the time is on.")
    start = models.DateTimeField()
    end = models.DateTimeField()
    held_start = models.DateTimeField(editable=False)
    held_end = models.DateTimeField(editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.OFFERED)
    expires_at = models.DateTimeField("held until")
    answered_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, related_name="+", on_delete=models.SET_NULL, help_text="Made when taken."
    )
    created_at = models.DateTimeField("offered at", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "held_start", "held_end"]),
        ]
        constraints = [
            # A client is offered a time on a day once, whatever they do with it.
            models.UniqueConstraint(fields=["entry", "day"], name="waitlist_one_offer_per_entry_and_day"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="waitlist_offer_end_after_start"
            ),
            # On PostgreSQL an exclusion constraint (migration 0007) also forbids overlapping open offers.
        ]

    def __str__(self) -> str:
        return f"{self.entry.name}: {self.start:%Y-%m-%d %H:%M} ({self.get_status_display().lower()})"


# --- intake questions and terms ---


class IntakeQuestion(models.Model):
    """A question the photographer asks everyone booking one session type, on the booking form."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        ONE_CHOICE = "one_choice", "One choice"
        SEVERAL_CHOICES = "several_choices", "Several choices"
        YES_NO = "yes_no", "Yes or no"

    CHOICE_KINDS = (Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES)

    session_type = models.ForeignKey(SessionType, related_name="intake_questions", on_delete=models.CASCADE)
    text = models.CharField("question", max_length=300)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.SHORT_TEXT)
    required = models.BooleanField(default=False, help_text="Clients can't send the request without an answer.")
    help_text = models.CharField(
        max_length=300, blank=True, help_text="A line under the question, e.g. why you ask or an example answer."
    )
    choices = models.TextField(
        blank=True, max_length=3000, help_text="For one choice or several choices: the answers offered, one a line."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "intake question"

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        """The answers offered, one a line, blank lines and repeats left out."""
        lines = (line.strip() for line in self.choices.splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind in self.CHOICE_KINDS and len(self.choice_list) < 2:
            raise ValidationError({"choices": "Give at least two answers to choose from, one a line."})


class IntakeAnswer(models.Model):
    """A client's answer to an intake question, with the question's wording as they read it: editing
    or deleting the question later leaves the booking's record as it was."""

    booking = models.ForeignKey(Booking, related_name="intake_answers", on_delete=models.CASCADE)
    question = models.ForeignKey(
        IntakeQuestion, null=True, blank=True, related_name="answers", on_delete=models.SET_NULL
    )
    question_text = models.CharField("question as asked", max_length=300)
    answer = models.TextField(blank=True, help_text="Several choices are kept one a line.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "intake answer"

    def __str__(self) -> str:
        return f"{self.question_text}: {self.answer}"

    @property
    def answer_lines(self) -> list[str]:
        return [line for line in self.answer.splitlines() if line.strip()]


class TermsDocument(models.Model):
    """One version of the studio's terms: the default ones (no session type) or a session type's own.
    A version is never edited once saved: a change is saved as the next version, so a booking that
    accepted a version keeps exactly the text its client read."""

    session_type = models.ForeignKey(
        SessionType,
        null=True,
        blank=True,
        related_name="terms_versions",
        on_delete=models.CASCADE,
        help_text="Leave empty for the studio's default terms, which apply to every session without terms of its own.",
    )
    title = models.CharField(max_length=120, help_text="As clients see it in the link, e.g. Booking terms.")
    text = models.TextField(max_length=30000, help_text="A blank line starts a new paragraph.")
    version = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_type__order", "session_type__name", "-version"]
        verbose_name = "terms"
        verbose_name_plural = "terms"
        constraints = [
            models.UniqueConstraint(
                fields=["session_type", "version"],
                condition=models.Q(session_type__isnull=False),
                name="terms_one_version_number_per_session_type",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(session_type__isnull=True),
                name="terms_one_version_number_for_the_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def applies_to(self) -> str:
        return self.session_type.name if self.session_type_id else "Every session without terms of its own"


class TermsAcceptance(models.Model):
    """Which version of the terms a booking's client accepted, when, and from which address."""

    booking = models.OneToOneField(Booking, related_name="terms_acceptance", on_delete=models.CASCADE)
    terms = models.ForeignKey(TermsDocument, related_name="acceptances", on_delete=models.PROTECT)
    accepted_at = models.DateTimeField()
    accepted_from = models.GenericIPAddressField(null=True, blank=True, help_text="The client's address.")

    class Meta:
        verbose_name = "terms accepted"
        verbose_name_plural = "terms accepted"

    def __str__(self) -> str:
        return f"{self.booking.reference} accepted {self.terms}"


class Payment(BasePayment):
    """Money a client pays or paid: a booking's deposit, or the extra photos of a selection (the
    selection links to it from the galleries side). django-payments' BasePayment holds the provider's
    side: variant, status, total, transaction_id (the provider's id), captured amount."""

    class Purpose(models.TextChoices):
        DEPOSIT = "deposit", "Deposit"
        EXTRAS = "extras", "Extra photos"

    # Recorded by the photographer (bank transfer, cash): no provider behind it.
    MANUAL = "manual"

    purpose = models.CharField(max_length=10, choices=Purpose)
    client = models.ForeignKey(Client, related_name="payments", on_delete=models.CASCADE)
    # Kept when a booking is deleted: the money was still paid.
    booking = models.ForeignKey(Booking, related_name="payments", null=True, blank=True, on_delete=models.SET_NULL)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Where the client goes back to once the provider has answered (a path on this site).
    return_path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["token"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.total} {self.currency} ({self.get_status_display().lower()})"

    def get_success_url(self) -> str:
        from django.urls import reverse

        return settings.SITE_URL + reverse("payment_return", args=[self.token])

    def get_failure_url(self) -> str:
        return self.get_success_url()  # the same page says how it went

    @property
    def is_manual(self) -> bool:
        return self.variant == self.MANUAL

    @property
    def refunded_amount(self):
        return sum((r.amount for r in self.refunds.all() if r.status != Refund.Status.REFUSED), Decimal(0))


class Refund(models.Model):
    """Money given back on a payment, or a refund refused under the cancellation rule (with why)."""

    class Status(models.TextChoices):
        # Asked of the provider by a Celery task after the change that caused it is saved, never
        # inside the photographer's or the client's request.
        PENDING = "pending", "Waiting to be sent to the provider"
        SENDING = "sending", "Sent to the provider, no answer recorded"
        REFUNDED = "refunded", "Refunded through the provider"
        BY_HAND = "by_hand", "To be paid back by hand"
        REFUSED = "refused", "Refused"

    payment = models.ForeignKey(Payment, related_name="refunds", on_delete=models.CASCADE)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status)
    reason = models.CharField(max_length=300, blank=True)
    transaction_id = models.CharField("provider's id", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.amount} of {self.payment}"


class PaymentEvent(models.Model):
    """A provider's webhook event already applied: the same event delivered again changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


# --- Team headshot days ---------------------------------------------------------------------------


class TeamDay(models.Model):
    """A company's day of headshots: one set-up, a time for each employee, and later a private
    gallery for each. Its hours are taken out of the studio's public free times."""

    class ExtrasPaidBy(models.TextChoices):
        COMPANY = "company", "The company (on its invoice)"
        PERSON = "person", "Each person"

    company = models.CharField(max_length=120)
    coordinator_name = models.CharField(max_length=120)
    coordinator_email = models.EmailField(max_length=254)
    billing_reference = models.CharField(
        max_length=80, blank=True, help_text="The company's purchase order number or reference, for the invoice."
    )
    session_type = models.ForeignKey(SessionType, related_name="team_days", on_delete=models.PROTECT)
    location = models.CharField(max_length=12, choices=Booking.Location, default=Booking.Location.ON_LOCATION)
    address = models.CharField("on-location address", max_length=300, blank=True)
    date = models.DateField()
    start = models.TimeField(help_text="The first person's time, on the studio's clock.")
    end = models.TimeField(help_text="When the last time ends.")
    slot_minutes = models.PositiveSmallIntegerField("minutes each", default=10)
    walk_in_slots = models.PositiveSmallIntegerField(
        default=2, help_text="Times kept free at the end of the day for people who turn up without one."
    )
    photos_each = models.PositiveSmallIntegerField(
        "photos each person chooses", default=1, help_text="Included in the company's price."
    )
    extra_price = models.DecimalField(
        "price of each extra photo", max_digits=8, decimal_places=2, default=0, help_text="0: no extras."
    )
    extras_paid_by = models.CharField(max_length=8, choices=ExtrasPaidBy, default=ExtrasPaidBy.COMPANY)
    coordinator_sees_photos = models.BooleanField(
        default=False, help_text="Let the coordinator see everyone's photos (off: only who has chosen)."
    )
    changes_until_hours = models.PositiveSmallIntegerField("people can move or cancel until (hours before)", default=24)
    reminder_days = models.CharField(
        max_length=40,
        default="3,1",
        help_text="Days before the day to remind those who haven't picked a time, e.g. 3,1.",
    )
    coordinator_token = models.CharField(max_length=64, default=new_secret, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="team_day_end_after_start"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gt=0), name="team_day_slots_have_length"),
        ]

    def __str__(self) -> str:
        return f"{self.company}, {self.date:%d %b %Y}"


class TeamBreak(models.Model):
    """A pause in a team day (lunch, a change of set-up): no one's time falls in it."""

    day = models.ForeignKey(TeamDay, related_name="breaks", on_delete=models.CASCADE)
    start = models.TimeField()
    end = models.TimeField()
    label = models.CharField(max_length=60, blank=True, default="Break")

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="team_break_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.label or 'Break'} {self.start:%H:%M}–{self.end:%H:%M}"


class TeamMember(models.Model):
    """One person of a team day: invited by email with a link of their own, to pick one time."""

    day = models.ForeignKey(TeamDay, related_name="members", on_delete=models.CASCADE)
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    # Their time (aware, stored in UTC); empty until they pick one. Unique within the day, so two
    # people can never hold one time, whatever races between them.
    slot_start = models.DateTimeField(null=True, blank=True)
    walk_in = models.BooleanField(default=False, help_text="Added on the day, without an invitation.")
    notes = models.CharField(max_length=300, blank=True, help_text="For the running order, e.g. glasses.")
    token = models.CharField(max_length=64, default=new_secret, unique=True, editable=False)
    client = models.ForeignKey(
        Client,
        null=True,
        blank=True,
        related_name="team_memberships",
        on_delete=models.SET_NULL,
        editable=False,
        help_text="Their client record, made when their gallery is published.",
    )
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot_start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["day", "slot_start"], name="team_member_times_never_shared"),
            models.UniqueConstraint("day", models.functions.Lower("email"), name="team_member_email_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def slot_end(self) -> datetime | None:
        return self.slot_start + timedelta(minutes=self.day.slot_minutes) if self.slot_start else None
