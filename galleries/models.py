import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from photostudio.storage import private_storage, rendition_storage


def new_public_id() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits


def new_photo_key() -> str:
    return secrets.token_hex(16)


def original_path(photo: "Photo", filename: str) -> str:
    """A random name: the uploaded one is kept only as data (`original_name`)."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"originals/{photo.gallery.public_id}/{secrets.token_hex(16)}.{suffix}"


class WatermarkSettings(models.Model):
    """The studio's mark on every proof; one row, edited in the admin."""

    SINGLETON_ID = 1

    class Position(models.TextChoices):
        CENTER = "center", "Centre"
        BOTTOM_RIGHT = "bottom-right", "Bottom right"
        BOTTOM_LEFT = "bottom-left", "Bottom left"
        TOP_RIGHT = "top-right", "Top right"
        TOP_LEFT = "top-left", "Top left"
        TILED = "tiled", "Tiled across the photo"

    text = models.CharField(max_length=80, blank=True, help_text="Used when there is no logo. Empty: the studio name.")
    logo = models.FileField(
        upload_to="watermark/", storage=private_storage, blank=True, help_text="A PNG with a transparent background."
    )
    position = models.CharField(max_length=12, choices=Position, default=Position.BOTTOM_RIGHT)
    size = models.DecimalField(
        max_digits=3, decimal_places=2, default=0.25, help_text="Width of the mark, as a share of the photo (0.05–1)."
    )
    opacity = models.DecimalField(max_digits=3, decimal_places=2, default=0.35, help_text="0 invisible, 1 solid.")

    class Meta:
        verbose_name = verbose_name_plural = "watermark"
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=0.05, size__lte=1), name="watermark_size_range"),
            models.CheckConstraint(condition=models.Q(opacity__gte=0, opacity__lte=1), name="watermark_opacity_range"),
        ]

    def __str__(self) -> str:
        return "Watermark"

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "WatermarkSettings":
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls(pk=cls.SINGLETON_ID)


class Gallery(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROCESSING = "processing", "Processing"
        PROOFING = "proofing", "Proofing"
        SELECTION_SUBMITTED = "submitted", "Selection submitted"
        DELIVERED = "delivered", "Delivered"

    client = models.ForeignKey("bookings.Client", related_name="galleries", on_delete=models.CASCADE)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, related_name="galleries", on_delete=models.SET_NULL
    )
    title = models.CharField(max_length=120)
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    message = models.TextField("message to the client", blank=True)
    selection_limit = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Photos included. Empty: the session type's included images."
    )
    price_per_extra = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="Empty: no extra photos beyond the limit."
    )
    expires_on = models.DateField(null=True, blank=True, help_text="The gallery closes after this day.")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "galleries"

    def __str__(self) -> str:
        return f"{self.title} ({self.client.name})"

    def save(self, *args, **kwargs) -> None:
        if self.selection_limit is None:
            self.selection_limit = self.booking.session_type.images_included if self.booking_id else 10
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/portal/galleries/{self.public_id}/"

    def get_admin_url(self) -> str:
        return reverse("admin:galleries_gallery_change", args=[self.pk])

    @property
    def portal_url(self) -> str:
        return settings.SITE_URL + self.get_absolute_url()


class Photo(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    gallery = models.ForeignKey(Gallery, related_name="photos", on_delete=models.CASCADE)
    key = models.CharField(max_length=32, unique=True, default=new_photo_key, editable=False)
    original = models.FileField(upload_to=original_path, storage=private_storage, max_length=200)
    original_name = models.CharField(max_length=255, help_text="The file's name on the photographer's computer.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the original, to spot duplicates.")
    size_bytes = models.PositiveBigIntegerField(default=0)

    proof = models.FileField(storage=rendition_storage, max_length=200, blank=True)
    thumb = models.FileField(storage=rendition_storage, max_length=200, blank=True)
    thumb_2x = models.FileField(storage=rendition_storage, max_length=200, blank=True)
    placeholder = models.TextField(blank=True, help_text="A tiny blurred preview, as a data: URI.")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    thumb_width = models.PositiveIntegerField(default=0)
    thumb_height = models.PositiveIntegerField(default=0)
    captured_at = models.DateTimeField(null=True, blank=True, help_text="From the camera (EXIF).")

    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    error = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "captured_at", "original_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["gallery", "content_hash"], name="photo_once_per_gallery"),
        ]
        indexes = [models.Index(fields=["gallery", "state"]), models.Index(fields=["state", "claimed_at"])]

    def __str__(self) -> str:
        return self.original_name
