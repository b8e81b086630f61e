"""Team days: a company's day of ten-minute headshots. Each person is emailed a link of their own to
pick a time, move or cancel it until the cut-off; no two people ever hold one time; those who have
not picked are reminded; the day's hours are taken out of the public booking calendar."""

import random
import re
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings import scheduling, team_days
from bookings.models import Availability, Booking, TeamDay, TeamMember
from photostudio.models import OutgoingEmail
from tests.admin_pages import form_data
from tests.factories import booking_data, make_session_type, make_team_day, open_every_day

ZONE = "America/Toronto"
TEAM = [
    ("Priya Raman", "priya.raman@haldenroe.example"),
    ("Tomás Ó Briain", "tomas.obriain@haldenroe.example"),
    ("Chen Wei", "chen.wei@haldenroe.example"),
    ("Amara Okafor", "amara.okafor@haldenroe.example"),
]


@pytest.fixture
def studio(db):
    open_every_day(time_zone=ZONE)
    return make_session_type(kind="headshot", slug="headshot", name="Business headshot")


def at(day: TeamDay, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day.date, time(hour, minute), Availability.load().tz)


def invite(day: TeamDay, people=TEAM) -> list[TeamMember]:
    return team_days.invite_people(day, [team_days.Person(n, e) for n, e in people]).added


def post_pick(browser: Client, member: TeamMember, start: datetime, **extra):
    return browser.post(reverse("team_member", args=[member.token]), {"start": start.isoformat()}, **extra)


# --- forty people, a lunch break, a real worker and real races ---


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
@pytest.mark.postgres
def test_forty_people_are_invited_pick_their_times_at_once_and_only_those_without_one_are_reminded(
    celery_worker, mail_sink
):
    open_every_day(time_zone=ZONE)
    make_session_type(kind="headshot", slug="headshot")
    # 09:00 to 17:00 in ten-minute times is 48; lunch takes 6; the last 2 are kept for walk-ins: 40.
    day = make_team_day(days=6, start=time(9), end=time(17), breaks=[(time(12, 30), time(13, 30))], walk_in_slots=2)
    offered = [s.start for s in team_days.slots(day) if not s.for_walk_ins]
    assert len(offered) == 40
    assert not [s for s in offered if at(day, 12, 30) <= s < at(day, 13, 30)]
    people = [(f"Person {n:02d} Halden", f"person{n:02d}@haldenroe.example") for n in range(40)]
    mail_sink.messages.clear()

    members = invite(day, people)

    invitations = mail_sink.wait_for(40, timeout=90)
    assert len(invitations) == 40
    assert {m["To"] for m in invitations} == {email for _, email in people}
    for message in invitations:
        member = next(m for m in members if m.email == message["To"])
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
        assert f"/team/{member.token}/".encode() in text  # their own link, and only theirs
        assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}

    # All forty at once, two by two after the same time: twenty win, twenty are told it went.
    barrier = threading.Barrier(40)
    outcomes: dict[int, tuple[int, str]] = {}

    def pick(n: int, start: datetime) -> None:
        try:
            barrier.wait(timeout=60)
            response = post_pick(Client(), members[n], start, REMOTE_ADDR=f"198.51.100.{n + 1}")
            outcomes[n] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pick, args=(n, offered[n // 2])) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    codes = sorted(code for code, _ in outcomes.values())
    assert codes == [302] * 20 + [409] * 20
    losers = [n for n, (code, _) in outcomes.items() if code == 409]
    assert all("Someone else took that time" in outcomes[n][1] for n in losers)
    assert TeamMember.objects.filter(day=day).exclude(slot_start=None).count() == 20

    # Sixteen of those who lost pick again, at once, from the free times shown to them; four give up.
    retrying, giving_up = losers[:16], losers[16:]

    def pick_again(n: int) -> None:
        try:
            browser = Client()
            html = outcomes[n][1]
            for _ in range(20):
                free = re.findall(r'name="start" id="start-\d+" value="([^"]+)"', html)
                response = post_pick(
                    browser, members[n], datetime.fromisoformat(random.choice(free)), REMOTE_ADDR=f"203.0.113.{n + 1}"
                )
                if response.status_code == 302:
                    return
                assert response.status_code == 409
                html = response.content.decode()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pick_again, args=(n,)) for n in retrying]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    taken = list(TeamMember.objects.filter(day=day).exclude(slot_start=None).values_list("slot_start", flat=True))
    assert len(taken) == 36
    assert len(set(taken)) == 36  # nobody shares a time
    assert set(taken) <= set(offered)
    assert not TeamMember.objects.filter(pk__in=[members[n].pk for n in giving_up]).exclude(slot_start=None).exists()
    confirmations = mail_sink.wait_for(40 + 36, timeout=90)[40:]
    assert len(confirmations) == 36
    assert all(any(p.get_content_type() == "text/calendar" for p in m.walk()) for m in confirmations)

    # The day before, at the hour the day starts: a reminder to the four without a time; run twice, sent once.
    mail_sink.messages.clear()
    the_day_before = at(day, 9) - timedelta(days=1) + timedelta(minutes=5)
    assert team_days.send_reminders(now=the_day_before) == 4
    assert team_days.send_reminders(now=the_day_before + timedelta(hours=1)) == 0
    reminders = mail_sink.wait_for(4, timeout=60)
    assert sorted(m["To"] for m in reminders) == sorted(members[n].email for n in giving_up)
    assert OutgoingEmail.objects.filter(kind="team_reminder").count() == 4


