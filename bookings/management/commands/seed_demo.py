from django.core.management.base import BaseCommand

from bookings import demo
from galleries import demo as galleries_demo


class Command(BaseCommand):
    help = "Load demo data (safe to run again: it updates what exists instead of duplicating)."

    def handle(self, *args, **options) -> None:
        demo.seed_studio_profile()
        demo.seed_session_types()
        demo.seed_availability()
        demo.seed_bookings()
        galleries_demo.seed_gallery()
        admin = demo.seed_demo_admin()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Admin sign-in at /admin/  username: {admin.username}  password: {admin.password}")
