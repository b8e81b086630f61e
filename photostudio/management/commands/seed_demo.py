from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from photostudio import demo


class Command(BaseCommand):
    help = (
        "Load demo data and a demo admin account (development only: needs DEBUG=1). Safe to run again: "
        "it adds what is missing and never changes an existing user."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            # The demo admin's password is printed and published in the README: on a real site it
            # would be an open door.
            raise CommandError(
                "seed_demo loads demo data and an admin with a public password, so it runs only with DEBUG=1 "
                "(a development machine). For a real site, create the admin with "
                "`python manage.py createsuperuser`."
            )
        demo.seed_studio_profile()
        demo.seed_session_types()
        demo.seed_intake_and_terms()
        demo.seed_orders()
        demo.seed_availability()
        demo.seed_bookings()
        demo.seed_gallery()
        demo.seed_team_day()
        admin = demo.seed_demo_admin()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if admin.password:
            self.stdout.write(f"Admin sign-in at /admin/  username: {admin.username}  password: {admin.password}")
        else:
            self.stdout.write(f"Admin sign-in at /admin/  username: {admin.username}  (its own password: unchanged)")