# --- the day's times ---


def test_the_days_times_skip_its_break_keep_the_last_for_walk_ins_and_are_on_the_studios_clock(studio):
    day = make_team_day(start=time(9), end=time(11), breaks=[(time(9, 55), time(10, 20))], walk_in_slots=2)

    times = team_days.slots(day)

    assert [f"{s.start:%H:%M}" for s in times] == ["09:00", "09:10", "09:20", "09:30", "09:40"] + [
        "10:20",
        "10:30",
        "10:40",
        "10:50",
    ]
    assert [s.for_walk_ins for s in times] == [False] * 7 + [True] * 2
    assert all(s.start.tzinfo.key == ZONE for s in times)
    assert times[0].start.astimezone(UTC).hour in (14, 13)  # 09:00 in Toronto is 14:00 or 13:00 UTC


def test_the_times_kept_for_walk_ins_are_not_offered_and_cannot_be_picked(client, studio):
    day = make_team_day(start=time(9), end=time(10), walk_in_slots=2)
    (priya,) = invite(day, TEAM[:1])

    page = client.get(reverse("team_member", args=[priya.token])).content.decode()
    refused = post_pick(client, priya, at(day, 9, 50))

    assert ">09:30<" in page and ">09:40<" not in page and ">09:50<" not in page
    assert refused.status_code == 400
    assert "not one of the day&#x27;s times" in refused.content.decode()
    priya.refresh_from_db()
    assert priya.slot_start is None


# --- the public calendar ---


def test_a_team_day_takes_its_hours_out_of_the_public_booking_calendar(client, studio):
    day = make_team_day(days=8, start=time(10), end=time(14))
    rules = scheduling.load_rules()

    starts = [f"{s:%H:%M}" for s in scheduling.free_starts(studio, day.date, day.date, rules=rules)]
    refused = client.post("/book/", booking_data(studio, at(day, 11)))

    assert "09:30" in starts  # ends as the team day begins
    assert not [s for s in starts if "10:00" <= s < "14:00"]
    assert "14:00" in starts
    assert refused.status_code in (400, 409)
    assert not Booking.objects.exists()
    other_day = scheduling.free_starts(studio, day.date + timedelta(days=1), day.date + timedelta(days=1), rules=rules)
    assert any(f"{s:%H:%M}" == "11:00" for s in other_day)


# --- lists of people ---


def test_a_pasted_list_keeps_the_good_lines_names_the_bad_ones_and_merges_repeats():
    pasted = "\n".join(
        [
            "Priya Raman <priya.raman@haldenroe.example>",
            "Tomás Ó Briain, tomas.obriain@haldenroe.example",
            "chen.wei@haldenroe.example",
            "",
            "Amara Okafor",
            "Lena Fischer, lena.fischer@",
            "PRIYA.RAMAN@haldenroe.example",
            "jonas.berg@haldenroe.example\tJonas Berg",
        ]
    )

    parsed = team_days.parse_people(pasted)

    assert [(p.name, p.email) for p in parsed.people] == [
        ("Priya Raman", "priya.raman@haldenroe.example"),
        ("Tomás Ó Briain", "tomas.obriain@haldenroe.example"),
        ("Chen Wei", "chen.wei@haldenroe.example"),
        ("Jonas Berg", "jonas.berg@haldenroe.example"),
    ]
    assert parsed.problems == [
        "Line 5 (Amara Okafor): no email address.",
        "Line 6 (Lena Fischer, lena.fischer@): “lena.fischer@” is not an email address.",
    ]
    assert parsed.repeated == ["PRIYA.RAMAN@haldenroe.example"]


