"""The client's gallery a page of tiles at a time, so its first screen costs the same at 10 photos
and at 2,000: which photos a page shows, the cached HTML of what every client sees of a tile, and the
validator (ETag) of everything a page shows, so a returning browser gets a 304 without a render.

A tile's unchanging part (its thumbnail, links and file name) is cached under a digest of exactly
what it is made from: the photo's own fields, its number in the list and the kind of grid. Any
change to the photo (reprocessed, renamed, reordered, delivered) makes a new digest, so a changed
photo shows at once and nothing needs to be invalidated. What is the client's own (the heart, the
comments) is never in the cache: the page renders it around the cached part on every request.
"""

import base64
import hashlib
import io
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from PIL import Image

from .models import Comment, Favourite, Gallery, Photo

PAGE_SIZE = 60  # tiles a response carries: a few screens on a phone, divisible by 2 to 6 columns
EAGER = 6  # the first tiles of the first page load at once (the first rows at any width), the rest lazily
HIGH_PRIORITY = 3  # of those, the first ones the browser fetches before anything else
SMALL_PLACEHOLDER_EDGE = 6  # pixels on the long edge of the lazy tiles' placeholders (the first rows keep the full one)
TILE_TIMEOUT = 60 * 60 * 24 * 7  # a digest never goes stale; this only lets unused tiles age out

# The grid's columns (static/css/portal.css: 2, 3, 4, 5 then 6 of them), so the browser picks the 480 or
# the 960 px thumbnail for the width a tile really has (each is this share of the window less at most
# 24 px of padding and gaps, too little to change the choice).
THUMB_SIZES = "(max-width:575px) 50vw,(max-width:767px) 33vw,(max-width:1199px) 25vw,(max-width:1599px) 20vw,17vw"

PROOF, FINAL = "proof", "final"
_TILE_TEMPLATES = {PROOF: "galleries/_proof_tile.html", FINAL: "galleries/_final_tile.html"}


def _template_digest() -> str:
    """The page's templates as they are on disk: a deploy that changes them changes every ETag."""
    folder = Path(settings.BASE_DIR) / "templates"
    names = [
        "base.html", "galleries/gallery.html", "galleries/_count.html", "galleries/_tiles.html",
        "galleries/_more.html", "galleries/_tiles_page.html", "galleries/_compare_form.html",
        *_TILE_TEMPLATES.values(),
    ]  # fmt: skip
    digest = hashlib.sha256()
    for name in names:
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()[:16]


TEMPLATES_DIGEST = _template_digest()


def page_number(value: str | None) -> int | None:
    """The page asked for (`?page=`): 1 when not given, None when not a plain positive number."""
    if value is None or value == "":
        return 1
    if not value.isascii() or not value.isdigit() or len(value) > 6 or int(value) < 1:
        return None
    return int(value)


def proofs_of(gallery: Gallery) -> QuerySet:
    """The gallery's proofs with what the page shows of each, in a fixed number of queries."""
    return (
        gallery.photos.filter(state=Photo.State.DONE, is_final=False)
        .annotate(
            is_favourite=Exists(Favourite.objects.filter(photo=OuterRef("pk"))),
            n_comments=Count("comments"),
        )
        .only("key", "original_name", "proof", "thumb", "thumb_2x", "placeholder", "thumb_width", "thumb_height",
              "width", "height", "order", "captured_at", "gallery_id")
        .order_by(*Photo.ORDER)
    )  # fmt: skip


def delivered_of(gallery: Gallery) -> QuerySet:
    """The gallery's delivered photos, in the shoot's order."""
    return (
        gallery.photos.filter(state=Photo.State.DONE, delivered=True)
        .only("key", "original_name", "proof", "web", "thumb", "thumb_2x", "placeholder", "thumb_width",
              "thumb_height", "width", "height", "size_bytes", "order", "captured_at", "gallery_id")
        .order_by(*Photo.ORDER)
    )  # fmt: skip


# What a tile is made from: the cached part's fields, and what the client's own part needs.
_FIELDS = ("id", "key", "original_name", "proof", "thumb", "thumb_2x", "placeholder", "thumb_width", "thumb_height",
           "width", "height")  # fmt: skip
_FINAL_FIELDS = (*_FIELDS, "web", "size_bytes")


