"""A mail server that accepts a connection and then says nothing never holds the email queue: the
worker gives up after EMAIL_TIMEOUT, goes on with the next email, and the stalled one is sent later."""

import socket
import threading
import time
import uuid
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail.backends.base import BaseEmailBackend

from photostudio import outbox
from photostudio.models import OutgoingEmail
from photostudio.tasks import send_outgoing_email
from tests.conftest import MailSink, start_celery_worker


class WedgedMailServer:
    """A real TCP server on loopback in front of a working SMTP server: its first connection is
    accepted and then left in silence (as a wedged or overloaded mail server leaves it); later
    connections are passed through to the working server."""

    def __init__(self, relay_port: int, *, silent: int = 1) -> None:
        self.relay_port = relay_port
        self.silent = silent
        self.connections = 0
        self.held: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"smtp://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.connections += 1
            if self.connections <= self.silent:
                self.held.append(conn)  # never a byte: no greeting, no answer, no close
                continue
            upstream = socket.create_connection(("127.0.0.1", self.relay_port))
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def stored_email(to: str, subject: str) -> OutgoingEmail:
    _, text, html = outbox.render_email(
        "contact_message",
        {"contact": {"name": "Dev Patel", "email": to, "phone": "", "message": subject}},
    )
    return OutgoingEmail.objects.create(kind="contact_message", to=to, subject=subject, text=text, html=html)


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_accepts_and_says_nothing_does_not_stall_the_email_queue(tmp_path, mail_sink: MailSink):
    server = WedgedMailServer(relay_port=int(mail_sink.url.rsplit(":", 1)[1]))
    queue = f"email-{uuid.uuid4().hex[:8]}"  # this test's own worker and queue
    worker = start_celery_worker(tmp_path, queues=queue, email_url=server.url, env={"EMAIL_TIMEOUT": "2"})
    try:
        stalled = stored_email("dev@northwind-legal.com", "Booking for the partners' headshots")
        following = stored_email("emma.walsh@walsh-design.ie", "Question about a portrait session")
        started = time.monotonic()
        for email in (stalled, following):
            send_outgoing_email.apply_async((email.pk,), queue=queue)

        def sent(email: OutgoingEmail) -> bool:
            email.refresh_from_db()
            return email.status == OutgoingEmail.Status.SENT

        assert wait_until(lambda: sent(following), timeout=30), "the next email never went out"
        assert time.monotonic() - started < 15
        assert wait_until(lambda: sent(stalled), timeout=30), "the stalled email was never sent again"
    finally:
        worker.stop()
        server.close()

    assert stalled.attempts == 2 and "timed out" in stalled.last_error
    assert following.attempts == 1
    received = {m["Subject"]: m["To"] for m in mail_sink.messages}
    assert received["Booking for the partners' headshots"] == "dev@northwind-legal.com"
    assert received["Question about a portrait session"] == "emma.walsh@walsh-design.ie"


class SoftLimitMidSend(BaseEmailBackend):
    """Where a prefork worker's soft time limit lands: inside the SMTP conversation."""

    def send_messages(self, email_messages):
        raise SoftTimeLimitExceeded()


@pytest.mark.django_db
def test_an_email_cut_off_by_its_soft_time_limit_is_left_to_the_outbox_sweep(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SoftLimitMidSend"
    email = stored_email("dev@northwind-legal.com", "Booking for the partners' headshots")

    send_outgoing_email.delay(email.pk)  # in-process: returns instead of raising into the worker

    email.refresh_from_db()
    assert (email.status, email.claimed_at, email.attempts) == (OutgoingEmail.Status.PENDING, None, 1)
    assert "SoftTimeLimitExceeded" in email.last_error
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=email.created_at - timedelta(minutes=5))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep() == 1  # Celery beat's sweep sends it

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
