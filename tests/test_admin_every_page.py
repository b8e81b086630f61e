"""Every admin page opens for the photographer, whatever the studio holds.

The guard walks admin.site's registry, so a model registered later is covered without a word here:
for each, the list (with a search and every filter, date and sort link it offers), the add page,
the change, history and delete pages of every object, and every extra URL its admin adds; then the
index and each app's page. The studio behind it is a realistic one: example photos and a gallery
that went through the image pipeline, originals and a watermark logo in private storage, bookings
in each state, emails, a selection, a delivery, a download, a failed job.
"""

import io
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from axes.models import AccessFailureLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, reverse
from PIL import Image

from bookings import deposits, team_days, waitlist
from bookings import services as bookings
from bookings.intake import Answer
from bookings.models import (
    IntakeQuestion,
    PaymentEvent,
    SessionType,
    SessionTypePhoto,
    StudioProfile,
    TermsDocument,
    TimeOff,
)
from galleries import delivery, finished_crops, orders, photos, publishing, selection, team_split
from galleries.models import CropOption, FinishedCrop, GallerySettings, Photo, RetouchLevel
from photostudio import demo
from photostudio.models import FailedTask
from tests.admin_pages import form_data, query_links
from tests.factories import (
    jpeg_bytes,
    local,
    make_gallery,
    make_session_type,
    make_team_day,
    make_user_client,
    open_every_day,
)
from tests.team_photos import add_shoot_photos
from tests.team_photos import make_team_day as make_team_day_with_everyone_timed

pytestmark = pytest.mark.django_db

# The pages Django's ModelAdmin makes for every model; anything else in get_urls() is the project's own.
STANDARD_VIEWS = ("_changelist", "_add", "_history", "_delete", "_change")
CHANGE_PAGES_PER_MODEL = 3  # and the newest


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@northlight.example", "a-test-only-password")
    client.force_login(user)
    return user