@dataclass
class Tile:
    number: int  # its place in the list shown, from 1
    fields: dict  # the photo's row (_FIELDS), from which the cached part is made
    chosen: bool = False
    comments: list = field(default_factory=list)  # the client's comments on it, with the studio's replies
    eager: bool = False  # among the first rows: loaded at once, with the full placeholder
    similar: int = 0  # the near-identical frames it stands for (itself included), when more than one
    digest: str = ""  # of everything its cached part is made from: its name in the cache
    html: SafeString = mark_safe("")  # what every client sees of it, from the cache or just rendered
    own: SafeString = mark_safe("")  # the client's own part (own_parts): never cached

    @property
    def key(self) -> str:
        return self.fields["key"]

    @property
    def name(self) -> str:
        return self.fields["original_name"]


@dataclass
class Page:
    kind: str  # PROOF or FINAL
    number: int
    tiles: list[Tile]
    total: int  # photos in the whole list (all proofs, the favourites, or the delivered photos)
    favourites_only: bool

    @property
    def has_next(self) -> bool:
        return self.number * PAGE_SIZE < self.total

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.number * PAGE_SIZE)

    @property
    def query(self) -> str:
        """The query string of the next page, keeping the filter."""
        return self._query(self.number + 1)

    @property
    def own_query(self) -> str:
        """This page's query string, made from what it is (never echoing what the request carried)."""
        return self._query(self.number) if self.number > 1 else self._query(None)

    def _query(self, number: int | None) -> str:
        parts = (["show=favourites"] if self.favourites_only else []) + ([f"page={number}"] if number else [])
        return f"?{'&'.join(parts)}" if parts else ""


class NoSuchPage(Exception):
    """A page past the last one."""


def shown_photos(gallery: Gallery) -> QuerySet:
    """The photos the client sees, with nothing computed for them: a delivered gallery's delivered
    photos, any other's proofs."""
    photos = gallery.photos.filter(state=Photo.State.DONE)
    if gallery.status == Gallery.Status.DELIVERED:
        return photos.filter(delivered=True)
    return photos.filter(is_final=False)


def counted_galleries(galleries: QuerySet, *, favourites_only: bool) -> QuerySet:
    """The galleries with the two counts a page of the grid shows, read in the gallery's own query
    rather than one round trip each: the photos in the list shown (`n_shown`: shown_photos' photos,
    or the favourites among the proofs) and the client's favourites (`n_chosen`, the selection
    count). In SQL of its own because it runs on every page of every gallery: the ORM's subquery
    expressions cost more to build than the two queries they would save (tests/test_gallery_pages.py
    checks both counts against the ORM's at every status)."""
    favourite = f"EXISTS (SELECT 1 FROM {Favourite._meta.db_table} f WHERE f.photo_id = p.id)"
    photo, gallery = Photo._meta.db_table, Gallery._meta.db_table
    # All the proofs: one tile per group of near-identical frames (as tiles_of_groups).
    first_of_group = "p.group_key IN (p.key, '')"
    shown = (
        f"CASE WHEN {gallery}.status = %s "
        f"THEN (SELECT COUNT(*) FROM {photo} p WHERE p.gallery_id = {gallery}.id AND p.state = %s AND p.delivered) "
        f"ELSE (SELECT COUNT(*) FROM {photo} p WHERE p.gallery_id = {gallery}.id AND p.state = %s AND NOT p.is_final"
        f" AND {favourite if favourites_only else first_of_group}) END"
    )
    chosen = f"(SELECT COUNT(*) FROM {Favourite._meta.db_table} f WHERE f.gallery_id = {gallery}.id)"
    done = Photo.State.DONE.value
    return galleries.annotate(
        n_shown=RawSQL(shown, (Gallery.Status.DELIVERED.value, done, done)), n_chosen=RawSQL(chosen, ())
    )


def tiles_of_groups(proofs: QuerySet) -> QuerySet:
    """The proofs as the grid shows them all: each group of near-identical frames (Photo.group_key,
    stored by photos.regroup_frames) by its first frame only, annotated with `similar`, the frames
    it stands for (Photo.group_size, stored with it: nothing counted per tile). The favourites' list
    shows every frame instead: a favourite is never hidden in a group."""
    return proofs.filter(Q(group_key=F("key")) | Q(group_key="")).annotate(similar=F("group_size"))


