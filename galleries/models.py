import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from photostudio.models import Singleton, StateChange
from photostudio.storage import private_storage, rendition_storage


def new_public_id() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits


def new_photo_key() -> str:
    return secrets.token_hex(16)


def original_path(photo: "Photo", filename: str) -> str:
    """A random name: the uploaded one is kept only as data (`original_name`)."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"originals/{photo.gallery.public_id}/{secrets.token_hex(16)}.{suffix}"


class GallerySettings(Singleton):
    """The galleries' settings, one row edited in the admin: the studio's mark on every proof, and
    how long originals nobody chose are kept after delivery."""

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
    purge_unchosen_after_days = models.PositiveSmallIntegerField(
        "delete unchosen originals after (days)",
        null=True,
        blank=True,
        default=180,
        help_text="Days after delivery. The proofs stay. Empty: keep every original.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "gallery settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=0.05, size__lte=1), name="watermark_size_range"),
            models.CheckConstraint(condition=models.Q(opacity__gte=0, opacity__lte=1), name="watermark_opacity_range"),
        ]

    def __str__(self) -> str:
        return "Gallery settings"

    def clean(self) -> None:
        # Every proof is drawn with the logo: a file that is not a real PNG would make each one fail.
        if self.logo and not getattr(self.logo, "_committed", True):  # a new upload
            error = logo_problem(self.logo)
            if error:
                raise ValidationError({"logo": error})


LOGO_MAX_BYTES = 5 * 1024 * 1024
LOGO_SIDES = (16, 4096)  # pixels, smallest and largest side


def logo_problem(upload) -> str:
    """Why an uploaded watermark logo can't be used, or "" when it is a PNG of sane size."""
    from photostudio import imaging

    if upload.size > LOGO_MAX_BYTES:
        return f"The logo is {upload.size / 2**20:.1f} MB; a watermark logo should be under 5 MB."
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        width, height = imaging.check_logo(data)
    except imaging.ImageRejected as exc:
        reason = str(exc).removeprefix("watermark logo").lstrip(": ")
        return f"This file can't be the logo ({reason}). Upload a PNG image, ideally with a transparent background."
    low, high = LOGO_SIDES
    if not (low <= width <= high and low <= height <= high):
        return f"The logo is {width} × {height} pixels; each side should be between {low} and {high} pixels."
    return ""


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
    keep_location = models.BooleanField(
        "keep location in downloads",
        default=False,
        help_text=(
            "Leave the GPS position and place names in the files the client downloads. Off: they are "
            "removed; copyright, camera and the rest stay."
        ),
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_reminder_sent_on = models.DateField(null=True, blank=True, editable=False)
    # Its changes of state, who made them and why; they go when it does.
    state_changes = GenericRelation(StateChange, content_type_field="object_type", object_id_field="object_id")

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

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_on is not None and timezone.localdate() > self.expires_on

    @property
    def allows_extras(self) -> bool:
        return self.price_per_extra is not None

    @property
    def is_open_for_selection(self) -> bool:
        return self.status == self.Status.PROOFING and not self.is_expired


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

    content_type = models.CharField(
        max_length=40, blank=True, editable=False, help_text="What the original is, as decoded (not its name)."
    )

    # The 2048 px proof is private: only the access-checked proof view sends it. The thumbnails
    # are public files with unguessable names.
    proof = models.FileField(storage=private_storage, max_length=200, blank=True)
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
    is_final = models.BooleanField(
        default=False, help_text="An edited final for delivery (not a proof to choose from)."
    )
    delivered = models.BooleanField(default=False, help_text="The client can download it full size.")
    # The file the client downloads: the original without its location (unless the gallery keeps
    # it), made by a task at delivery. Empty until then, or when the original goes out as it is.
    download = models.FileField(storage=private_storage, max_length=200, blank=True, editable=False)
    # The web-size copy of a delivered photo (long edge 2048, sRGB JPEG, no mark, no metadata), made
    # by a task at delivery; private like the rest.
    web = models.FileField(storage=private_storage, max_length=200, blank=True, editable=False)
    # Near-identical frames: a perceptual hash of the proof (16 hex digits), and the key of the first
    # photo of the group of close frames taken seconds apart it belongs to (its own key when alone).
    phash = models.CharField(max_length=16, blank=True, editable=False)
    group_key = models.CharField(max_length=32, blank=True, editable=False)
    # How many frames that group holds (1 alone): the gallery's grid shows it on the group's tile
    # without counting the group for every tile it sends.
    group_size = models.PositiveIntegerField(default=1, editable=False)
    # An edited final: the proof it was made from (the crops the client ordered of that proof are
    # cut from this file).
    final_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        related_name="finals",
        on_delete=models.SET_NULL,
        limit_choices_to={"is_final": False},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The order of a shoot: as the photographer arranged it, else as taken, else by file name.
    # (Querysets that aggregate drop Meta.ordering: they order_by(*Photo.ORDER) themselves.)
    ORDER = ("order", models.F("captured_at").asc(nulls_last=True), "original_name", "pk")

    class Meta:
        ordering = ["order", models.F("captured_at").asc(nulls_last=True), "original_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["gallery", "content_hash"], name="photo_once_per_gallery"),
        ]
        indexes = [
            models.Index(fields=["gallery", "state"]),
            models.Index(fields=["state", "claimed_at"]),
            # A page of a big gallery reads its photos in the shoot's order straight from this
            # index instead of sorting every photo of the gallery for each page. (PostgreSQL puts
            # nulls last in an ascending index, as ORDER does; SQLite refuses NULLS LAST in one.)
            models.Index(fields=["gallery", "order", "captured_at", "original_name", "id"], name="photo_shoot_order"),
            # A page counts each tile's near-identical frames (its group) in its one query.
            models.Index(fields=["gallery", "group_key"], name="photo_frame_group"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def proof_size(self) -> tuple[int, int]:
        """The proof's width and height, for the viewer to lay it out before it arrives: the
        thumbnail's shape at the proof's long edge (never more than the original's)."""
        from photostudio.imaging import PROOF_LONG_EDGE

        long_edge = min(PROOF_LONG_EDGE, max(self.width, self.height) or PROOF_LONG_EDGE)
        w, h = self.thumb_width or 4, self.thumb_height or 5
        scale = long_edge / max(w, h)
        return round(w * scale), round(h * scale)

    @property
    def proof_version(self) -> str:
        """Changes whenever the proof does (its file name carries a digest of its content). The
        viewer's address for the proof includes it, so no browser keeps showing an earlier one."""
        return hashlib.sha256(self.proof.name.encode()).hexdigest()[:12]

    @property
    def web_version(self) -> str:
        """As proof_version, for the web-size copy the viewer shows of a delivered photo (the proof
        stands in until it is made)."""
        return hashlib.sha256((self.web.name or self.proof.name).encode()).hexdigest()[:12]


class Favourite(models.Model):
    """A photo the client has chosen (their selection is their favourites)."""

    photo = models.OneToOneField(Photo, related_name="favourite", on_delete=models.CASCADE)
    gallery = models.ForeignKey(Gallery, related_name="favourites", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["photo__order", "photo__captured_at", "photo__original_name"]

    def __str__(self) -> str:
        return f"♥ {self.photo}"


class Comment(models.Model):
    photo = models.ForeignKey(Photo, related_name="comments", on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    # The photographer's answer, shown to the client under the comment.
    reply = models.TextField(max_length=2000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    # When an email told the photographer about it; empty while it waits for the next summary.
    photographer_told_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["photo"], condition=models.Q(photographer_told_at__isnull=True), name="comment_not_yet_told"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class CropOption(models.Model):
    """A crop the studio offers of a chosen photo, e.g. LinkedIn 1:1, profile 4:5, banner 4:1."""

    name = models.CharField(max_length=60)
    ratio_width = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    ratio_height = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField("offered", default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.ratio_width}:{self.ratio_height})"


class RetouchLevel(models.Model):
    """A level of retouching the studio offers of a chosen photo, each with its price."""

    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField("offered", default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CropOrder(models.Model):
    """A crop the client placed on a chosen photo: a rectangle relative to the image (0 to 1 of its
    width and height, from its top left), so it fits a final of any size."""

    photo = models.ForeignKey(Photo, related_name="crop_orders", on_delete=models.CASCADE)
    option = models.ForeignKey(CropOption, related_name="orders", on_delete=models.PROTECT)
    left = models.FloatField()
    top = models.FloatField()
    width = models.FloatField()
    height = models.FloatField()
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0, help_text="As offered when ordered.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["option__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "option"], name="one_crop_of_a_kind_per_photo"),
            models.CheckConstraint(
                condition=models.Q(left__gte=0, top__gte=0, width__gt=0, height__gt=0)
                & models.Q(left__lte=1 - models.F("width") + 1e-9, top__lte=1 - models.F("height") + 1e-9),
                name="crop_inside_the_image",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option.name} of {self.photo}"


class RetouchOrder(models.Model):
    """The retouching the client asked for on a chosen photo."""

    photo = models.OneToOneField(Photo, related_name="retouch_order", on_delete=models.CASCADE)
    level = models.ForeignKey(RetouchLevel, related_name="orders", on_delete=models.PROTECT)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0, help_text="As offered when ordered.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.level.name} of {self.photo}"


class FinishedCrop(models.Model):
    """An ordered crop cut from the photographer's edited final, full size and web size, delivered
    with it."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(CropOrder, related_name="finished", on_delete=models.CASCADE)
    final = models.ForeignKey(Photo, related_name="finished_crops", on_delete=models.CASCADE)
    file = models.FileField(storage=private_storage, max_length=200, blank=True, editable=False)
    web = models.FileField(storage=private_storage, max_length=200, blank=True, editable=False)
    file_name = models.CharField(max_length=255, blank=True, help_text="As the client's download names it.")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["final", "order__option__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["order", "final"], name="one_finished_crop_per_final")]

    def __str__(self) -> str:
        return self.file_name or f"{self.order}"


class Selection(models.Model):
    """The client's submitted choice: a record that stays as it was sent."""

    gallery = models.ForeignKey(Gallery, related_name="selections", on_delete=models.CASCADE)
    photos = models.ManyToManyField(Photo, related_name="selections")
    extras = models.PositiveSmallIntegerField(default=0)
    extras_price = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    note = models.TextField(
        "note to the photographer", blank=True, help_text="What the client wrote when sending the selection."
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    # Crops and retouching ordered per photo, totalled when sent (part of what the extras cost).
    orders_price = models.DecimalField(max_digits=9, decimal_places=2, default=0)

    # The work after the choice, as the client sees it: received, in editing, ready, delivered; the
    # date promised from the session type's turnaround; when each stage began.
    class Stage(models.TextChoices):
        RECEIVED = "received", "Received"
        EDITING = "editing", "In editing"
        READY = "ready", "Ready"
        DELIVERED = "delivered", "Delivered"

    stage = models.CharField(max_length=10, choices=Stage, default=Stage.RECEIVED)
    promised_on = models.DateField("delivery promised by", null=True, blank=True)
    editing_at = models.DateTimeField(null=True, blank=True, editable=False)
    ready_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The payment asked for the extras (none when within the package, or free).
    payment = models.OneToOneField(
        "bookings.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="selection"
    )

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Selection of {self.gallery} on {self.submitted_at:%d %b %Y}"


def zip_path(archive: "ZipArchive", filename: str) -> str:
    return f"zips/{archive.key}.zip"


class Size(models.TextChoices):
    """Which file of a delivered photo: as delivered, or the web-size copy."""

    FULL = "full", "Full size"
    WEB = "web", "Web size"


class ZipArchive(models.Model):
    """Every delivered photo of a gallery in one zip, full or web size, built by a Celery task;
    removed after a while."""

    class State(models.TextChoices):
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    gallery = models.ForeignKey(Gallery, related_name="zips", on_delete=models.CASCADE)
    size = models.CharField(max_length=4, choices=Size, default=Size.FULL)
    key = models.CharField(max_length=32, unique=True, default=new_photo_key, editable=False)
    file = models.FileField(upload_to=zip_path, storage=private_storage, blank=True, max_length=200)
    state = models.CharField(max_length=10, choices=State, default=State.BUILDING)
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Zip of {self.gallery}"


class Download(models.Model):
    """Who downloaded what, and when: visible to the photographer."""

    gallery = models.ForeignKey(Gallery, related_name="downloads", on_delete=models.CASCADE)
    photo = models.ForeignKey(Photo, null=True, blank=True, related_name="downloads", on_delete=models.SET_NULL)
    archive = models.ForeignKey(ZipArchive, null=True, blank=True, on_delete=models.SET_NULL)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    size = models.CharField(max_length=4, choices=Size, default=Size.FULL)
    # What was sent, as the client's browser saved it, and how many bytes.
    file_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    @property
    def who(self) -> str:
        """The client's name when the gallery's client downloaded it (their account is only a number)."""
        if self.user_id is None:
            return "someone since removed"
        if self.user_id == self.gallery.client.user_id:
            return self.gallery.client.name
        return self.user.get_full_name() or self.user.get_username()

    def __str__(self) -> str:
        return f"{self.who} downloaded {self.photo or 'the zip'}"


class TeamShoot(models.Model):
    """A team day's photos, uploaded at once into a gallery of their own (never published), then
    split into each person's private gallery by capture time (galleries/team_split.py)."""

    day = models.OneToOneField("bookings.TeamDay", related_name="shoot", on_delete=models.CASCADE)
    gallery = models.OneToOneField(Gallery, related_name="team_shoot", on_delete=models.CASCADE)
    camera_offset_seconds = models.IntegerField(
        "camera clock correction (seconds)",
        default=0,
        help_text="Added to each photo's capture time: -180 when the camera's clock ran 3 minutes fast.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "team day's photos"
        verbose_name_plural = "team days' photos"

    def __str__(self) -> str:
        return f"Photos of {self.day}"

    @property
    def offset(self) -> "timedelta":
        return timedelta(seconds=self.camera_offset_seconds)


class TeamGallery(models.Model):
    """Which gallery is a person's own, among a team day's."""

    shoot = models.ForeignKey(TeamShoot, related_name="galleries", on_delete=models.CASCADE)
    member = models.OneToOneField("bookings.TeamMember", related_name="team_gallery", on_delete=models.CASCADE)
    gallery = models.OneToOneField(Gallery, related_name="team_member_gallery", on_delete=models.CASCADE)

    def __str__(self) -> str:
        return f"{self.member.name}'s gallery"


class TeamPhotoSortedByHand(models.Model):
    """A photo of a team day the photographer gave to someone by hand: a new camera clock
    correction never moves it again."""

    photo = models.OneToOneField(Photo, related_name="sorted_by_hand", on_delete=models.CASCADE)
    sorted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.photo} (sorted by hand)"
