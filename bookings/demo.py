"""Demo data for a new installation: idempotent, so `seed_demo` can run on every start."""

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import StudioProfile

DEMO_ADMIN_USERNAME = "photographer"
DEMO_ADMIN_EMAIL = "photographer@northlight.example"


@dataclass(frozen=True)
class DemoAdmin:
    username: str
    password: str
    created: bool


@transaction.atomic
def seed_studio_profile() -> StudioProfile:
    profile, _ = StudioProfile.objects.update_or_create(
        pk=StudioProfile.SINGLETON_ID,
        defaults={
            "tagline": "Headshots and portraits for people who mean business.",
            "about": (
                "A small studio for professional headshots and personal-brand portraits. "
                "Come to the studio for a clean, polished headshot, or let us visit your "
                "workplace to photograph you where you do your best work."
            ),
            "phone": "+44 20 7946 0321",
            "address": "Unit 4, Canal Yard\n12 Wharf Road\nLondon N1 7GR",
        },
    )
    return profile


@transaction.atomic
def seed_demo_admin() -> DemoAdmin:
    """The demo photographer's account. Its password is reset on every run so the printed
    sign-in always works; set DJANGO_SUPERUSER_PASSWORD to choose it."""
    password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or "northlight-demo"
    username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or DEMO_ADMIN_USERNAME
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"email": DEMO_ADMIN_EMAIL, "first_name": "Sam", "last_name": "Carter"},
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return DemoAdmin(username=username, password=password, created=created)
