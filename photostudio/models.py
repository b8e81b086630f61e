from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Singleton(models.Model):
    """A settings-like model with one row, edited in the admin."""

    SINGLETON_ID = 1

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The saved row, or an unsaved one with the defaults (reading a page never writes a row)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls(pk=cls.SINGLETON_ID)


class OutgoingEmail(models.Model):
    """One message to one recipient, rendered and stored in the same transaction as the change it
    tells about, then sent by a Celery task. The row is the record of what was sent, and the
    outbox: a message whose task was lost (broker down) is found by the periodic sweep and sent."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting to be sent"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=60, help_text="Which message this is, e.g. booking_confirmed.")
    to = models.EmailField(max_length=254)
    reply_to = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    text = models.TextField()
    html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True, help_text="[{filename, content_type, content}]")

    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    # What the message is about (a booking, a gallery, a contact message), for its history.
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    about_id = models.CharField(max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "email"
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["about_type", "about_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class FailedTask(models.Model):
    """A background job that gave up, for the photographer to see (and a developer to fix)."""

    task = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64)
    arguments = models.CharField(max_length=500, blank=True)
    error = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "failed background job"

    def __str__(self) -> str:
        return f"{self.task} failed: {self.error[:60]}"


class StateChange(models.Model):
    """One change of a booking's or a gallery's state: from which to which, when, who made it and
    the reason given. Written in the same transaction as the change (`photostudio.history`), so a
    change rolled back leaves no row; it goes with its object (a GenericRelation on each model)."""

    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("object_type", "object_id")
    from_state = models.CharField(max_length=30, blank=True, help_text="Empty when the object was created.")
    to_state = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now)
    # Who: the account (gone if it is deleted) and a label that reads on its own, such as
    # "Sam Okafor (photographer)", "Bob Mensah (client)" or "automatic".
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField("who", max_length=200)
    reason = models.TextField(blank=True, help_text="The reason given, or what changed (a move's old and new time).")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "change of state"
        verbose_name_plural = "changes of state"
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state} by {self.actor}"
