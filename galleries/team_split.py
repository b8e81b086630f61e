"""A team day's photos: one upload for the whole day, split into each person's private gallery.

How it works:

- The photographer uploads the day into the day's shoot gallery (a `TeamShoot`'s gallery) with the
  ordinary upload and pipeline; that gallery is never published.
- Once the last photo of an upload is processed, the day is split by itself (and again whenever the
  photographer asks). Splitting gives each processed photo to the person whose time covers its capture time (EXIF
  DateTimeOriginal, read by the pipeline), corrected by the shoot's camera clock offset:
  `slot_start <= captured_at + offset < slot_end`. The Photo row moves into the person's own
  gallery (made on first need, for their client record, found or made by email); no file is copied.
- A photo outside every time (a break, before or after the day) or without a capture time stays in
  the shoot gallery, on the sorting screen, where the photographer gives it to someone by hand.
  A photo sorted by hand is never moved again by a split.
- The camera's clock is corrected by one match: "this photo is of Bob Mensah". That says the offset
  lies in the window that puts the photo inside Bob's time (`offset_from_match`); within it, the
  offset that keeps the day's photos farthest from the changes between people (where nobody is
  being photographed) is taken, so a match on any of Bob's photos, first or last, gives the same
  correction. Then the photos not sorted by hand are split again.
- A split only takes photos back from galleries not yet published, and never a chosen photo.

The pure part (`Slot`, `whose_time`, `split_by_time`, `offset_from_match`) works on plain values;
the services below it read and change the database, each in one transaction.
"""

import bisect
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from bookings.models import TeamDay, TeamMember
from bookings.services import find_or_make_client

from . import accounts, publishing
from .models import Gallery, Photo, TeamGallery, TeamPhotoSortedByHand, TeamShoot
from .photos import regroup_frames_in

# --- the rule, on plain values ---


@dataclass(frozen=True)
class Slot:
    """One person's time on the day."""

    member_id: int
    start: datetime
    end: datetime


def whose_time(slots: Sequence[Slot], starts: Sequence[datetime], moment: datetime) -> int | None:
    """The member whose time covers `moment` (`slots` sorted by start, `starts` their starts)."""
    i = bisect.bisect_right(starts, moment) - 1
    if i >= 0 and moment < slots[i].end:
        return slots[i].member_id
    return None


def split_by_time(
    captures: Mapping[int, datetime | None], slots: Sequence[Slot], offset: timedelta
) -> dict[int, int | None]:
    """Each photo id's member (None: outside every time, or no capture time)."""
    slots = sorted(slots, key=lambda s: s.start)
    starts = [s.start for s in slots]
    return {
        photo_id: whose_time(slots, starts, captured + offset) if captured else None
        for photo_id, captured in captures.items()
    }


# How far from a change of person a photo counts as safely inside a time: beyond this, being
# farther away adds nothing to an offset's score.
SAFE_MARGIN_SECONDS = 60


