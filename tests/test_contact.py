"""The "get in touch" form: stored, emailed to the studio by a task after commit, bad input refused."""

import pytest
from django.core import mail

from bookings.models import ContactMessage
from photostudio import outbox
from photostudio.models import OutgoingEmail

pytestmark = pytest.mark.django_db

VALID = {"name": "Alice Byrne", "email": "alice@example.com", "phone": "", "message": "Do you do team headshots?"}


def test_the_contact_page_shows_the_form(client):
    response = client.get("/contact/")

    assert response.status_code == 200
    assert 'name="message"' in response.content.decode()


def test_a_valid_message_is_stored_and_emailed_to_the_studio_after_commit(
    client, settings, django_capture_on_commit_callbacks
):
    settings.STUDIO_EMAIL = "studio@example.com"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/contact/", VALID)
        assert mail.outbox == []  # nothing is sent before the transaction commits

    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/"
    contact = ContactMessage.objects.get()
    assert (contact.name, contact.email, contact.message) == ("Alice Byrne", "alice@example.com", VALID["message"])
    queued = OutgoingEmail.objects.get()
    assert queued.about == contact
    assert queued.status == OutgoingEmail.Status.PENDING
    assert len(callbacks) == 1

    callbacks[0]()  # the commit hands the email task to Celery (here in-process)

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["studio@example.com"]
    assert sent.reply_to == ["alice@example.com"]
    assert "Alice Byrne" in sent.subject
    assert VALID["message"] in sent.body
    assert sent.alternatives[0].mimetype == "text/html"
    queued.refresh_from_db()
    assert queued.status == OutgoingEmail.Status.SENT


def test_the_thank_you_page_says_what_happens_next(client):
    response = client.post("/contact/", VALID, follow=True)

    assert "We'll reply to you by email" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "This field is required."),
        ("name", "   ", "This field is required."),
        ("email", "", "This field is required."),
        ("email", "alice-at-example", "Enter a valid email address."),
        ("message", "", "This field is required."),
        ("message", "x" * 10_000, "Please keep your message under 5000 characters (it has 10000)."),
        ("name", "A" * 500, "Ensure this value has at most 120 characters"),
        ("phone", "0" * 100, "Ensure this value has at most 40 characters"),
    ],
)
def test_bad_input_gets_a_field_error_and_stores_nothing(client, field, value, error):
    response = client.post("/contact/", VALID | {field: value})

    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert f'id="error_1_id_{field}"' in html  # the error sits with its field
    assert ContactMessage.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []


def test_html_and_script_in_the_fields_are_never_rendered_unescaped(client, settings):
    script = "<script>alert('x')</script>"
    bad = VALID | {"name": f"Eve {script}", "email": "not-an-email", "message": f"<b>hi</b> {script}"}

    html = client.post("/contact/", bad).content.decode()

    assert script not in html
    assert "<b>hi</b>" not in html
    assert "&lt;script&gt;" in html


def test_html_in_a_message_reaches_the_studio_escaped_in_the_html_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/", VALID | {"message": "<img src=x onerror=alert(1)> hello"})

    html_body = mail.outbox[0].alternatives[0].content
    assert "<img src=x" not in html_body
    assert "&lt;img src=x onerror=alert(1)&gt; hello" in html_body
    assert "<img src=x onerror=alert(1)> hello" in mail.outbox[0].body  # plain text stays plain


def test_a_message_queued_twice_is_sent_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/", VALID)
    email = OutgoingEmail.objects.get()

    assert outbox.deliver(email.pk) is False  # already sent by its own task
    assert len(mail.outbox) == 1


def test_only_get_and_post_are_allowed(client):
    assert client.put("/contact/").status_code == 405
