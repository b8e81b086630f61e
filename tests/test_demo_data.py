"""Demo data is for a development machine only, and never touches an account that exists."""

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from galleries.models import Gallery, Photo
from tests.conftest import ROOT, database_url_for_subprocess
from tests.helpers import closed_port

User = get_user_model()


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_on_a_production_start_and_creates_no_admin(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("seed_demo")

    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_make_run_with_debug_off_stops_before_serving_and_creates_no_demo_admin():
    """`make run` lets DEBUG=0 from the environment through: the demo step must then refuse,
    and make must stop there (no demo admin, no server)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": database_url_for_subprocess(),
        "PORT": str(closed_port()),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # -o: take the virtualenv as installed (it is: these tests run in it), so nothing is reinstalled.
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PY={sys.executable}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    lines = []
    for line in make.stdout:  # make echoes each command before running it
        lines.append(line)
        if "manage.py runserver" in line:  # the old behaviour: demo admin made, then served
            os.killpg(make.pid, signal.SIGTERM)
            break
    make.wait(timeout=60)
    output = "".join(lines)

    assert "manage.py runserver" not in output, output
    assert make.returncode != 0
    assert "runs only with DEBUG=1" in output
    assert "password: northlight-demo" not in output
    assert not User.objects.filter(username="photographer").exists()


@pytest.mark.django_db
def test_seed_demo_never_resets_the_password_of_the_admin_it_is_told_about(settings, monkeypatch, capsys):
    settings.DEBUG = True
    owner = User.objects.create_superuser("maya.okafor", "maya@okafor-studio.co.uk", "Kestrel-Harbour-1987")
    hashed = owner.password
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "maya.okafor")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "northlight-demo")

    call_command("seed_demo")

    owner.refresh_from_db()
    assert owner.password == hashed and owner.check_password("Kestrel-Harbour-1987")
    assert (owner.email, owner.first_name) == ("maya@okafor-studio.co.uk", "")
    out = capsys.readouterr().out
    assert "northlight-demo" not in out
    assert "username: maya.okafor  (its own password: unchanged)" in out
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["maya.okafor"]


@pytest.mark.django_db
def test_seed_demo_leaves_an_existing_demo_admin_alone_and_still_prints_a_working_sign_in(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = User.objects.get(username="photographer")
    first.first_name = "Priya"  # edited in the admin since
    first.save()

    call_command("seed_demo")

    again = User.objects.get(username="photographer")
    assert (again.password, again.first_name, again.last_login) == (first.password, "Priya", None)
    assert capsys.readouterr().out.count("username: photographer  password: northlight-demo") == 2


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_running_seed_demo_leaves_the_demo_gallery_published(celery_worker, settings):
    settings.DEBUG = True

    call_command("seed_demo")

    gallery = Gallery.objects.get()
    assert gallery.status == Gallery.Status.PROOFING
    assert set(Photo.objects.values_list("state", flat=True)) == {Photo.State.DONE}
    assert gallery.photos.count() == 12
    # One burst of three near-identical frames, a second apart, shown as one group; the rest alone.
    groups = Counter(gallery.photos.values_list("group_key", flat=True))
    assert sorted(groups.values()) == [1] * 9 + [3]


@pytest.mark.django_db
def test_the_demo_has_one_upcoming_team_day_with_some_people_timed_and_seeding_again_adds_nothing(settings):
    from bookings.models import TeamDay

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    (day,) = TeamDay.objects.all()
    assert day.members.count() == 5
    assert day.members.exclude(slot_start=None).count() == 3
    assert day.breaks.count() == 1