def test_a_csv_with_or_without_a_header_semicolons_or_a_spreadsheets_encoding_reads_the_same():
    with_header = "name,email\nPriya Raman,priya.raman@haldenroe.example\nChen Wei,chen.wei@haldenroe.example\n"
    without = "Priya Raman;priya.raman@haldenroe.example\nChen Wei;chen.wei@haldenroe.example\n"
    excel = "\ufeffName,Email\r\nTomás Ó Briain,tomas.obriain@haldenroe.example\r\n,nobody\r\n"

    assert [p.email for p in team_days.parse_csv(with_header.encode()).people] == [
        "priya.raman@haldenroe.example",
        "chen.wei@haldenroe.example",
    ]
    assert [p.name for p in team_days.parse_csv(without.encode()).people] == ["Priya Raman", "Chen Wei"]
    from_excel = team_days.parse_csv(excel.encode("utf-8"))
    assert [p.name for p in from_excel.people] == ["Tomás Ó Briain"]
    assert from_excel.problems == ["Line 3 (, nobody): no email address."]
    assert team_days.parse_csv("Tomás,tomas@haldenroe.example".encode("cp1252")).people[0].name == "Tomás"


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_inviting_someone_already_on_the_day_in_another_case_leaves_them_as_they_were(studio):
    day = make_team_day()
    invite(day, TEAM[:2])
    mail.outbox.clear()

    result = team_days.invite_people(
        day, [team_days.Person("Priya R.", "Priya.Raman@HaldenRoe.example"), team_days.Person(*TEAM[2])]
    )

    assert result.already == ["Priya.Raman@HaldenRoe.example"]
    assert [m.email for m in result.added] == ["chen.wei@haldenroe.example"]
    assert [m.to for m in mail.outbox] == [["chen.wei@haldenroe.example"]]
    assert day.members.get(email__iexact="priya.raman@haldenroe.example").name == "Priya Raman"


# --- picking, moving, cancelling ---


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_picking_a_time_emails_a_confirmation_with_a_calendar_file(client, studio):
    import icalendar

    day = make_team_day()
    (priya,) = invite(day, TEAM[:1])
    mail.outbox.clear()

    response = post_pick(client, priya, at(day, 9, 20))

    assert response.status_code == 302
    priya.refresh_from_db()
    assert priya.slot_start == at(day, 9, 20)
    (message,) = mail.outbox
    assert message.subject.endswith("at 09:20")
    assert "America/Toronto" in message.body
    assert message.alternatives[0][1] == "text/html"
    _, ics, kind = message.attachments[0]
    assert kind == "text/calendar"
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == at(day, 9, 20)
    assert event.decoded("DTEND") == at(day, 9, 30)
    assert "09:20" in client.get(reverse("team_member", args=[priya.token])).content.decode()


def test_a_time_someone_else_holds_gets_a_clear_message_and_the_times_still_free(client, studio):
    day = make_team_day(start=time(9), end=time(10))
    priya, tomas = invite(day, TEAM[:2])
    team_days.pick_time(priya, at(day, 9, 10))

    response = post_pick(client, tomas, at(day, 9, 10))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else took that time" in html
    assert 'value="' + at(day, 9).isoformat() + '"' in html
    assert 'value="' + at(day, 9, 10).isoformat() + '"' not in html
    tomas.refresh_from_db()
    assert tomas.slot_start is None


