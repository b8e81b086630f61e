from dataclasses import asdict
from datetime import datetime

from celery import shared_task

from . import deposits, services, team_days, waitlist


@shared_task
def send_booking_reminders() -> int:
    """Hourly (Celery beat): the day-before reminder for confirmed sessions; each sent once."""
    return services.send_reminders()


@shared_task
def lapse_overdue_requests() -> int:
    """Every few minutes (Celery beat): requests nobody answered in time lapse, freeing their time."""
    return services.lapse_overdue_requests()


@shared_task
def prepare_example_photo(photo_id: int) -> None:
    services.prepare_example_photo(photo_id)


@shared_task
def offer_freed_time(freed_start: str) -> int:
    """A held time starting then (ISO 8601) was freed: offer its day's free times to the waitlist.
    Safe to run twice: open offers hold their times, so a second run finds nothing left to offer."""
    return len(waitlist.offer_freed_time(datetime.fromisoformat(freed_start)))


@shared_task
def tidy_waitlist() -> dict:
    """Every few minutes (Celery beat): offers not taken in time pass to the next client, entries
    past their last day expire, and free times on days someone waits for are offered."""
    return asdict(waitlist.tidy_waitlist())


@shared_task
def remind_team_members() -> int:
    """Hourly (Celery beat): people of a team day who haven't picked a time, on its reminder days."""
    return team_days.send_reminders()


@shared_task(acks_late=True)
def send_refund(refund_id: int) -> bool:
    """A refund recorded by a decline or a cancellation, asked of the provider; safe to run twice."""
    return deposits.send_refund(refund_id)


@shared_task
def send_waiting_refunds() -> int:
    """Every few minutes (Celery beat): refunds whose task was lost, sent."""
    return deposits.send_waiting_refunds()