def gallery_page(gallery: Gallery, *, number: int, favourites_only: bool) -> Page:
    """One page of the gallery's grid: its proofs (or the client's favourites among them) while the
    client chooses, its delivered photos once delivered. The same queries at any size: the page's
    photos, and the page's comments if it has any, with the list's length from `gallery.n_shown`
    (counted_galleries) or else counted here. Nothing is computed over the other pages' photos (no
    aggregate over the gallery's rows), so a page of 2,000 photos costs what a page of 60 does."""
    delivered = gallery.status == Gallery.Status.DELIVERED
    photos = shown_photos(gallery)
    if favourites_only and not delivered:
        photos = photos.filter(favourite__isnull=False)
    grouped = not (favourites_only or delivered)
    if grouped:
        photos = tiles_of_groups(photos)
    total = getattr(gallery, "n_shown", None)
    if total is None:
        total = photos.count()  # from the index alone, without reading the photos' rows
    if number > 1 and (number - 1) * PAGE_SIZE >= total:
        raise NoSuchPage
    start = (number - 1) * PAGE_SIZE
    rows = (
        photos.order_by(*Photo.ORDER)
        .annotate(
            chosen=Exists(Favourite.objects.filter(photo=OuterRef("pk"))),
            commented=Exists(Comment.objects.filter(photo=OuterRef("pk"))),
        )
        .values(*(_FINAL_FIELDS if delivered else _FIELDS), "chosen", "commented", *(["similar"] if grouped else []))[
            start : start + PAGE_SIZE
        ]
    )
    kind = FINAL if delivered else PROOF
    tiles, commented = [], False
    for i, row in enumerate(rows):
        chosen, commented, similar = row.pop("chosen"), row.pop("commented") or commented, row.pop("similar", 0)
        tile = Tile(
            number=start + i + 1, fields=row, chosen=chosen, eager=number == 1 and i < EAGER,
            similar=similar if similar > 1 else 0,
        )  # fmt: skip
        tile.digest = _tile_digest(gallery, kind, tile)
        tiles.append(tile)
    if commented and not delivered:  # each tile carries its comments for the viewer to show
        by_id = {tile.fields["id"]: tile for tile in tiles}
        comments = Comment.objects.filter(photo_id__in=by_id).order_by("pk")
        for comment in comments.values("id", "photo_id", "text", "created_at", "reply", "replied_at"):
            by_id[comment["photo_id"]].comments.append(comment)
    return Page(kind=kind, number=number, tiles=tiles, total=total, favourites_only=favourites_only)


def small_placeholder(data_uri: str) -> str:
    """The placeholder at SMALL_PLACEHOLDER_EDGE pixels as a PNG data: URI, about a third of the
    size: the browser stretches it smoothly over the tile, a blur of the photo's colours. Below the
    first rows the thumbnail is usually there before the tile scrolls into view, so its placeholder
    is only a stand-in for a moment; this keeps 60 tiles' worth of them within the page's budget."""
    if not data_uri.startswith("data:image/jpeg;base64,"):
        return data_uri
    try:
        with Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))) as image:
            w, h = image.size
            scale = SMALL_PLACEHOLDER_EDGE / max(w, h)
            small = image.convert("RGB").resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BOX)
    except (OSError, ValueError, Image.DecompressionBombError):
        return ""  # not an image after all: the tile's plain background stands in
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _tile_digest(gallery: Gallery, kind: str, tile: Tile) -> str:
    """Of everything a tile's cached part is made from: the photo's fields (the thumbnails' files
    are named after their content, so their names stand for them and for the placeholder made with
    them), its number and whether it loads at once, the frames its group counts, the kind of grid and
    the templates."""
    fields = [(name, value) for name, value in tile.fields.items() if name != "placeholder"]
    made_of = repr((TEMPLATES_DIGEST, kind, tile.number, tile.eager, tile.similar, gallery.public_id, fields))
    return hashlib.sha256(made_of.encode()).hexdigest()[:32]