def test_moving_and_cancelling_work_until_the_cut_off_then_the_page_says_why_not(client, studio):
    day = make_team_day(days=1, changes_until_hours=24)
    (priya,) = invite(day, TEAM[:1])
    team_days.pick_time(priya, at(day, 10))

    moved = team_days.pick_time(priya, at(day, 10, 30), now=at(day, 10) - timedelta(hours=25))
    assert moved.slot_start == at(day, 10, 30)

    too_late = at(day, 10, 30) - timedelta(hours=23)
    with pytest.raises(team_days.TeamDayError, match="can no longer be changed online"):
        team_days.pick_time(priya, at(day, 9), now=too_late)
    with pytest.raises(team_days.TeamDayError, match="can no longer be changed online"):
        team_days.cancel_time(priya, now=too_late)

    # The same on the page, with the real clock: tomorrow is inside a 48-hour cut-off.
    priya.refresh_from_db()
    TeamDay.objects.filter(pk=day.pk).update(changes_until_hours=48)
    page = client.get(reverse("team_member", args=[priya.token])).content.decode()
    refused = client.post(reverse("team_member", args=[priya.token]), {"action": "cancel"})
    assert "too close to your time to change it online" in page
    assert "Cancel my time" not in page
    assert refused.status_code == 400
    assert "changes close 48 hours before it" in refused.content.decode()
    priya.refresh_from_db()
    assert priya.slot_start == at(day, 10, 30)


def test_cancelling_frees_the_time_for_someone_else(client, studio):
    day = make_team_day()
    priya, tomas = invite(day, TEAM[:2])
    team_days.pick_time(priya, at(day, 9))

    response = client.post(reverse("team_member", args=[priya.token]), {"action": "cancel"})

    assert response.status_code == 302
    priya.refresh_from_db()
    assert priya.slot_start is None
    assert post_pick(client, tomas, at(day, 9)).status_code == 302


def test_a_day_gone_by_takes_no_picks(client, studio):
    day = make_team_day(days=-2)
    (priya,) = invite(day, TEAM[:1])

    page = client.get(reverse("team_member", args=[priya.token]))
    refused = post_pick(client, priya, at(day, 9))

    assert "This team day is over" in page.content.decode()
    assert refused.status_code == 400
    assert "This team day is over" in refused.content.decode()


# --- one person's link is theirs alone ---


def test_one_persons_link_never_changes_another_persons_time(client, studio):
    day = make_team_day()
    priya, tomas = invite(day, TEAM[:2])
    team_days.pick_time(priya, at(day, 9))

    cancel_with_his_link = client.post(reverse("team_member", args=[tomas.token]), {"action": "cancel"})
    take_hers = post_pick(client, tomas, at(day, 9))
    forged = client.post(reverse("team_member", args=[priya.token[:-2] + "xx"]), {"action": "cancel"})
    his_page = client.get(reverse("team_member", args=[tomas.token])).content.decode()

    assert cancel_with_his_link.status_code == 400  # he has no time to cancel
    assert take_hers.status_code == 409
    assert forged.status_code == 404
    priya.refresh_from_db()
    assert priya.slot_start == at(day, 9)
    assert "Priya" not in his_page and priya.token not in his_page


def test_a_forged_or_foreign_coordinator_link_is_404_and_resending_is_for_the_days_own_people(client, studio):
    day = make_team_day()
    other = make_team_day(company="Okafor Dental", coordinator_email="amara@okafordental.example")
    (priya,) = invite(day, TEAM[:1])
    (stranger,) = invite(other, [("Lena Fischer", "lena.fischer@okafordental.example")])

    assert client.get(reverse("team_coordinator", args=["x" * 32])).status_code == 404
    assert client.get(reverse("team_schedule_csv", args=["x" * 32])).status_code == 404
    assert client.get(reverse("team_schedule_ics", args=["x" * 32])).status_code == 404
    url = reverse("team_coordinator", args=[day.coordinator_token])
    assert client.post(url, {"action": "resend", "member": stranger.pk}).status_code == 404
    assert client.post(url, {"action": "resend", "member": "1e9"}).status_code == 404
    assert client.post(url, {"action": "resend", "member": priya.pk}).status_code == 302


