"""Comments between a client and the photographer: the photographer hears of new ones by email, in
a summary (at most one email per gallery every TELL_EVERY, however many the client writes), and
answers each in the admin; the client reads the reply under their comment."""

import unicodedata
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import emails
from .models import Comment, Gallery

TELL_EVERY = timedelta(minutes=10)
REPLY_MAX_CHARS = 2000


class ReplyRejected(ValueError):
    """The reply can't be saved as written; the message says why."""


def tell_photographer(gallery: Gallery, *, now: datetime | None = None) -> int:
    """Email the photographer the gallery's comments they have not heard of, unless an email about
    its comments went less than TELL_EVERY ago: the sweep sends those once the time is up. Returns
    how many comments the email holds (0: none sent). Call it holding the gallery's row lock, so two
    comments arriving together make one email."""
    now = now or timezone.now()
    on_gallery = Comment.objects.filter(photo__gallery=gallery)
    waiting = list(on_gallery.filter(photographer_told_at__isnull=True).select_related("photo").order_by("created_at"))
    if not waiting:
        return 0
    last = on_gallery.aggregate(last=Max("photographer_told_at"))["last"]
    if last is not None and now - last < TELL_EVERY:
        return 0
    Comment.objects.filter(pk__in=[c.pk for c in waiting]).update(photographer_told_at=now)
    emails.new_comments(gallery, waiting)
    return len(waiting)


def tell_photographer_of_waiting_comments() -> int:
    """The sweep (Celery beat, every minute): send each summary whose time has come. Returns how
    many emails went out."""
    waiting = Comment.objects.filter(photographer_told_at__isnull=True).order_by()  # no ordering: truly distinct
    gallery_ids = waiting.values_list("photo__gallery_id", flat=True).distinct()
    sent = 0
    for gallery_id in list(gallery_ids):
        with transaction.atomic():
            gallery = Gallery.objects.select_for_update().select_related("client").filter(pk=gallery_id).first()
            if gallery is not None and tell_photographer(gallery):
                sent += 1
    return sent


def clean_reply(text: str) -> str:
    """The reply as it will be stored, or ReplyRejected saying what to change."""
    text = text.replace("\r\n", "\n").strip()  # browsers send a textarea's line breaks as CRLF
    if not text:
        raise ReplyRejected("Write the reply first.")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ReplyRejected("The reply contains characters that can't be stored. Please type it again in plain text.")
    if len(text) > REPLY_MAX_CHARS:
        raise ReplyRejected(f"Please keep the reply to {REPLY_MAX_CHARS} characters or fewer (it has {len(text)}).")
    return text


def reply_to_comment(comment: Comment, *, text: str, by) -> Comment:
    """Save the photographer's answer to a comment (a second reply replaces the first)."""
    comment.reply = clean_reply(text)
    comment.replied_at = timezone.now()
    comment.replied_by = by
    comment.save(update_fields=["reply", "replied_at", "replied_by"])
    return comment
