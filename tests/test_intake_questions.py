"""Intake questions: the photographer writes them per session type in the admin; the booking form asks
the chosen session's (every kind: short and long text, one choice, several choices, yes or no), and the
answers stay with the booking, each under the question as the client read it. The photographer reads
them on the booking's admin page, on the studio's day and in the new-request email.

The studio is in Dublin (the server's zone is London's); the booking page keeps its one query.
"""

import re
from datetime import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, IntakeAnswer, IntakeQuestion
from tests.admin_pages import form_data
from tests.factories import booking_data, local, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

Kind = IntakeQuestion.Kind
HOSTILE = '"><script>alert("Ω & co")</script>'


@pytest.fixture
def studio() -> dict:
    open_every_day(time(9), time(17), time_zone="Europe/Dublin")
    headshot = make_session_type(kind="headshot", slug="headshot", name="Headshot session", duration_minutes=45)
    portrait = make_session_type(kind="portrait", slug="portrait", name="Portrait session", order=1)
    ask = IntakeQuestion.objects.create
    return {
        "headshot": headshot,
        "portrait": portrait,
        "used_for": ask(
            session_type=headshot, order=1, kind=Kind.SHORT_TEXT, required=True,
            text="Where will the photos be used?", help_text="For example LinkedIn or a conference programme.",
        ),
        "about": ask(session_type=headshot, order=2, kind=Kind.LONG_TEXT, text="Tell us a little about your work"),
        "backdrop": ask(
            session_type=headshot, order=3, kind=Kind.ONE_CHOICE, required=True,
            text="Which backdrop would you like?", choices="Light grey\nCharcoal\nWarm white",
        ),
        "outfits": ask(
            session_type=headshot, order=4, kind=Kind.SEVERAL_CHOICES,
            text="What are you bringing to wear?", choices="A suit or blazer\nSomething smart casual\nA bright colour",
        ),
        "glasses": ask(session_type=headshot, order=5, kind=Kind.YES_NO, required=True, text="Do you wear glasses?"),
        "workplace": ask(
            session_type=portrait, kind=Kind.YES_NO, required=True, text="Should some photos be at your workplace?"
        ),
    }  # fmt: skip


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam.okafor@northlight.example", None)
    client.force_login(user)
    return user


def field(question: IntakeQuestion) -> str:
    return f"intake_{question.pk}"


def answered(studio: dict, **overrides) -> dict:
    """Niamh's booking of a headshot, every question answered."""
    answers = {
        field(studio["used_for"]): "Our practice's website and LinkedIn",
        field(studio["about"]): "I'm a family solicitor.\nMost clients meet me first online.",
        field(studio["backdrop"]): "Charcoal",
        field(studio["outfits"]): ["A suit or blazer", "A bright colour"],
        field(studio["glasses"]): "yes",
    }
    data = booking_data(
        studio["headshot"],
        local(days=5, hour=11),
        name="Niamh O'Sullivan",
        email="niamh.osullivan@example.ie",
        company="O'Sullivan Family Law",
    )
    return data | answers | overrides


