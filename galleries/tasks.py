from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task

from photostudio.celery import IMAGE_TIME_LIMITS, ZIP_TIME_LIMITS

from . import comments, delivery, finished_crops, photos, retention, team_split

# What a passing fault of storage raises: a disk's errors, or object storage's (a connection
# dropped, a timeout, the service busy).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


@shared_task(
    autoretry_for=STORAGE_ERRORS, retry_backoff=5, retry_backoff_max=600, retry_jitter=True, max_retries=8,
    **IMAGE_TIME_LIMITS,
)  # fmt: skip
def process_photo(photo_id: int) -> bool:
    """Make one photo's renditions (images queue). Safe to run twice; a bad file marks the photo
    failed with its reason and never raises, so the worker goes on with the batch. Other failures
    are retried, up to PHOTO_MAX_ATTEMPTS in all (then the photo is failed with the reason).
    The last photo of a team day's upload to be processed splits the day among its people; each
    processed photo regroups its gallery's near-identical frames; an edited final has the crops
    ordered of its proof cut from it."""
    done = photos.process_photo(photo_id)
    if done:
        photos.regroup_frames_of(photo_id)
        team_split.split_once_processed(photo_id)
        finished_crops.queue_for(photo_id)
    return done


@shared_task(autoretry_for=STORAGE_ERRORS, retry_backoff=5, max_retries=5, **IMAGE_TIME_LIMITS)
def make_finished_crops(photo_id: int) -> int:
    """Cut the crops ordered of a final's proof from the final (images queue). Safe to run twice."""
    return finished_crops.make_finished_crops(photo_id)


@shared_task
def requeue_stalled_photos() -> int:
    return photos.requeue_stalled()


@shared_task(acks_late=True, **ZIP_TIME_LIMITS)
def build_zip(archive_id: int) -> bool:
    return delivery.build_zip(archive_id)


@shared_task(autoretry_for=STORAGE_ERRORS, retry_backoff=5, max_retries=5, **IMAGE_TIME_LIMITS)
def prepare_download(photo_id: int) -> bool:
    return delivery.prepare_download(photo_id)


@shared_task(autoretry_for=STORAGE_ERRORS, retry_backoff=5, max_retries=5, **IMAGE_TIME_LIMITS)
def make_web_size(photo_id: int) -> bool:
    return delivery.make_web_size(photo_id)


@shared_task
def remove_expired_zips() -> int:
    return delivery.remove_expired_zips()


@shared_task
def remind_expiring_galleries() -> int:
    return delivery.remind_expiring()


@shared_task
def purge_unchosen_originals() -> int:
    return retention.purge_unchosen_originals()


@shared_task
def tell_photographer_of_comments() -> int:
    return comments.tell_photographer_of_waiting_comments()
