"""Who changed what: each change of a booking's or a gallery's state is kept with who made it, when,
from which state to which and the reason given, and shown on the object's admin page.

Service functions call `record_change` inside their transaction, so a change that is rolled back
leaves no history. `by` says who acted: a user (the photographer in the admin, a client signed in
to the portal), `client(...)` for someone acting through a signed link without signing in, or
None for the studio's own background work (a request lapsing, photos arriving from the server).
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .models import StateChange

AUTOMATIC = "automatic"


@dataclass(frozen=True)
class Actor:
    label: str
    user: AbstractBaseUser | None = None


def client(someone, user: AbstractBaseUser | None = None) -> Actor:
    """A client acting (a `bookings.Client`, read by its name and account)."""
    return Actor(f"{someone.name} (client)", user or getattr(someone, "user", None))


def actor(by, *, for_client=None) -> Actor:
    """Who `by` is, as the history shows them. A user who is `for_client`'s own account reads as
    that client by name; other staff as the photographer; anyone else as a client."""
    if isinstance(by, Actor):
        return by
    if by is None or not getattr(by, "is_authenticated", False):
        return Actor(AUTOMATIC)
    if for_client is not None and for_client.user_id == by.pk:
        return client(for_client, by)
    name = by.get_full_name() or by.get_username()
    return Actor(f"{name} ({'photographer' if by.is_staff else 'client'})", by)


def record_change(
    subject: models.Model, *, before: str, after: str, by=None, reason: str = "", for_client=None
) -> StateChange:
    """Keep one change of `subject`'s state. Call it inside the transaction that makes the change."""
    who = actor(by, for_client=for_client)
    return StateChange.objects.create(
        subject=subject,
        from_state=before or "",
        to_state=after,
        user=who.user,
        actor=who.label[:200],
        reason=reason.strip(),
    )


def history_table(subject: models.Model | None, *, status_field: str = "status") -> str:
    """The object's changes as a short table for its admin page, newest first, times in the
    studio's zone (the current one in the admin). One query, however many changes there are."""
    if subject is None or subject.pk is None:
        return "-"
    changes = list(subject.state_changes.all())
    if not changes:
        return "No changes recorded yet."
    labels = dict(subject._meta.get_field(status_field).flatchoices)

    def state(value: str) -> str:
        return str(labels.get(value, value)).lower() if value else "new"

    def change(c: StateChange) -> str:
        if c.from_state == c.to_state:  # a move: the reason says from when to when
            return f"still {state(c.to_state)}"
        return f"{state(c.from_state)} → {state(c.to_state)}"

    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((f"{timezone.localtime(c.at):%a %d %b %Y %H:%M}", c.actor, change(c), c.reason) for c in changes),
    )
    return format_html(
        '<table class="state-history"><thead><tr><th>when</th><th>who</th><th>change</th><th>reason</th></tr>'
        "</thead><tbody>{}</tbody></table>",
        rows,
    )