def book(client, data: dict) -> Booking:
    response = client.post("/book/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Booking.objects.get(client__email=data["email"])


def stored(booking: Booking) -> list[tuple[str, str]]:
    return [(a.question_text, a.answer) for a in booking.intake_answers.all()]


# --- asked ---


def test_the_chosen_sessions_questions_are_asked_with_labels_required_marks_and_help(client, studio):
    html = client.get("/book/?type=headshot").content.decode()

    used_for = studio["used_for"]
    assert re.search(
        rf'<label for="id_{field(used_for)}" class="form-label requiredField">Where will the photos be used\?'
        r'<span class="asteriskField">\*</span></label>',
        html,
    )
    assert re.search(rf'<input type="text" name="{field(used_for)}"[^>]* required', html)
    assert f'<div id="id_{field(used_for)}_helptext" class="form-text">For example LinkedIn' in html
    assert re.search(rf'<label for="id_{field(studio["about"])}" class="form-label">Tell us', html)  # optional
    assert re.search(rf'<textarea name="{field(studio["about"])}"', html)
    # Choices sit in a fieldset whose legend is the question.
    for question, kind in [("backdrop", "radio"), ("outfits", "checkbox"), ("glasses", "radio")]:
        name = field(studio[question])
        block = re.search(rf'<div id="div_id_{name}" class="mb-3">\s*<fieldset>(.*?)</fieldset>', html, re.S).group(1)
        assert re.search(rf"<legend[^>]*>{re.escape(studio[question].text)}", block)
        assert len(re.findall(rf'<input type="{kind}"', block)) == len(studio[question].choice_list or "yn")
    assert 'value="Charcoal"' in html and "Warm white</label>" in html
    assert "Should some photos be at your workplace?" not in html  # the portrait's


def test_the_questions_follow_the_session_chosen_without_javascript(client, studio):
    typed = {"session_type": "portrait", "name": "Niamh O'Sullivan", "show_times": "1"}

    html = client.post("/book/", typed).content.decode()

    assert "Should some photos be at your workplace?" in html
    assert "Which backdrop would you like?" not in html
    assert 'value="Niamh O&#x27;Sullivan"' in html  # what was typed is kept


def test_choosing_another_session_with_javascript_brings_its_questions_and_a_day_keeps_them(client, studio):
    day = local(days=5).date()

    another_session = client.get(f"/book/times/calendar/?type=portrait&date={day}&intake=1").content.decode()
    another_day = client.get(f"/book/times/calendar/?type=portrait&date={day}").content.decode()

    assert '<div id="intake-questions">' in another_session
    assert "Should some photos be at your workplace?" in another_session
    assert 'id="intake-questions"' not in another_day  # what the client typed stays in place


# --- stored ---


def test_every_kind_of_answer_is_stored_with_the_booking(client, studio):
    booking = book(client, answered(studio))

    assert stored(booking) == [
        ("Where will the photos be used?", "Our practice's website and LinkedIn"),
        ("Tell us a little about your work", "I'm a family solicitor.\nMost clients meet me first online."),
        ("Which backdrop would you like?", "Charcoal"),
        ("What are you bringing to wear?", "A suit or blazer\nA bright colour"),
        ("Do you wear glasses?", "Yes"),
    ]
    assert [a.question_id for a in booking.intake_answers.all()] == [
        studio[name].pk for name in ("used_for", "about", "backdrop", "outfits", "glasses")
    ]


def test_optional_questions_may_be_left_blank(client, studio):
    booking = book(client, answered(studio, **{field(studio["about"]): "", field(studio["outfits"]): []}))

    assert dict(stored(booking))["Tell us a little about your work"] == ""
    assert dict(stored(booking))["What are you bringing to wear?"] == ""


def test_a_missing_required_answer_shows_its_message_next_to_it_and_keeps_everything_typed(client, studio):
    data = answered(studio, **{field(studio["used_for"]): "  ", field(studio["glasses"]): ""})

    response = client.post("/book/", data)

    html = response.content.decode()
    assert response.status_code == 400  # the form again, as for any field to correct
    assert Booking.objects.count() == 0
    used_for, glasses = field(studio["used_for"]), field(studio["glasses"])
    assert f'<div id="id_{used_for}_error" class="invalid-feedback d-block"><p id="error_1_id_{used_for}">' in html
    assert "Please answer this question." in html and "Please answer yes or no." in html
    assert re.search(rf'<fieldset aria-describedby="id_{glasses}_error[^"]*">', html)
    # Nothing typed is lost: the other answers and the details.
    assert "I&#x27;m a family solicitor.\nMost clients meet me first online.</textarea>" in html
    assert re.search(r'value="Charcoal" id="[^"]+" checked', html)
    assert re.search(r'value="A bright colour" id="[^"]+" checked', html)
    assert 'value="niamh.osullivan@example.ie"' in html


@pytest.mark.parametrize(
    ("question", "forged"),
    [("backdrop", "Neon green"), ("outfits", ["A suit or blazer", "Nothing at all"]), ("glasses", "maybe")],
)
def test_an_answer_that_was_never_offered_is_refused(client, studio, question, forged):
    response = client.post("/book/", answered(studio, **{field(studio[question]): forged}))

    assert response.status_code == 400
    assert Booking.objects.count() == 0
    assert f'id="id_{field(studio[question])}_error"' in response.content.decode()


def test_markup_in_questions_and_answers_is_shown_as_text(client, photographer, studio):
    used_for = studio["used_for"]
    used_for.text, used_for.help_text = f"Used where? {HOSTILE}", HOSTILE
    used_for.save()

    page = client.get("/book/?type=headshot").content.decode()
    booking = book(client, answered(studio, **{field(used_for): HOSTILE}))
    admin_page = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()

    for html in (page, admin_page, mail.outbox[-1].alternatives[0][0]):
        assert HOSTILE not in html and "<script>alert" not in html


# --- shown to the photographer ---


def test_the_answers_are_on_the_bookings_admin_page(client, photographer, studio):
    booking = book(client, answered(studio))

    html = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()

    assert "<dt>Where will the photos be used?</dt>" in html
    assert "<dd>Our practice&#x27;s website and LinkedIn</dd>" in html
    assert "<dd>A suit or blazer<br>A bright colour</dd>" in html
    assert "<dd>Yes</dd>" in html
    assert 'name="intake_answers"' not in html  # read-only


def test_the_answers_are_on_the_studios_day(client, photographer, studio):
    book(client, answered(studio))

    html = client.get("/admin/").content.decode()

    waiting = re.search(r'<section class="module" id="waiting".*?</section>', html, re.S).group(0)
    assert "<summary>Their answers" in waiting
    assert "<dd>Charcoal</dd>" in waiting and "<dt>Do you wear glasses?</dt>" in waiting


def test_the_photographers_new_request_email_lists_the_answers(client, studio):
    mail.outbox.clear()
    book(client, answered(studio))

    (to_studio,) = [m for m in mail.outbox if m.to == ["hello@northlight.example"]]
    assert "Where will the photos be used?\n  Our practice's website and LinkedIn\n" in to_studio.body
    assert "What are you bringing to wear?\n  A suit or blazer\n  A bright colour\n" in to_studio.body
    assert "Do you wear glasses?\n  Yes" in to_studio.body
    html = to_studio.alternatives[0][0]
    assert "<strong>Which backdrop would you like?</strong><br>Charcoal" in html
    assert "<strong>Tell us a little about your work</strong><br>I&#x27;m a family solicitor.<br>Most" in html
    (to_client,) = [m for m in mail.outbox if m.to == ["niamh.osullivan@example.ie"]]
    assert "Where will the photos be used?" not in to_client.body  # the photographer's, not the client's


def test_a_question_edited_or_deleted_after_booking_leaves_the_bookings_record_as_asked(client, photographer, studio):
    booking = book(client, answered(studio))
    backdrop = studio["backdrop"]

    backdrop.text, backdrop.choices = "Which colour of backdrop?", "Blue\nGreen"
    backdrop.save()
    studio["glasses"].delete()

    assert stored(booking)[2] == ("Which backdrop would you like?", "Charcoal")
    assert stored(booking)[4] == ("Do you wear glasses?", "Yes")
    assert IntakeAnswer.objects.get(booking=booking, question_text="Do you wear glasses?").question is None
    html = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert "<dt>Which backdrop would you like?</dt>" in html and "Which colour of backdrop?" not in html


# --- written in the admin ---


def session_type_form(client, session) -> tuple[str, dict]:
    url = f"/admin/bookings/sessiontype/{session.pk}/change/"
    return url, form_data(client.get(url).content.decode())


def test_the_photographer_adds_a_question_on_the_session_types_page_and_it_is_asked_at_once(
    client, photographer, studio
):
    assert "Do you have a favourite photo of yourself?" not in client.get("/book/?type=portrait").content.decode()
    url, data = session_type_form(client, studio["portrait"])
    n = int(data["intake_questions-TOTAL_FORMS"])
    new = {
        f"intake_questions-{n}-text": "Do you have a favourite photo of yourself?",
        f"intake_questions-{n}-kind": "long_text",
        f"intake_questions-{n}-help_text": "Tell us what you like about it.",
        f"intake_questions-{n}-order": "2",
    }

    response = client.post(url, data | new | {"intake_questions-TOTAL_FORMS": str(n + 1)})

    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get("/book/?type=portrait").content.decode()
    assert "Do you have a favourite photo of yourself?" in html and "Tell us what you like about it." in html


def test_a_choice_question_needs_two_choices_or_more(client, photographer, studio):
    url, data = session_type_form(client, studio["headshot"])
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-text") and v == studio["backdrop"].text)

    response = client.post(url, data | {f"intake_questions-{index}-choices": "Light grey\n\n  Light grey  "})

    assert response.status_code == 200
    assert "Give at least two answers to choose from, one a line." in response.content.decode()
    studio["backdrop"].refresh_from_db()
    assert studio["backdrop"].choice_list == ["Light grey", "Charcoal", "Warm white"]


# --- as quick as before ---


def queries_of_a_warm_visit(client, url: str) -> int:
    assert client.get(url).status_code == 200  # fills the cache, as the visitor before did
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_booking_page_runs_one_query_however_many_questions_its_session_asks(client, studio):
    no_questions = make_session_type(kind="both", slug="team-day", name="Team day", order=2)
    assert queries_of_a_warm_visit(client, f"/book/?type={no_questions.slug}") == 1

    assert queries_of_a_warm_visit(client, "/book/?type=headshot") == 1  # five questions
    for n in range(10):
        IntakeQuestion.objects.create(session_type=studio["headshot"], text=f"Question {n}", kind=Kind.SHORT_TEXT)
    assert queries_of_a_warm_visit(client, "/book/?type=headshot") == 1
    assert "Question 9" in client.get("/book/?type=headshot").content.decode()


# --- the demo studio ---


def test_the_demo_asks_questions_for_headshots_and_portraits_under_default_terms_and_seeding_again_keeps_edits(
    client,
):
    from bookings.models import SessionType, TermsDocument
    from photostudio import demo

    open_every_day()
    demo.seed_session_types()
    demo.seed_intake_and_terms()
    edited = IntakeQuestion.objects.filter(session_type__slug="headshot").first()
    edited.text = "Where will your new headshot appear?"
    edited.save()

    demo.seed_intake_and_terms()

    for slug in ("headshot", "portrait"):
        questions = IntakeQuestion.objects.filter(session_type__slug=slug)
        assert 3 <= questions.count() <= 5
        for question in questions:
            question.full_clean()  # the choice questions offer two choices or more
    assert IntakeQuestion.objects.get(pk=edited.pk).text == "Where will your new headshot appear?"
    assert not IntakeQuestion.objects.filter(
        session_type=SessionType.objects.get(slug="headshot-and-portrait")
    ).exists()
    (terms,) = TermsDocument.objects.all()
    assert terms.session_type is None and terms.version == 1
    html = client.get("/book/?type=portrait").content.decode()
    assert "Which settings should the photos show?" in html and f"/book/terms/{terms.pk}/" in html


def test_several_ticks_are_kept_when_the_client_looks_at_another_days_times(client, studio):
    typed = answered(studio) | {"show_times": "1", "date": local(days=6).date().isoformat()}

    html = client.post("/book/", typed).content.decode()

    assert re.search(r'value="A suit or blazer" id="[^"]+" checked', html)
    assert re.search(r'value="A bright colour" id="[^"]+" checked', html)
    assert re.search(r'value="Charcoal" id="[^"]+" checked', html)
