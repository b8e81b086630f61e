from django.db import models


class StudioProfile(models.Model):
    """What the public site says about the studio; one row, edited in the admin.

    The studio's name and sending address are deployment settings (STUDIO_NAME, STUDIO_EMAIL).
    """

    SINGLETON_ID = 1

    tagline = models.CharField(max_length=160, blank=True, help_text="One line under the studio name on the home page.")
    about = models.TextField(blank=True, help_text="A short introduction shown on the home page.")
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True, help_text="Where the studio is, as clients should read it.")
    instagram_url = models.URLField(blank=True)

    class Meta:
        verbose_name = "studio profile"
        verbose_name_plural = "studio profile"

    def __str__(self) -> str:
        return "Studio profile"

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "StudioProfile":
        """The saved profile, or an empty unsaved one (reading a page never writes a row)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls(pk=cls.SINGLETON_ID)


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
    slug = models.SlugField(max_length=80, unique=True, help_text="Its address: /sessions/<slug>/")
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
    is_active = models.BooleanField("active", default=True, help_text="Shown on the site and bookable.")
    order = models.PositiveSmallIntegerField(default=0)

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


def example_photo_path(instance: "SessionTypePhoto", filename: str) -> str:
    return f"session-types/{instance.session_type.slug}/{filename}"


class SessionTypePhoto(models.Model):
    """An example photo shown with a session type (stored resized, with no camera metadata)."""

    session_type = models.ForeignKey(SessionType, related_name="photos", on_delete=models.CASCADE)
    image = models.ImageField(upload_to=example_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField("description", max_length=200, help_text="What the photo shows, for screen readers.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "example photo"

    def __str__(self) -> str:
        return self.alt


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
