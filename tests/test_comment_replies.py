"""Comments reach the photographer and get an answer: the gallery's admin page lists every comment
with its photo, the photographer is emailed a summary at most once per gallery every ten minutes,
replies from the admin show under the comment for its client, and for nobody else."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connections
from django.db.models import F
from django.test import Client as WebClient
from django.urls import reverse

from galleries import comments, tasks
from galleries.models import Comment
from photostudio.models import OutgoingEmail
from tests.factories import make_ready_gallery, make_user_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

STUDIO = "hello@northlight.example"


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne-Oyelaran", "alice.byrne@example.com")


@pytest.fixture
def gallery(alice):
    return make_ready_gallery(alice, photos=12, limit=3, title="Personal branding portrait, 14 April 2027")


@pytest.fixture
def sam(db):
    return get_user_model().objects.create_superuser(
        "sam", "sam.carter@northlight.example", "pw-for-tests-only", first_name="Sam", last_name="Carter"
    )


def comment_as(web: WebClient, gallery, photo, text: str):
    return web.post(reverse("portal:comment", args=[gallery.public_id, photo.key]), {"text": text})


def signed_in(user) -> WebClient:
    web = WebClient()
    web.force_login(user)
    return web


def comment_emails():
    return OutgoingEmail.objects.filter(kind="new_comments").order_by("pk")


def ten_minutes_pass() -> None:
    """As if the last email about comments went out eleven minutes ago."""
    Comment.objects.exclude(photographer_told_at=None).update(
        photographer_told_at=F("photographer_told_at") - timedelta(minutes=11)
    )


def test_ten_comments_send_one_email_at_once_and_one_summary_of_the_rest_ten_minutes_later(alice, gallery):
    web = signed_in(alice.user)
    photos = list(gallery.photos.all())
    mail.outbox.clear()

    for n, photo in enumerate(photos[:10]):
        comment_as(web, gallery, photo, f"Comment {n}: could the background be a touch warmer?")

    assert [e.to for e in comment_emails()] == [STUDIO]
    assert [m.to for m in mail.outbox] == [[STUDIO]]  # sent through the outbox's task
    first = mail.outbox[0]
    assert "DSC_0000.jpg" in first.body and "Comment 0: could the background" in first.body
    assert first.reply_to == ["alice.byrne@example.com"]
    assert tasks.tell_photographer_of_comments() == 0  # the sweep holds the rest for now
    assert comment_emails().count() == 1

    ten_minutes_pass()
    assert tasks.tell_photographer_of_comments() == 1

    summary = comment_emails().last()
    assert summary.subject == "Alice Byrne-Oyelaran left 9 comments on “Personal branding portrait, 14 April 2027”"
    assert all(f"DSC_{n:04d}.jpg" in summary.text and f"Comment {n}:" in summary.text for n in range(1, 10))
    assert "Comment 0:" not in summary.text  # already told
    assert f"/admin/galleries/gallery/{gallery.pk}/change/#comments" in summary.text
    assert "DSC_0009.jpg" in summary.html
    assert len(mail.outbox) == 2
    assert tasks.tell_photographer_of_comments() == 0
    assert not Comment.objects.filter(photographer_told_at=None).exists()


@pytest.mark.django_db(transaction=True)  # four tabs race: real commits
def test_comments_sent_at_the_same_moment_from_four_tabs_make_one_email(alice, gallery):
    tabs = [signed_in(alice.user) for _ in range(4)]
    photos = list(gallery.photos.all()[:4])
    barrier = threading.Barrier(len(tabs))

    def send(tab, photo):
        try:
            barrier.wait()
            comment_as(tab, gallery, photo, f"Could {photo.original_name} be a little brighter?")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=pair) for pair in zip(tabs, photos, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert Comment.objects.count() == 4
    assert comment_emails().count() == 1
    ten_minutes_pass()
    assert tasks.tell_photographer_of_comments() == 1
    told = comment_emails().first().text.count("be a little brighter") + comment_emails().last().text.count(
        "be a little brighter"
    )
    assert told == 4  # each comment in exactly one email


def test_a_comment_after_a_quiet_ten_minutes_is_emailed_at_once(alice, gallery):
    web = signed_in(alice.user)
    first, second = gallery.photos.all()[:2]
    comment_as(web, gallery, first, "Love this one.")
    Comment.objects.update(photographer_told_at=F("photographer_told_at") - timedelta(minutes=9))
    comment_as(web, gallery, second, "Can the stray hair go?")
    assert comment_emails().count() == 1  # nine minutes is not ten

    ten_minutes_pass()
    comment_as(web, gallery, first, "And this one in colour and black and white, please.")

    assert comment_emails().count() == 2
    assert "Can the stray hair go?" in comment_emails().last().text  # the one held back goes too


def test_each_gallery_is_counted_on_its_own(alice, gallery):
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    bobs = make_ready_gallery(bob, photos=2, title="Business headshot, 2 May 2027")
    comment_as(signed_in(alice.user), gallery, gallery.photos.first(), "Warmer, please.")
    comment_as(signed_in(bob.user), bobs, bobs.photos.first(), "Could my collar be straightened?")

    assert sorted(e.subject for e in comment_emails()) == [
        "Alice Byrne-Oyelaran left 1 comment on “Personal branding portrait, 14 April 2027”",
        "Bob Mensah left 1 comment on “Business headshot, 2 May 2027”",
    ]


def test_the_photographers_own_comment_sends_no_email(sam, gallery):
    comment_as(signed_in(sam), gallery, gallery.photos.first(), "Note to self: retouch the left eye.")

    assert Comment.objects.count() == 1
    assert comment_emails().count() == 0
    assert tasks.tell_photographer_of_comments() == 0


def test_the_gallery_page_in_the_admin_lists_every_comment_with_its_photo(alice, gallery, sam):
    web = signed_in(alice.user)
    chosen, other = gallery.photos.all()[:2]
    web.post(reverse("portal:favourite", args=[gallery.public_id, chosen.key]), {"chosen": "1"})
    comment_as(web, gallery, chosen, "Chosen: can you soften the shadow under my chin?")
    comment_as(web, gallery, other, "Not chosen, but <b>could</b> it be cropped square?")

    html = signed_in(sam).get(reverse("admin:galleries_gallery_change", args=[gallery.pk])).content.decode()

    assert 'id="comments"' in html and "Comments from the client (2)" in html
    assert "Chosen: can you soften the shadow under my chin?" in html
    assert "Not chosen, but &lt;b&gt;could&lt;/b&gt; it be cropped square?" in html
    assert "DSC_0000.jpg" in html and "DSC_0001.jpg" in html
    assert other.thumb.url in html and chosen.thumb.url in html
    for c in Comment.objects.all():
        assert reverse("admin:galleries_gallery_comment_reply", args=[gallery.pk, c.pk]) in html


def test_the_photographer_replies_and_only_the_client_sees_it(alice, gallery, sam):
    photo = gallery.photos.all()[3]
    comment_as(signed_in(alice.user), gallery, photo, "Could the background be a touch warmer?")
    question = Comment.objects.get()
    url = reverse("admin:galleries_gallery_comment_reply", args=[gallery.pk, question.pk])

    response = signed_in(sam).post(url, {"reply": "Yes: I'll warm it up in the edit.\r\nYou'll see it in the finals."})

    assert response.status_code == 302
    assert (
        response["Location"] == reverse("admin:galleries_gallery_change", args=[gallery.pk]) + f"#comment-{question.pk}"
    )
    question.refresh_from_db()
    assert question.reply == "Yes: I'll warm it up in the edit.\nYou'll see it in the finals."
    assert question.replied_by == sam and question.replied_at is not None

    web = signed_in(alice.user)
    page = web.get(reverse("portal:photo", args=[gallery.public_id, photo.key])).content.decode()
    assert "Yes: I&#x27;ll warm it up in the edit.<br>You&#x27;ll see it in the finals." in page
    assert "Northlight Studio replied" in page
    grid = web.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()
    assert 'data-reply="Yes: I&#x27;ll warm it up in the edit.' in grid  # what the viewer shows

    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    bobs_gallery = make_ready_gallery(bob, photos=2, title="Business headshot")
    outsider = signed_in(bob.user)
    assert outsider.get(reverse("portal:photo", args=[gallery.public_id, photo.key])).status_code == 404
    assert outsider.get(reverse("portal:gallery", args=[gallery.public_id])).status_code == 404
    assert "warm it up" not in outsider.get(reverse("portal:gallery", args=[bobs_gallery.public_id])).content.decode()
    assert outsider.post(url, {"reply": "Bob writes here"}).status_code == 302  # to the admin's sign-in
    question.refresh_from_db()
    assert question.reply.startswith("Yes: I'll warm it up")


def test_a_reply_can_be_changed_and_a_bad_one_is_refused_with_its_text_kept(alice, gallery, sam):
    comment_as(signed_in(alice.user), gallery, gallery.photos.first(), "Is retouching included?")
    question = Comment.objects.get()
    url = reverse("admin:galleries_gallery_comment_reply", args=[gallery.pk, question.pk])
    admin = signed_in(sam)
    admin.post(url, {"reply": "Light retouching is included."})

    empty = admin.post(url, {"reply": "   "})
    too_long = admin.post(url, {"reply": "Retouching " + "x" * 2000})
    changed = admin.post(url, {"reply": "Light retouching is included; skin smoothing costs extra."})

    assert empty.status_code == 400 and "Write the reply first." in empty.content.decode()
    assert too_long.status_code == 400
    assert "2000 characters or fewer" in too_long.content.decode()
    assert "Retouching xxxxxxxx" in too_long.content.decode()  # nothing typed is lost
    assert changed.status_code == 302
    question.refresh_from_db()
    assert question.reply == "Light retouching is included; skin smoothing costs extra."


def test_a_reply_address_for_another_gallerys_comment_is_not_found(alice, gallery, sam):
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    bobs = make_ready_gallery(bob, photos=1, title="Business headshot")
    comment_as(signed_in(bob.user), bobs, bobs.photos.first(), "Straighter collar, please.")
    bobs_comment = Comment.objects.get()

    url = reverse("admin:galleries_gallery_comment_reply", args=[gallery.pk, bobs_comment.pk])
    assert signed_in(sam).post(url, {"reply": "Sure."}).status_code == 404
    assert (
        signed_in(sam).get(reverse("admin:galleries_gallery_comment_reply", args=[gallery.pk, 999999])).status_code
        == 404
    )


def test_clean_reply_refuses_control_characters():
    with pytest.raises(comments.ReplyRejected, match="can't be stored"):
        comments.clean_reply("Thanks\x00")