# --- the coordinator's page ---


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_the_coordinator_sees_who_has_a_time_and_who_has_not_resends_and_adds_people(client, studio):
    day = make_team_day()
    priya, tomas, chen = invite(day, TEAM[:3])
    team_days.pick_time(priya, at(day, 9, 40))
    url = reverse("team_coordinator", args=[day.coordinator_token])

    html = client.get(url).content.decode()
    assert re.search(r"09:40</td><td>Priya Raman", html)
    waiting = html.split('id="waiting"')[1].split('id="add-people"')[0]
    assert "Tomás Ó Briain" in waiting and "Chen Wei" in waiting and "Priya" not in waiting
    assert priya.token not in html and tomas.token not in html  # nobody's own link
    # The day's photos and choices have a page of their own, linked from this one.
    assert f'href="{reverse("portal:team_photos", args=[day.coordinator_token])}">Photos and choices</a>' in html

    mail.outbox.clear()
    resent = client.post(url, {"action": "resend", "member": tomas.pk}, follow=True)
    assert "sent Tomás Ó Briain their link again" in resent.content.decode()
    assert [m.to for m in mail.outbox] == [["tomas.obriain@haldenroe.example"]]

    mail.outbox.clear()
    added = client.post(
        url,
        {
            "action": "add",
            "people": "Amara Okafor <amara.okafor@haldenroe.example>\nchen.wei@HALDENROE.example\nnot an email",
        },
        follow=True,
    )
    page = added.content.decode()
    assert "Invited 1 person" in page
    assert "Already invited" in page and "chen.wei@HALDENROE.example" in page
    assert "Line 3 (not an email)" in page
    assert [m.to for m in mail.outbox] == [["amara.okafor@haldenroe.example"]]

    nothing = client.post(url, {"action": "add", "people": "just a name"})
    assert nothing.status_code == 400
    assert "Line 1 (just a name): no email address." in nothing.content.decode()
    assert day.members.count() == 4


# --- reminders ---


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_reminders_go_on_each_reminder_day_once_and_only_to_those_without_a_time(studio):
    day = make_team_day(days=5, reminder_days="3,1")
    priya, tomas, chen = invite(day, TEAM[:3])
    TeamMember.objects.filter(day=day).update(invited_at=at(day, 9) - timedelta(days=5))
    team_days.pick_time(priya, at(day, 9))
    mail.outbox.clear()

    assert team_days.send_reminders(now=at(day, 9) - timedelta(days=3, hours=1)) == 0  # not due yet
    assert team_days.send_reminders(now=at(day, 9) - timedelta(days=3) + timedelta(minutes=1)) == 2
    assert team_days.send_reminders(now=at(day, 9) - timedelta(days=2)) == 0  # the 3-day one, sent already
    team_days.pick_time(tomas, at(day, 9, 10))
    assert team_days.send_reminders(now=at(day, 9) - timedelta(days=1) + timedelta(minutes=1)) == 1
    assert team_days.send_reminders(now=at(day, 9) - timedelta(hours=2)) == 0
    assert team_days.send_reminders(now=at(day, 9) + timedelta(hours=1)) == 0  # the day has begun

    reminders = [m for m in mail.outbox if "Reminder" in m.subject]
    assert sorted(m.to[0] for m in reminders[:2]) == ["chen.wei@haldenroe.example", "tomas.obriain@haldenroe.example"]
    assert [m.to for m in reminders[2:]] == [["chen.wei@haldenroe.example"]]
    assert all(chen.token in m.body for m in reminders if m.to == [chen.email])


# --- the admin ---


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@northlight.example", "a-test-only-password")
    client.force_login(user)
    return user


def test_a_new_team_day_starts_with_the_headshot_session(client, studio, photographer):
    make_session_type(kind="portrait", slug="portrait", name="Personal portrait", order=0)

    html = client.get(reverse("admin:bookings_teamday_add")).content.decode()

    assert re.search(rf'<option value="{studio.pk}" selected>Business headshot</option>', html)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reminder_days": "3, soon"}, "reminder_days", "“soon” is not a number of days"),
        ({"address": ""}, "address", "Write the company&#x27;s address"),
        ({"walk_in_slots": "18"}, "walk_in_slots", "The day has 18 times: keep fewer than that for walk-ins"),
        ({"slot_minutes": "240"}, "slot_minutes", "Not even one person&#x27;s time fits"),
        ({"breaks-0-start": "07:00", "breaks-0-end": "08:00"}, None, "outside the day&#x27;s hours (09:00–12:00)"),
    ],
)
def test_the_admin_refuses_a_day_that_cannot_work_with_a_clear_message(
    client, studio, photographer, change, field, message
):
    day = make_team_day(breaks=[(time(10, 30), time(10, 50))])
    url = reverse("admin:bookings_teamday_change", args=[day.pk])
    data = form_data(client.get(url).content.decode()) | change

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with the reason
    assert message in response.content.decode()
    day.refresh_from_db()
    assert day.reminder_days == "3,1" and day.walk_in_slots == 2


