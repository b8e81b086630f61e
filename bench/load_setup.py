"""The rows bench/load.py needs, in the throwaway database it has already migrated.

Run by bench/load.py with the same environment as the gunicorn it starts (DATABASE_URL, SECRET_KEY,
MEDIA_ROOT, ...), so the session made here is valid there. Prints one line of JSON: the gallery's
address and the client's session cookie.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photostudio.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from photostudio.demo import seed_availability, seed_session_types, seed_studio_profile  # noqa: E402
from tests.factories import make_ready_gallery, make_user_client  # noqa: E402

PHOTOS = 500


def main() -> None:
    seed_studio_profile()
    seed_session_types()
    seed_availability()
    alice = make_user_client("Alice Byrne", "alice@example.com")
    gallery = make_ready_gallery(alice, photos=PHOTOS, limit=10, with_files=False)
    # force_login stores the session in the database's session table, where gunicorn will find it;
    # its auth hash is signed with SECRET_KEY, which is why gunicorn must get the same one.
    browser = Client()
    browser.force_login(alice.user)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME]
    print(
        json.dumps(
            {
                "gallery_path": f"/portal/galleries/{gallery.public_id}/",
                "photos": PHOTOS,
                "cookie_name": cookie.key,
                "cookie_value": cookie.value,
            }
        )
    )


if __name__ == "__main__":
    main()
