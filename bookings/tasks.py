from celery import shared_task

from . import services, team_days


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
def remind_team_members() -> int:
    """Hourly (Celery beat): people of a team day who haven't picked a time, on its reminder days."""
    return team_days.send_reminders()
