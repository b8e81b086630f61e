from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from kombu.exceptions import OperationalError

from photostudio.health import check_broker
from photostudio.tasks import ping


class Command(BaseCommand):
    help = "Send a task through the broker and wait for a Celery worker to answer it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait (default 10)")
        parser.add_argument(
            "--queue", default="default", help="the queue to ask on, e.g. images or email (default: default)"
        )

    def handle(self, *args, timeout: float, queue: str, **options) -> None:
        if not settings.REDIS_URL:
            self.stdout.write("No broker is set (REDIS_URL is empty): tasks run in the web process, no worker needed.")
            return
        broker = check_broker()
        if not broker.ok:
            raise CommandError(f"The broker did not answer: {broker.detail}")
        try:
            answer = ping.apply_async(queue=queue).get(timeout=timeout)
        except CeleryTimeout as exc:
            raise CommandError(
                f"No worker answered on the {queue!r} queue within {timeout:g} s. "
                f"Is `celery -A photostudio worker` running?"
            ) from exc
        except (OSError, OperationalError) as exc:
            raise CommandError(f"The broker did not answer: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Worker {answer['worker']} answered on {queue!r} at {answer['at']}."))
