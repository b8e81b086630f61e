"""The Celery app: every email and every image job runs here, never in a web request.

Reliability choices, made once for every task:
- a message is acknowledged only after its task finishes (acks_late), and is handed back to the
  queue if the worker process dies mid-job, so no job is lost to a crash or a deploy;
- each worker reserves one message at a time, so a long image job never holds others hostage;
- email and image work have their own queues, each task routed by its full name (TASK_QUEUES), so a
  600-photo upload never delays a confirmation, a reminder or a sweep;
- tasks that talk to the outside world (mail servers) retry with exponential backoff;
- every task has a time limit (a soft one it handles, a hard one that ends it), so a mail server
  that never answers or a pathological file never holds a worker for good.
Send tasks with `photostudio.queueing.send_after_commit("app.tasks.name", ...)`: never before the rows
a task needs are committed, and never making a web request wait on a broker that is down. A task
module imports the service it calls; a service names the task it queues and never imports it.
"""

import os
import smtplib

from celery import Celery
from celery.contrib.django.task import DjangoTask
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photostudio.settings")

app = Celery("photostudio")
app.config_from_object("django.conf:settings", namespace="CELERY")

DEFAULT_QUEUE = "default"
EMAIL_QUEUE = "email"
IMAGES_QUEUE = "images"

# Every task by its full name, so a task never lands on a queue by the accident of its name: the
# images queue is for image jobs only (renditions, delivered-file copies, zips), so reminders,
# purges, lapsing requests and sweeps never wait behind a 600-photo upload. A new task needs a
# line here (tests/test_celery.py checks that every task of the project has one).
TASK_QUEUES: dict[str, str] = {
    "photostudio.tasks.send_outgoing_email": EMAIL_QUEUE,
    "photostudio.tasks.send_pending_emails": EMAIL_QUEUE,
    "photostudio.tasks.ping": DEFAULT_QUEUE,
    "bookings.tasks.send_booking_reminders": DEFAULT_QUEUE,
    "bookings.tasks.lapse_overdue_requests": DEFAULT_QUEUE,
    "bookings.tasks.prepare_example_photo": IMAGES_QUEUE,
    "bookings.tasks.offer_freed_time": DEFAULT_QUEUE,
    "bookings.tasks.send_refund": DEFAULT_QUEUE,
    "bookings.tasks.send_waiting_refunds": DEFAULT_QUEUE,
    "bookings.tasks.tidy_waitlist": DEFAULT_QUEUE,
    "galleries.tasks.process_photo": IMAGES_QUEUE,
    "galleries.tasks.prepare_download": IMAGES_QUEUE,
    "galleries.tasks.make_web_size": IMAGES_QUEUE,
    "galleries.tasks.build_zip": IMAGES_QUEUE,
    "galleries.tasks.make_finished_crops": IMAGES_QUEUE,
    "galleries.tasks.requeue_stalled_photos": DEFAULT_QUEUE,
    "galleries.tasks.remove_expired_zips": DEFAULT_QUEUE,
    "galleries.tasks.remind_expiring_galleries": DEFAULT_QUEUE,
    "galleries.tasks.purge_unchosen_originals": DEFAULT_QUEUE,
    "galleries.tasks.tell_photographer_of_comments": DEFAULT_QUEUE,
    "bookings.tasks.remind_team_members": DEFAULT_QUEUE,
}

# Time limits in seconds. At the soft limit the task gets SoftTimeLimitExceeded and handles it (an
# email is left to the outbox sweep, a photo is marked failed, a zip too); at the hard limit a
# prefork worker ends the stuck process and goes on with the next job. Every limit stays below
# CELERY_VISIBILITY_TIMEOUT, so Redis never hands a job that is still running to a second worker.
EMAIL_TIME_LIMITS = {"soft_time_limit": 120, "time_limit": 150}  # each SMTP step gives up after EMAIL_TIMEOUT
IMAGE_TIME_LIMITS = {"soft_time_limit": 120, "time_limit": 180}  # the largest photo in the pixel budget: ~10 s
ZIP_TIME_LIMITS = {"soft_time_limit": 30 * 60, "time_limit": 35 * 60}  # a wedding-sized delivery on a slow disk

app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue=DEFAULT_QUEUE,
    task_queues=(Queue(DEFAULT_QUEUE), Queue(EMAIL_QUEUE), Queue(IMAGES_QUEUE)),
    task_routes={name: {"queue": queue} for name, queue in TASK_QUEUES.items()},
    task_ignore_result=True,
    # Every other task (sweeps, reminders, example photos): none should take minutes.
    task_soft_time_limit=5 * 60,
    task_time_limit=6 * 60,
    result_expires=3600,
    task_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    # A publish to an unreachable broker gives up quickly instead of hanging a web request.
    broker_connection_timeout=2,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
    broker_connection_retry_on_startup=True,
    result_backend_transport_options={"retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}},
    redis_socket_connect_timeout=2,
    redis_socket_timeout=5,
    worker_send_task_events=True,
    task_send_sent_event=True,
    beat_schedule={
        # The outbox sweep: emails whose task never reached the broker (Redis down at the time)
        # are sent once it is back.
        "send-pending-emails": {"task": "photostudio.tasks.send_pending_emails", "schedule": 60.0},
        "send-booking-reminders": {"task": "bookings.tasks.send_booking_reminders", "schedule": 3600.0},
        # Unanswered booking requests lapse (their time is freed) within minutes of their deadline.
        "lapse-overdue-requests": {"task": "bookings.tasks.lapse_overdue_requests", "schedule": 300.0},
        "send-waiting-refunds": {"task": "bookings.tasks.send_waiting_refunds", "schedule": 300.0},
        # Photos whose worker died, or whose task never reached the broker, are processed again.
        "requeue-stalled-photos": {"task": "galleries.tasks.requeue_stalled_photos", "schedule": 300.0},
        "remove-expired-zips": {"task": "galleries.tasks.remove_expired_zips", "schedule": 3600.0},
        "purge-unchosen-originals": {"task": "galleries.tasks.purge_unchosen_originals", "schedule": 24 * 3600.0},
        "remind-expiring-galleries": {"task": "galleries.tasks.remind_expiring_galleries", "schedule": 6 * 3600.0},
        # Comments held back (one email per gallery every ten minutes) go out in a summary.
        "tell-photographer-of-comments": {"task": "galleries.tasks.tell_photographer_of_comments", "schedule": 60.0},
        # Waitlist offers not taken in time go to the next client; entries past their last day expire.
        "tidy-waitlist": {"task": "bookings.tasks.tidy_waitlist", "schedule": 180.0},
        # Team days: people who haven't picked a time, on each of the day's reminder days.
        "remind-team-members": {"task": "bookings.tasks.remind_team_members", "schedule": 3600.0},
    },
)


class OutsideWorldTask(DjangoTask):
    """Base for tasks that talk to another server: transient failures retry with backoff."""

    autoretry_for = (OSError, smtplib.SMTPException)  # socket errors and timeouts are OSErrors
    retry_backoff = 5  # seconds before the first retry, doubling each time
    retry_backoff_max = 15 * 60
    retry_jitter = True
    max_retries = 10


app.autodiscover_tasks()

from . import task_log  # noqa: E402, F401  (structured task logs and the failed-jobs record)