def logo_png(size=(320, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (255, 255, 255, 160)).save(out, "PNG")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def studio(photographer, django_capture_on_commit_callbacks) -> dict:
    """A studio a few weeks into real use. Background jobs run as they would on a worker."""
    with django_capture_on_commit_callbacks(execute=True):
        open_every_day(time_zone="Europe/London")
        StudioProfile(tagline="Headshots that look like you", address="Unit 4, 12 Mill Lane\nLeeds LS1 4AB").save()
        TimeOff.objects.create(first_day=date.today() + timedelta(days=40), last_day=date.today() + timedelta(days=47))
        headshot = make_session_type(kind="headshot", name="Business headshot", slug="business-headshot")
        portrait = make_session_type(
            kind="portrait", name="Personal portrait", slug="personal-portrait", price=Decimal("350.00")
        )
        example = SessionTypePhoto(session_type=headshot, alt="An accountant smiling against a grey backdrop")
        example.original.save("IMG_20261120_0142.jpg", ContentFile(jpeg_bytes(seed=7)), save=True)
        bookings.prepare_example_photo(example.pk)
        broken = SessionTypePhoto(session_type=portrait, alt="A family on the beach at Whitby")
        broken.original.save("2026-11-20 Bob Mensah 0142.jpg", ContentFile(b"not really a photo"), save=True)
        bookings.prepare_example_photo(broken.pk)

        GallerySettings.load().save()
        mark = GallerySettings.load()
        mark.logo.save("northlight-logo.png", ContentFile(logo_png()), save=True)

        requested = bookings.request_booking(
            bookings.BookingRequest(
                session_type=headshot, start=local(days=3, hour=10), name="Bob Mensah", email="bob.mensah@example.com"
            )
        )
        confirmed = bookings.confirm_booking(
            bookings.request_booking(
                bookings.BookingRequest(
                    session_type=portrait,
                    start=local(days=4, hour=14),
                    name="Chiara Rossi-Whitfield",
                    email="chiara.rossi@example.org",
                    purpose="Author photo for the back cover",
                )
            )
        )
        bookings.cancel_booking(
            bookings.request_booking(
                bookings.BookingRequest(
                    session_type=headshot, start=local(days=5, hour=11), name="Dan Okafor", email="dan@okafor.example"
                )
            ),
            by_client=True,
        )
        waitlist.join_waitlist(  # someone waiting for a day, and the free time offered to them
            session_type=headshot, days=[local(days=5).date()], name="Esther Lindqvist", email="esther@example.com"
        )
        waitlist.offer_free_times(local(days=5).date())
        bookings.receive_contact_message(
            name="Priya Natarajan", email="priya@example.com", phone="", message="Do you do team days for 12 people?"
        )
        # A question asked when booking, and terms in two versions, the first accepted with a booking.
        question = IntakeQuestion.objects.create(
            session_type=headshot, text="Where will the photos be used?", kind="short_text", required=True
        )
        first_terms = TermsDocument.objects.create(title="Booking terms", text="Pay on the day.", version=1)
        TermsDocument.objects.create(title="Booking terms", text="Pay on the day, by card.", version=2)
        bookings.request_booking(
            bookings.BookingRequest(
                session_type=headshot,
                start=local(days=6, hour=10),
                name="Elena Petrova",
                email="elena.petrova@example.com",
                intake_answers=(Answer(question.pk, question.text, "Our firm's website"),),
                accepted_terms=first_terms,
                client_address="203.0.113.7",
            )
        )

        client = make_user_client("Chiara Rossi-Whitfield", "chiara.rossi@example.org")
        gallery = make_gallery(client, booking=confirmed, title="Chiara: author portraits", selection_limit=2)
        with django_capture_on_commit_callbacks(execute=True):  # the photos are processed
            photos.add_photos(
                gallery,
                [
                    upload("IMG_20261120_0142.jpg", jpeg_bytes(seed=1)),
                    upload("2026-11-20 Chiara Rossi 0143.jpg", jpeg_bytes(seed=2)),
                    upload("DSC_0144.JPG", jpeg_bytes(seed=3)),
                ],
            )
        publishing.publish_gallery(gallery)
        chosen = list(gallery.photos.order_by("pk")[:2])
        for photo in chosen:
            selection.set_favourite(gallery, photo, chosen=True)
        selection.add_comment(gallery, chosen[0], author=client.user, text="Could you soften the shadow, please?")
        # Crops and retouching ordered of the first; its edited final has the crops cut from it.
        demo.seed_orders()
        linkedin, banner = CropOption.objects.order_by("order")[0], CropOption.objects.order_by("order")[2]
        orders.save_orders(
            gallery,
            chosen[0],
            orders.OrderForm(
                crops={str(linkedin.pk): {}, str(banner.pk): {}}, retouch=str(RetouchLevel.objects.last().pk)
            ),
        )
        selection.submit_selection(gallery)
        with django_capture_on_commit_callbacks(execute=True):  # the final and its crops are made
            final = photos.add_photos(gallery, [upload("IMG_20261120_0142-edit.jpg", jpeg_bytes(seed=5))]).added[0]
        finished_crops.queue_for(final.pk)
        delivery.deliver(gallery)
        delivery.record_download(gallery, client.user, photo=chosen[0])
        with django_capture_on_commit_callbacks(execute=True):  # the zip is built
            archive = delivery.request_zip(gallery)
        delivery.record_download(gallery, client.user, archive=archive)

        draft = make_gallery(make_user_client("Bob Mensah", "bob.mensah@example.com"), title="Bob: LinkedIn")
        photos.add_photos(
            draft,
            [upload("IMG_20261121_0007.jpg", jpeg_bytes(seed=4)), upload("IMG_20261121_0008.CR3", b"raw" * 500)],
        )

    # Deposits: one waiting at the provider, one paid by hand then refunded as declined; a webhook event.
    with django_capture_on_commit_callbacks(execute=True):
        SessionType.objects.filter(pk=portrait.pk).update(deposit=Decimal("50.00"))
        portrait.refresh_from_db()
        waiting, declined = (
            bookings.request_booking(
                bookings.BookingRequest(session_type=portrait, start=local(days=7, hour=hour), name=name, email=email)
            )
            for hour, name, email in [
                (10, "Ella Nkemelu", "ella@nkemelu.example"),
                (15, "Tom Hale", "tom@hale.example"),
            ]
        )
        deposits.deposit_payment(waiting)
        deposits.mark_paid_by_hand(declined)
        bookings.decline_booking(declined, reason="Away that week, sorry.")
        PaymentEvent.objects.create(event_id="evt_1QxY2zNorthlight", kind="checkout.session.completed")

        # A company's team day: some people with a time, one still to choose, one who walked in.
        team_day = make_team_day(days=12, breaks=[(time(10, 30), time(10, 50))], session_type=headshot)
        priya, tomas, _ = team_days.invite_people(
            team_day,
            [
                team_days.Person("Priya Raman", "priya.raman@haldenroe.example"),
                team_days.Person("Tomás Ó Briain", "tomas.obriain@haldenroe.example"),
                team_days.Person("Chen Wei", "chen.wei@haldenroe.example"),
            ],
        ).added
        team_days.pick_time(priya, team_days.slots(team_day)[0].start)
        team_days.pick_time(tomas, team_days.slots(team_day)[3].start)
        team_days.add_walk_in(
            team_day, name="Jonas Berg", email="jonas.berg@haldenroe.example", start=team_days.slots(team_day)[-1].start
        )

    # A team day's photos: split, one left to sort by hand.
    photo_day = make_team_day_with_everyone_timed(
        people_count=3, lunch=None, zone="Europe/London", company="Mensah & Byrne LLP"
    )
    shoot = team_split.start_shoot(photo_day)
    add_shoot_photos(shoot, [m.slot_start + timedelta(minutes=4) for m in photo_day.members.all()] + [None])
    team_split.split_shoot(shoot)

    # Sign-ins to the admin, one with a mistyped password: its records of attempts.
    door = Client()
    door.post(reverse("admin:login"), {"username": "sam", "password": "a-test-only-password"})
    door.post(reverse("admin:login"), {"username": "sam", "password": "a-test-only-pasword"})
    AccessFailureLog.objects.create(  # kept only when the failure log is switched on
        username="sam", ip_address="203.0.113.9", user_agent="Mozilla/5.0 (iPhone)", path_info="/admin/login/"
    )
    Group.objects.create(name="Assistants").permissions.set(Permission.objects.filter(codename__endswith="_booking"))
    FailedTask.objects.create(
        task="galleries.tasks.build_zip", task_id="5f1c", arguments="(12,)", error="OSError: disk full"
    )
    team = Q(gallery__team_member_gallery__isnull=False) | Q(gallery__team_shoot__isnull=False)
    assert Photo.objects.filter(state=Photo.State.DONE).exclude(team).count() == 5
    assert FinishedCrop.objects.filter(state="done").count() == 2
    assert Photo.objects.filter(team).count() == 4
    assert Photo.objects.filter(state=Photo.State.FAILED).exists()
    assert SessionTypePhoto.objects.exclude(image="").exists()
    return {"requested": requested, "confirmed": confirmed, "gallery": gallery, "session": headshot}


def _custom_urls(model_admin, obj) -> list[str]:
    urls = []
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name or pattern.name.endswith(STANDARD_VIEWS):
            continue
        kwargs = {name: obj.pk for name in pattern.pattern.converters}
        urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
    return urls


def test_every_admin_page_opens_for_the_photographer(client, studio):
    client.raise_request_exception = False  # count every failing page, not only the first
    failures: list[str] = []
    opened = 0

    def visit(url: str):
        nonlocal opened
        response = client.get(url)
        opened += 1
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
        return response

    visit(reverse("admin:index"))
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        visit(reverse("admin:app_list", args=[opts.app_label]))

        listing = visit(reverse(f"{name}_changelist"))
        for query in query_links(listing.content.decode()):
            visit(reverse(f"{name}_changelist") + query)
        if model_admin.search_fields:
            visit(reverse(f"{name}_changelist") + "?q=Mensah+IMG_20261120_0142.jpg")
        visit(reverse(f"{name}_add"))

        everything = model._default_manager.order_by("pk")
        objects = list(dict.fromkeys([*everything[:CHANGE_PAGES_PER_MODEL], *everything.reverse()[:1]]))
        assert objects, f"the studio has no {opts.verbose_name}: add one to the fixture so its pages are opened"
        for obj in objects:
            visit(reverse(f"{name}_change", args=[obj.pk]))
        for url in _custom_urls(model_admin, objects[0]):
            visit(url)
        visit(reverse(f"{name}_history", args=[objects[0].pk]))
        visit(reverse(f"{name}_delete", args=[objects[0].pk]))

    assert not failures, f"{len(failures)} of {opened} admin pages failed:\n" + "\n".join(failures)


def test_a_session_types_price_description_and_example_photo_can_be_changed(
    client, studio, django_capture_on_commit_callbacks
):
    session: SessionType = studio["session"]
    url = reverse("admin:bookings_sessiontype_change", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "IMG_20261120_0142.jpg" in html  # the example's own name, though it has no public address

    data = form_data(html)
    prefix = "photos"
    example = session.photos.get()
    web_copy = example.image.name
    data |= {
        "price": "225.00",
        "pitch": "Sharp, friendly headshots for your team page, in 30 minutes.",
        f"{prefix}-0-alt": "An accountant in a navy blazer, smiling",
        f"{prefix}-1-alt": "A designer laughing by the window",
        f"{prefix}-1-order": "2",
        f"{prefix}-1-original": upload("2026-11-20 Bob Mensah 0150.jpg", jpeg_bytes(seed=9)),
    }
    with django_capture_on_commit_callbacks(execute=True):  # the new example is prepared for the site
        with_new_photo = client.post(url, data)

    assert with_new_photo.status_code == 302, with_new_photo.content.decode()[:3000]
    session.refresh_from_db()
    assert session.price == Decimal("225.00")
    assert session.pitch.startswith("Sharp, friendly")
    example.refresh_from_db()
    assert example.alt == "An accountant in a navy blazer, smiling"
    assert example.original.name.endswith("IMG_20261120_0142.jpg")  # unchanged, still private
    assert example.image.name == web_copy  # a new description keeps the photo on the site
    added = session.photos.exclude(pk=example.pk).get()
    assert added.alt == "A designer laughing by the window"
    assert added.image, "the new example went through the pipeline for the site"

    # Replacing the example's file: the site gets a web copy of the new one.
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode()) | {
        f"{prefix}-0-original": upload("IMG_20261121_0031.jpg", jpeg_bytes(seed=11))
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    example.refresh_from_db()
    assert example.original.name.endswith("IMG_20261121_0031.jpg")
    assert example.image and example.image.name != web_copy


def test_a_photos_own_admin_page_shows_its_private_original_by_name(client, studio, settings):
    photo = studio["gallery"].photos.order_by("pk").first()

    response = client.get(reverse("admin:galleries_photo_change", args=[photo.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert photo.original.name.rsplit("/", 1)[-1] in html
    assert photo.thumb.url in html  # the public thumbnail as its preview
    assert settings.MEDIA_URL + photo.original.name not in html  # never a public address for it


def test_no_help_text_on_an_admin_form_hides_words_as_markup():
    """The admin shows help texts as HTML, so "/sessions/<slug>/" would lose its "<slug>": every
    help text of every registered model's fields reads as plain text."""
    hidden = [
        f"{model._meta.label}.{field.name}: {field.help_text!r}"
        for model in admin.site._registry
        for field in model._meta.get_fields()
        if "<" in str(getattr(field, "help_text", ""))
    ]
    assert not hidden, "help texts the admin would read as markup:\n" + "\n".join(hidden)


def test_every_list_edited_in_place_names_its_boxes_for_screen_readers():
    """Django leaves the boxes of list_editable without labels (a critical axe finding on a phone);
    NamedListEditable names each after its column and row. Every such admin of the project uses it."""
    from photostudio.admin_widgets import NamedListEditable

    editable = [model_admin for model_admin in admin.site._registry.values() if model_admin.list_editable]
    assert editable  # the registry was read, not empty
    unnamed = [type(a).__name__ for a in editable if not isinstance(a, NamedListEditable)]
    assert unnamed == []
