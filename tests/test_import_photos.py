"""`manage.py import_photos <gallery public id> <folder>`: any gallery, and every file accounted for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from galleries.models import Gallery, Photo
from tests.conftest import ROOT, database_url_for_subprocess
from tests.factories import jpeg_bytes, make_client, make_gallery
from tests.imaging_samples import encode, photo
from tests.test_bad_files import gif, heic, raw_tiff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

# One gallery in 64 gets a public id starting with "-" (token_urlsafe's alphabet has 64 letters).
DASHED_ID = "-Xq3vK9bTn2LmP8rW4sYzA"


@pytest.fixture
def dashed_gallery() -> Gallery:
    gallery = make_gallery(make_client("Bob Mensah", "bob@mensah-physio.com"), title="Clinic team headshots")
    Gallery.objects.filter(pk=gallery.pk).update(public_id=DASHED_ID)
    gallery.refresh_from_db()
    return gallery


def shoot(folder: Path, *names: str) -> Path:
    folder.mkdir(exist_ok=True)
    for n, name in enumerate(names, 1):
        (folder / name).write_bytes(jpeg_bytes(seed=n))
    return folder


def run_manage(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """The command as typed in a shell (argv parsed by Django), tasks run in its own process."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": "",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)  # the command runs in another process
def test_a_gallery_whose_public_id_starts_with_a_dash_imports_from_the_shell(dashed_gallery, tmp_path):
    folder = shoot(tmp_path / "shoot", "IMG_20261120_0142.jpg", "IMG_20261120_0143.jpg")

    done = run_manage("import_photos", DASHED_ID, str(folder), tmp_path=tmp_path)

    assert done.returncode == 0, done.stderr
    assert "2 photo(s) added to “Clinic team headshots”" in done.stdout
    assert sorted(dashed_gallery.photos.values_list("original_name", "state")) == [
        ("IMG_20261120_0142.jpg", "done"), ("IMG_20261120_0143.jpg", "done"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        (DASHED_ID, "{folder}"),
        ("--", DASHED_ID, "{folder}"),
        (f"--gallery={DASHED_ID}", "{folder}"),
        ("{folder}", f"--gallery={DASHED_ID}", "--verbosity=2"),
    ],
    ids=["plain", "after --", "as an option", "option after the folder"],
)
def test_every_way_of_naming_a_dashed_gallery_works(dashed_gallery, tmp_path, capsys, args):
    folder = shoot(tmp_path / "shoot", "2026-11-20 Bob Mensah 0142.jpg")

    call_command("import_photos", *(a.format(folder=folder) for a in args))

    assert "1 photo(s) added" in capsys.readouterr().out
    assert dashed_gallery.photos.get().original_name == "2026-11-20 Bob Mensah 0142.jpg"


def test_every_file_in_the_folder_is_imported_or_named_with_its_reason(tmp_path, capsys):
    gallery = make_gallery(make_client("Chloé Martin", "chloe@atelier-martin.fr"))
    folder = shoot(tmp_path / "shoot", "IMG_20261120_0142.jpg", "2026-11-20 Chloé Martin 0143.JPG")
    (folder / "IMG_20261120_0144.png").write_bytes(encode(photo((300, 200)), "PNG"))
    (folder / "IMG_20261120_0142_copy.jpg").write_bytes(jpeg_bytes(seed=1))  # the same photo again
    (folder / "boomerang.gif").write_bytes(gif(animated=True))
    (folder / "IMG_4521.HEIC").write_bytes(heic())
    (folder / "DSC_0001.NEF").write_bytes(raw_tiff(tags={254: 1}))
    (folder / "IMG_0001.CR2").write_bytes(raw_tiff(after_header=b"CR\x02\0" + bytes(4)))
    (folder / "notes from the shoot.txt").write_text("Chloé prefers her left side.")
    (folder / "IMG_20261120_0145.jpg").write_bytes(b"")  # a copy that never finished
    (folder / ".DS_Store").write_bytes(bytes(64))  # the Mac's own file: not the photographer's
    (folder / "selects").mkdir()

    with pytest.raises(CommandError, match=r"3 photo\(s\) added .*; 1 already there; 6 file\(s\) refused") as refused:
        call_command("import_photos", gallery.public_id, str(folder))

    assert refused.value.returncode == 1  # the shell sees a failure
    assert sorted(Photo.objects.values_list("original_name", "state")) == [
        ("2026-11-20 Chloé Martin 0143.JPG", "done"), ("IMG_20261120_0142.jpg", "done"),
        ("IMG_20261120_0144.png", "done"),
    ]  # fmt: skip
    err = capsys.readouterr().err
    for line in (
        "not imported boomerang.gif: unsupported format: GIF",
        "not imported IMG_4521.HEIC: unsupported format: HEIC",
        "not imported DSC_0001.NEF: unsupported format: camera RAW",
        "not imported IMG_0001.CR2: unsupported format: camera RAW",
        "not imported notes from the shoot.txt: not an image",
        "not imported IMG_20261120_0145.jpg: empty file",
        "not imported IMG_20261120_0142_copy.jpg: already in this gallery (the same file)",
        "not imported selects: a folder",
    ):
        assert line in err
    assert ".DS_Store" not in err


@pytest.mark.django_db(transaction=True)  # the command runs in another process
def test_a_folder_of_good_photos_exits_cleanly_and_a_second_run_adds_nothing(tmp_path):
    gallery = make_gallery()
    folder = shoot(tmp_path / "shoot", "IMG_20261120_0142.jpg", "IMG_20261120_0143.jpg")

    first = run_manage("import_photos", gallery.public_id, str(folder), tmp_path=tmp_path)
    again = run_manage("import_photos", gallery.public_id, str(folder), tmp_path=tmp_path)

    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert "0 photo(s) added to “Headshots” and queued for processing; 2 already there." in again.stdout
    assert gallery.photos.count() == 2
