from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=600, retry_jitter=True, max_retries=8)
def process_photo(photo_id: int) -> bool:
    """Make one photo's renditions (images queue). Safe to run twice; a bad file marks the photo
    failed with its reason and never raises, so the worker goes on with the batch."""
    return services.process_photo(photo_id)


@shared_task
def requeue_stalled_photos() -> int:
    return services.requeue_stalled()