def fill_tiles(gallery: Gallery, page: Page, *, photos_url: str) -> int:
    """Give each tile its unchanging HTML: from the cache when made before, else rendered and
    cached. Returns how many had to be rendered."""
    keys = {f"gallery-tile:{gallery.pk}:{tile.digest}": tile for tile in page.tiles}
    found = cache.get_many(list(keys))
    missing = {}
    template = get_template(_TILE_TEMPLATES[page.kind])
    for key, tile in keys.items():
        if key in found:
            tile.html = mark_safe(found[key])
            continue
        photo = Photo(**tile.fields)
        if not tile.eager:
            photo.placeholder = small_placeholder(photo.placeholder)
        context = {
            "p": photo, "n": tile.number, "url": f"{photos_url}{tile.key}/", "sizes": THUMB_SIZES,
            "eager": tile.eager, "high": page.number == 1 and tile.number <= HIGH_PRIORITY, "similar": tile.similar,
        }  # fmt: skip
        html = template.render(context).strip()
        tile.html = mark_safe(html)
        missing[key] = html
    if missing:
        cache.set_many(missing, TILE_TIMEOUT)
    return len(missing)


def own_parts(page: Page, *, open_for_selection: bool, studio_name: str) -> None:
    """Give each proof tile the client's own part, made afresh on every request and never cached:
    after the cached part, the comment count, the heart (posting the grid's one form to the photo's
    address, relative to the gallery's page; portal.css draws its shape) and the comments for the
    viewer, closing the tile. Written with the standard library's `escape` (what Django's own calls)
    rather than a template or format_html: a page has 60 of them, drawn on every visit."""
    if page.kind != PROOF:
        return
    disabled = "" if open_for_selection else " disabled"
    studio = escape(studio_name)
    for tile in page.tiles:
        key, name, n = escape(tile.key), escape(tile.name), len(tile.comments)
        count = f'<span class="d-block text-body-secondary">{n} comment{"" if n == 1 else "s"}</span>' if n else ""
        if tile.chosen:
            heart = (
                f'<button class="heart is-chosen" formaction="photos/{key}/favourite/" name="chosen" value="0" '
                f'aria-pressed="true" aria-label="Remove {name} from favourites"{disabled}></button>'
            )
        else:
            heart = (
                f'<button class="heart" formaction="photos/{key}/favourite/" name="chosen" value="1" '
                f'aria-pressed="false" aria-label="Choose {name}"{disabled}></button>'
            )
        comments = ""
        if n:
            items = "".join(
                f'<li data-at="{escape(_when(c["created_at"]))}"'
                + (
                    f' data-reply="{escape(c["reply"])}" data-reply-from="{studio}"'
                    f' data-replied-at="{escape(_when(c["replied_at"]))}"'
                    if c["reply"]
                    else ""
                )
                + f">{escape(c['text'])}</li>"
                for c in tile.comments
            )
            comments = f'<ul class="js-comments" hidden>{items}</ul>'
        tile.own = mark_safe(f"{count}</div>{heart}</div>{comments}</li>")  # every value above is escaped


def _when(moment) -> str:
    """A comment's time as the viewer shows it, in the studio's time zone."""
    return date_format(timezone.localtime(moment), "j M, H:i") if moment else ""


def etag_for(request, gallery: Gallery, page: Page, *, count, studio, extra: tuple = ()) -> str:
    """A digest of everything the page shows, made from the data it is rendered from: the photos
    (each tile's fields), the client's hearts and comments, the selection count, the gallery's own
    fields, the address (page and filter), who is asking and their CSRF secret (the tokens in the
    page stay valid only with it), the studio's details, the year in the footer and the templates.
    Equal ETags mean an equal page."""
    digest = hashlib.sha256()
    parts = [
        TEMPLATES_DIGEST, static("css/portal.css"), static("js/portal.js"), settings.STUDIO_NAME,
        settings.STUDIO_EMAIL, settings.CURRENCY_SYMBOL, studio.phone, timezone.localdate().year,
        request.user.pk, request.META.get("CSRF_COOKIE"), request.build_absolute_uri(),
        gallery.pk, gallery.title, gallery.message, gallery.status, gallery.selection_limit,
        gallery.price_per_extra, gallery.expires_on, gallery.is_expired, gallery.is_open_for_selection,
        page.kind, page.number, page.total, page.favourites_only,
        count.chosen, count.limit, count.extras, count.extras_price, *extra,
    ]  # fmt: skip
    digest.update(repr(parts).encode())
    for tile in page.tiles:  # its cached part by its digest, and the client's own part
        digest.update(repr((tile.digest, tile.chosen, tile.comments)).encode())
    return f'"{digest.hexdigest()[:40]}"'
