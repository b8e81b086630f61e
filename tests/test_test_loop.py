"""The suite's own shortcuts behave as production does where it matters.

Most database tests run inside a transaction that is rolled back at their end, which never
commits: `on_commit_as_in_production` (tests/conftest.py) runs the work queued on commit when the
code's own outermost block ends, as a real commit would. Passwords are hashed with a fast hasher.
"""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.core import mail
from django.db import transaction

from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


def test_work_queued_on_commit_runs_when_the_outermost_block_ends_not_when_an_inner_one_does():
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("email Bob Mensah"))
        with transaction.atomic():
            transaction.on_commit(lambda: ran.append("process IMG_20261120_0142.jpg"))
        assert ran == []  # leaving a savepoint commits nothing

    assert ran == ["email Bob Mensah", "process IMG_20261120_0142.jpg"]


def test_work_queued_in_a_block_that_rolls_back_never_runs():
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append("email Bob Mensah"))
        with pytest.raises(ValueError), transaction.atomic():
            transaction.on_commit(lambda: ran.append("email Alice Byrne"))
            raise ValueError("the booking clashed")

    with pytest.raises(ValueError), transaction.atomic():
        transaction.on_commit(lambda: ran.append("email Chen Wei"))
        raise ValueError("the booking clashed")

    assert ran == ["email Bob Mensah"]


def test_work_queued_outside_any_block_runs_at_once_and_work_it_queues_runs_too():
    ran = []

    def send_then_log():
        ran.append("email Bob Mensah")
        transaction.on_commit(lambda: ran.append("logged"))

    transaction.on_commit(send_then_log)

    assert ran == ["email Bob Mensah", "logged"]


def test_a_booking_request_hands_its_emails_over_as_it_commits():
    open_every_day()
    headshot = make_session_type(kind="headshot", slug="headshot")

    make_booking(headshot, local(days=4, hour=11), name="Bob Mensah", email="bob.mensah@example.com")

    assert [m.to for m in mail.outbox] == [["bob.mensah@example.com"], ["hello@northlight.example"]]


def test_passwords_are_hashed_with_a_fast_hasher_and_still_checked():
    hashed = make_password("northlight-studio-2026")

    assert hashed.startswith("md5$")
    assert check_password("northlight-studio-2026", hashed)
    assert not check_password("northlight-studio-2027", hashed)