def test_the_admin_will_not_move_the_days_hours_from_under_someones_time(client, studio, photographer):
    day = make_team_day()
    (priya,) = invite(day, TEAM[:1])
    team_days.pick_time(priya, at(day, 11, 30))
    url = reverse("admin:bookings_teamday_change", args=[day.pk])

    response = client.post(url, form_data(client.get(url).content.decode()) | {"end": "11:00"})

    assert response.status_code == 200
    assert "Priya Raman (11:30)" in response.content.decode()


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_the_photographer_invites_a_pasted_list_and_a_csv_and_is_told_of_each_bad_line(client, studio, photographer):
    day = make_team_day()
    url = reverse("admin:bookings_teamday_invite", args=[day.pk])
    csv_file = SimpleUploadedFile(
        "team.csv", b"name,email\nChen Wei,chen.wei@haldenroe.example\nAmara Okafor,amara@\n", content_type="text/csv"
    )

    response = client.post(
        url, {"people": "Priya Raman <priya.raman@haldenroe.example>\nCHEN.WEI@haldenroe.example", "csv": csv_file}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "team.csv, line 3 (Amara Okafor, amara@)" in html
    assert sorted(day.members.values_list("email", flat=True)) == [
        "CHEN.WEI@haldenroe.example",
        "priya.raman@haldenroe.example",
    ]
    assert len(mail.outbox) == 2


def test_the_running_order_lists_the_day_ticks_people_off_and_takes_a_walk_in(client, studio, photographer):
    day = make_team_day(start=time(9), end=time(10))
    priya, tomas = invite(day, TEAM[:2])
    team_days.pick_time(priya, at(day, 9, 10))
    TeamMember.objects.filter(pk=priya.pk).update(notes="Glasses: watch the reflections")
    url = reverse("admin:bookings_teamday_running_order", args=[day.pk])

    html = client.get(url).content.decode()
    ticked = client.post(
        reverse("admin:bookings_teamday_check_in", args=[day.pk]), {"member": priya.pk, "checked": "1"}
    )
    walk_in = client.post(
        reverse("admin:bookings_teamday_walk_in", args=[day.pk]),
        {"name": "Jonas Berg", "email": "jonas.berg@haldenroe.example", "start": at(day, 9, 50).isoformat()},
    )
    clash = client.post(
        reverse("admin:bookings_teamday_walk_in", args=[day.pk]),
        {"name": "Lena Fischer", "email": "lena@haldenroe.example", "start": at(day, 9, 50).isoformat()},
    )
    no_email = client.post(
        reverse("admin:bookings_teamday_walk_in", args=[day.pk]), {"name": "Lena Fischer", "start": "09:40"}
    )

    assert (
        "09:10" in html
        and "Glasses: watch the reflections" in html
        and 'Tick<span class="visually-hidden"> Priya Raman as photographed' in html
    )
    assert "team_day.css" in html
    assert ticked.status_code == 302
    priya.refresh_from_db()
    assert priya.checked_in_at is not None
    assert walk_in.status_code == 302
    assert day.members.get(walk_in=True).slot_start == at(day, 9, 50)
    assert clash.status_code == 409
    assert "taken a moment ago" in clash.content.decode()
    assert no_email.status_code == 400
    assert client.get(reverse("admin:bookings_teamday_check_in", args=[day.pk])).status_code == 405


def test_the_team_days_pages_in_the_admin_are_for_staff_only(client, studio):
    day = make_team_day()

    response = client.get(reverse("admin:bookings_teamday_running_order", args=[day.pk]))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_refuses_one_email_twice_on_a_day_in_any_case(client, studio, photographer):
    day = make_team_day()
    invite(day, TEAM[:1])
    url = reverse("admin:bookings_teamday_change", args=[day.pk])
    data = form_data(client.get(url).content.decode()) | {
        "members-TOTAL_FORMS": "2",
        "members-1-name": "Priya again",
        "members-1-email": "PRIYA.RAMAN@haldenroe.example",
        "members-1-day": str(day.pk),
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert "PRIYA.RAMAN@haldenroe.example is listed twice" in response.content.decode()
    assert day.members.count() == 1


def test_a_team_day_saved_after_the_booking_page_was_seen_takes_its_hours_out_at_once(client, studio):
    day = timezone.now().astimezone(Availability.load().tz).date() + timedelta(days=8)
    url = f"/book/?type=headshot&date={day.isoformat()}"
    assert ">11:00<" in client.get(url).content.decode()  # the studio's rules are now cached

    make_team_day(days=8, start=time(10), end=time(14))

    assert ">11:00<" not in client.get(url).content.decode()