def offset_from_match(
    captured: datetime, slot: Slot, day_captures: Sequence[datetime], slots: Sequence[Slot]
) -> timedelta:
    """The camera clock offset, in whole seconds, given that the photo taken at `captured` (by the
    camera's clock) is of the person of `slot`.

    Any offset from `slot.start - captured` up to `slot.end - captured` puts that photo inside the
    slot; of those, the one where the day's photos sit farthest from the edges of the times (each
    photo scoring its distance to the nearer edge of the time it falls in, up to a minute; nothing
    outside every time) is taken, the middle one when several score alike. A whole time's width is
    searched in 5-second steps, then the best step's neighbourhood second by second."""
    slots = sorted(slots, key=lambda s: s.start)
    starts = [s.start for s in slots]
    margin = min(SAFE_MARGIN_SECONDS, (slot.end - slot.start).total_seconds() / 4)
    low = math.ceil((slot.start - captured).total_seconds())
    high = math.ceil((slot.end - captured).total_seconds()) - 1  # the photo stays before the end

    def score(seconds: int) -> float:
        shift = timedelta(seconds=seconds)
        total = 0.0
        for moment in day_captures:
            moment = moment + shift
            i = bisect.bisect_right(starts, moment) - 1
            if i >= 0 and moment < slots[i].end:
                inside = min((moment - slots[i].start).total_seconds(), (slots[i].end - moment).total_seconds())
                total += min(inside, margin)
        return total

    coarse = {s: score(s) for s in range(low, high + 1, 5)}
    best = max(coarse.values())
    near = {s for c, v in coarse.items() if v == best for s in range(max(low, c - 5), min(high, c + 5) + 1)}
    fine = {s: coarse[s] if s in coarse else score(s) for s in near}
    best = max(fine.values())
    winners = sorted(s for s, v in fine.items() if v == best)
    return timedelta(seconds=winners[len(winners) // 2])


# --- the services ---


class TeamPhotosError(Exception):
    """Something about a team day's photos that can't be done; the message says why, for the photographer."""


@dataclass
class SplitReport:
    moved: int = 0  # photos that changed gallery
    sorted: int = 0  # photos now in someone's gallery (moved or already there)
    unsorted: int = 0  # processed photos waiting on the sorting screen
    waiting: int = 0  # photos still being processed (split them once they are done)
    duplicates: list[str] = field(default_factory=list)  # names left unsorted: the person has the same file


def slots_of(day: TeamDay) -> list[Slot]:
    minutes = timedelta(minutes=day.slot_minutes)
    members = day.members.filter(slot_start__isnull=False).order_by("slot_start")
    return [Slot(m.pk, m.slot_start, m.slot_start + minutes) for m in members.only("pk", "slot_start")]


def start_shoot(day: TeamDay) -> TeamShoot:
    """The day's shoot (and its gallery, to upload the whole day into), made on first need."""
    existing = TeamShoot.objects.filter(day=day).select_related("gallery").first()
    if existing:
        return existing
    with transaction.atomic():
        return TeamShoot.objects.create(day=day, gallery=new_shoot_gallery(day))


def new_shoot_gallery(day: TeamDay) -> Gallery:
    """The gallery the whole day is uploaded into. It belongs to the company's coordinator, who never
    sees it: a shoot's gallery can't be published (galleries/publishing.py)."""
    coordinator = find_or_make_client(email=day.coordinator_email, name=day.coordinator_name, company=day.company)[0]
    return Gallery.objects.create(
        client=coordinator,
        title=f"{day.company}, {day.date:%d %b %Y}: the whole day (to split)",
        selection_limit=0,
    )


def gallery_terms(day: TeamDay) -> dict:
    """A person's gallery: the day's photos each, and extras as the day says. Paid by the company,
    extras cost the person nothing (the company's summary prices them); no extra price, no extras."""
    if not day.extra_price:
        price = None
    elif day.extras_paid_by == TeamDay.ExtrasPaidBy.PERSON:
        price = day.extra_price
    else:
        price = Decimal(0)
    return {"selection_limit": day.photos_each, "price_per_extra": price}


def member_gallery(shoot: TeamShoot, member: TeamMember) -> Gallery:
    """The person's own gallery for the day, made (with their client record and portal account) on first need."""
    if member.day_id != shoot.day_id:
        raise TeamPhotosError(f"{member.name} is not on this team day.")
    own = TeamGallery.objects.filter(member=member).select_related("gallery").first()
    if own:
        return own.gallery
    day = shoot.day
    client = member.client or find_or_make_client(email=member.email, name=member.name, company=day.company)[0]
    accounts.ensure_user(client)  # so the gallery's email can sign them in
    TeamMember.objects.filter(pk=member.pk).update(client=client)
    member.client = client
    gallery = Gallery.objects.create(
        client=client, title=f"{day.company} headshots, {day.date.day} {day.date:%B %Y}", **gallery_terms(day)
    )
    TeamGallery.objects.create(shoot=shoot, member=member, gallery=gallery)
    return gallery


def shoot_photos(shoot: TeamShoot):
    """Every photo of the day: those waiting in the shoot's gallery and those given to people."""
    return Photo.objects.filter(Q(gallery=shoot.gallery_id) | Q(gallery__team_member_gallery__shoot=shoot))


def unsorted_photos(shoot: TeamShoot):
    """The processed photos no one has yet: the sorting screen's."""
    return shoot.gallery.photos.filter(state=Photo.State.DONE).order_by(*Photo.ORDER)


def _movable(shoot: TeamShoot):
    """The photos a split may place: processed, in the shoot's gallery or in a person's gallery not
    yet published, not sorted by hand, not chosen, not an edited final."""
    unpublished = (Gallery.Status.DRAFT, Gallery.Status.PROCESSING)
    return (
        shoot_photos(shoot)
        .filter(state=Photo.State.DONE, is_final=False, sorted_by_hand__isnull=True, favourite__isnull=True)
        .filter(Q(gallery=shoot.gallery_id) | Q(gallery__status__in=unpublished))
    )


@transaction.atomic
def split_shoot(shoot: TeamShoot) -> SplitReport:
    """Give each photo a split may place to the person whose time covers its corrected capture
    time; the rest go back to (or stay in) the shoot's gallery. Safe to run again: photos already
    where they belong stay put."""
    shoot = TeamShoot.objects.select_for_update().select_related("day", "gallery").get(pk=shoot.pk)
    day = shoot.day
    rows = list(_movable(shoot).values_list("pk", "gallery_id", "captured_at", "content_hash", "original_name"))
    placed = split_by_time({pk: captured for pk, _, captured, _, _ in rows}, slots_of(day), shoot.offset)
    members = {m.pk: m for m in day.members.filter(pk__in={m for m in placed.values() if m})}
    # One query for the galleries people have already; only a newcomer's is made one by one.
    gallery_of_member = dict(TeamGallery.objects.filter(member__in=members).values_list("member_id", "gallery_id"))
    gallery_of_member |= {m: member_gallery(shoot, members[m]).pk for m in members if m not in gallery_of_member}
    report = SplitReport()
    moves: dict[int, list[int]] = defaultdict(list)  # gallery id -> photo ids going there
    hashes = _hashes_in(set(gallery_of_member.values()) | {shoot.gallery_id})
    for pk, current, _, digest, name in rows:
        target = gallery_of_member.get(placed[pk], shoot.gallery_id)
        if target != current:
            if digest in hashes[target]:  # the same file is there already (uploaded twice)
                report.duplicates.append(name)
                target = current
            else:
                hashes[target].add(digest)
                hashes[current].discard(digest)
                moves[target].append(pk)
        if target != shoot.gallery_id:
            report.sorted += 1
    for gallery_id, ids in moves.items():
        report.moved += Photo.objects.filter(pk__in=ids).update(gallery_id=gallery_id)
    if moves:  # a burst split between people is a group in each gallery
        regroup_frames_in({*moves, shoot.gallery_id})
    report.unsorted = unsorted_photos(shoot).count()
    report.waiting = shoot.gallery.photos.filter(state__in=(Photo.State.PENDING, Photo.State.PROCESSING)).count()
    return report


def split_once_processed(photo_id: int) -> SplitReport | None:
    """Split the day when the photo just processed belongs to a team day's upload and none of the
    upload waits any more; nothing for any other photo."""
    shoot = TeamShoot.objects.filter(gallery__photos=photo_id).first()
    waiting = (Photo.State.PENDING, Photo.State.PROCESSING)
    if shoot is None or Photo.objects.filter(gallery=shoot.gallery_id, state__in=waiting).exists():
        return None
    return split_shoot(shoot)


def _hashes_in(gallery_ids: set[int]) -> dict[int, set[str]]:
    hashes: dict[int, set[str]] = defaultdict(set)
    for gallery_id, digest in Photo.objects.filter(gallery__in=gallery_ids).values_list("gallery_id", "content_hash"):
        hashes[gallery_id].add(digest)
    return hashes


def _photo_of_shoot(shoot: TeamShoot, photo_id) -> Photo:
    photo = shoot_photos(shoot).filter(pk=photo_id).select_related("gallery").first() if _is_id(photo_id) else None
    if photo is None:
        raise TeamPhotosError("That photo is not one of this team day's.")
    return photo


def _member_of_day(shoot: TeamShoot, member_id) -> TeamMember:
    member = shoot.day.members.filter(pk=member_id).first() if _is_id(member_id) else None
    if member is None:
        raise TeamPhotosError("Choose someone on this team day.")
    return member


@transaction.atomic
def match_photo(shoot: TeamShoot, *, photo_id, member_id) -> tuple[timedelta, SplitReport]:
    """Correct the camera's clock from one photo known to be of one person, then split again."""
    shoot = TeamShoot.objects.select_for_update().select_related("day").get(pk=shoot.pk)
    photo, member = _photo_of_shoot(shoot, photo_id), _member_of_day(shoot, member_id)
    if photo.captured_at is None:
        raise TeamPhotosError(
            f"{photo.original_name} has no capture time from the camera, so it can't set the clock. "
            "Choose another photo, or give this one to its person by hand."
        )
    if member.slot_start is None:
        raise TeamPhotosError(f"{member.name} has no time on the day, so the clock can't be set from their photo.")
    slots = slots_of(shoot.day)
    slot = next(s for s in slots if s.member_id == member.pk)
    day_captures = list(shoot_photos(shoot).exclude(captured_at=None).values_list("captured_at", flat=True))
    offset = offset_from_match(photo.captured_at, slot, day_captures, slots)
    shoot.camera_offset_seconds = int(offset.total_seconds())
    shoot.save(update_fields=["camera_offset_seconds"])
    return offset, split_shoot(shoot)


@transaction.atomic
def give_by_hand(shoot: TeamShoot, *, photo_id, member_id) -> Gallery:
    """Put a photo in someone's gallery (the sorting screen's click); later splits leave it there."""
    shoot = TeamShoot.objects.select_for_update().select_related("day").get(pk=shoot.pk)
    photo, member = _photo_of_shoot(shoot, photo_id), _member_of_day(shoot, member_id)
    if photo.state != Photo.State.DONE:
        raise TeamPhotosError(f"{photo.original_name} is not processed yet.")
    gallery = member_gallery(shoot, member)
    if gallery.status not in (Gallery.Status.DRAFT, Gallery.Status.PROCESSING, Gallery.Status.PROOFING):
        raise TeamPhotosError(f"{member.name} has sent their selection already: their gallery takes no more proofs.")
    if photo.gallery_id != gallery.pk:
        if hasattr(photo, "favourite"):
            raise TeamPhotosError(f"{photo.gallery.client.name} has chosen {photo.original_name}: it stays with them.")
        if gallery.photos.filter(content_hash=photo.content_hash).exists():
            raise TeamPhotosError(f"{member.name}'s gallery has this same file already ({photo.original_name}).")
        Photo.objects.filter(pk=photo.pk).update(gallery=gallery)
        regroup_frames_in({photo.gallery_id, gallery.pk})
    TeamPhotoSortedByHand.objects.get_or_create(photo=photo)
    return gallery


@dataclass
class PublishReport:
    published: list[str] = field(default_factory=list)  # names of those emailed
    refused: list[str] = field(default_factory=list)  # "Name: why"
    without_photos: list[str] = field(default_factory=list)  # people with a time but no photo


def publish_day(shoot: TeamShoot, *, by=None) -> PublishReport:
    """Publish each person's gallery not yet published, emailing each a link to their own."""
    report = PublishReport()
    context = {"day": shoot.day, "currency": settings.CURRENCY_SYMBOL}
    owned = TeamGallery.objects.filter(shoot=shoot).select_related("member", "gallery")
    owned = owned.annotate(n_photos=Count("gallery__photos"))
    for own in owned.order_by("member__slot_start", "member__name"):
        if own.gallery.status not in (Gallery.Status.DRAFT, Gallery.Status.PROCESSING):
            continue
        if not own.n_photos:  # their photos went to others when the camera's clock was corrected
            report.without_photos.append(own.member.name)
            continue
        try:
            publishing.publish_gallery(own.gallery, by=by, email="team_gallery_published", context=context)
        except publishing.GalleryError as exc:
            report.refused.append(f"{own.member.name}: {exc}")
        else:
            report.published.append(own.member.name)
    without = shoot.day.members.filter(slot_start__isnull=False, team_gallery__isnull=True)
    report.without_photos += list(without.values_list("name", flat=True))
    return report


# --- the company's summary ---


@dataclass(frozen=True)
class PersonSummary:
    member: TeamMember
    photos: int
    chosen: int
    sent: bool
    extras: int
    extras_price: Decimal  # what the company is charged for them (nothing when each person pays)
    delivered: int
    gallery: Gallery | None


def company_summary(day: TeamDay) -> list[PersonSummary]:
    """Per person of the day, in the order of their times: their photos, choice, extras and delivery."""
    owned = (
        TeamGallery.objects.filter(member__day=day)
        .select_related("gallery")
        .annotate(
            n_photos=Count("gallery__photos", filter=Q(gallery__photos__is_final=False), distinct=True),
            n_chosen=Count("gallery__favourites", distinct=True),
            n_delivered=Count("gallery__photos", filter=Q(gallery__photos__delivered=True), distinct=True),
        )
    )
    counts = {own.member_id: own for own in owned}
    company_pays = day.extras_paid_by == TeamDay.ExtrasPaidBy.COMPANY
    rows = []
    for member in day.members.order_by("slot_start", "name"):
        own = counts.get(member.pk)
        chosen = own.n_chosen if own else 0
        extras = max(0, chosen - day.photos_each)
        rows.append(
            PersonSummary(
                member=member,
                photos=own.n_photos if own else 0,
                chosen=chosen,
                sent=bool(own) and own.gallery.status in (Gallery.Status.SELECTION_SUBMITTED, Gallery.Status.DELIVERED),
                extras=extras,
                extras_price=extras * day.extra_price if company_pays else Decimal("0.00"),
                delivered=own.n_delivered if own else 0,
                gallery=own.gallery if own else None,
            )
        )
    return rows


def _is_id(value) -> bool:
    return isinstance(value, (int, str)) and str(value).isascii() and str(value).isdigit() and len(str(value)) < 10
