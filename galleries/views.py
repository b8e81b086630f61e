"""The client portal: sign-in by emailed link, the dashboard, proof galleries, downloads."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from bookings import paying
from bookings.models import Booking
from bookings.payment_pages import provider_page
from photostudio.context_processors import studio_profile
from photostudio.storage import presigned_url, protected_uri

from . import (
    accounts,
    delivery,
    emails,
    extras,
    finished_crops,
    frame_compare,
    gallery_pages,
    orders,
    photo_orders,
    progress,
    selection,
)
from .gallery_pages import delivered_of, proofs_of
from .models import Comment, CropOption, Favourite, FinishedCrop, Gallery, Photo, RetouchLevel, Size, ZipArchive

# --- signing in ---


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/m", method="POST", block=True)
@ratelimit(key="post:email", rate="5/h", method="POST", block=True)
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        if not email or "@" not in email or len(email) > 254:
            return render(
                request, "galleries/sign_in.html", {"error": "Enter the email address you booked with."}, status=400
            )
        next_url = request.POST.get("next", "")
        if not next_url.startswith("/portal/") or not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
            next_url = reverse("portal:dashboard")
        emails.sign_in_link(email, next_url=next_url)
        # The same answer whether or not the address is known: the page never says who is a client.
        return render(
            request, "galleries/sign_in_sent.html", {"email": email, "minutes": settings.PORTAL_LOGIN_LINK_MINUTES}
        )
    return render(request, "galleries/sign_in.html", {"next": request.GET.get("next", "")})


def _local_path(value: str) -> str:
    """`value` if it is a path on this site, else the dashboard (never another site)."""
    if value.startswith("/") and value.isprintable() and url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return value
    return reverse("portal:dashboard")


@never_cache
@require_http_methods(["GET", "POST"])
# Link checks have their own per-address limits (not axes): a visitor trying forged links is
# slowed down on their own address and nobody else's.
@ratelimit(group="portal:link-open", key="ip", rate="30/m", method="GET", block=True)
@ratelimit(group="portal:link-check", key="ip", rate="10/m", method="POST", block=True)
def sign_in_link(request: HttpRequest) -> HttpResponse:
    """An emailed link opens a page whose Continue button signs in: opening it (as mail scanners
    do) signs nobody in and spends nothing."""
    data = request.POST if request.method == "POST" else request.GET
    token, next_url = data.get("sesame", ""), _local_path(data.get("next", ""))
    user = accounts.user_for_link(token)
    if user is None:
        return render(request, "galleries/link_invalid.html", status=403)
    if request.method == "POST":
        login(request, user, backend="sesame.backends.ModelBackend")
        return redirect(next_url)
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect(next_url)  # already signed in as this client
    context = {"name": user.get_full_name(), "token": token, "next": next_url}
    return render(request, "galleries/sign_in_continue.html", context)


@require_POST
@login_required
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.POST.get("everywhere"):
        accounts.sign_out_everywhere(request.user)
    logout(request)
    messages.info(request, "You're signed out.")
    return redirect("portal:sign_in")


@require_POST
@login_required
def ask_to_be_forgotten(request: HttpRequest) -> HttpResponse:
    """A client asks for their data to be deleted: the studio is told, and does it from the admin."""
    client = accounts.client_for(request.user)
    if client is None:
        raise Http404
    emails.client_asks_to_be_forgotten(client)
    messages.success(request, "We've asked the studio to delete your data. They'll confirm by email.")
    return redirect("portal:dashboard")


# --- dashboard ---


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    client = accounts.client_for(request.user)
    if client is None:
        return render(request, "galleries/no_client.html", status=200 if request.user.is_staff else 404)
    now = timezone.now()
    bookings = list(Booking.objects.filter(client=client).select_related("session_type").order_by("start"))
    galleries = (
        Gallery.objects.filter(client=client)
        .exclude(status=Gallery.Status.DRAFT)
        .exclude(status=Gallery.Status.PROCESSING)
        .annotate(chosen=Count("favourites", distinct=True))
        .order_by("-created_at")
    )
    from bookings import links

    context = {
        "client": client,
        "upcoming": [(b, links.manage_token(b)) for b in bookings if b.start >= now and b.holds_time],
        "past": [b for b in bookings if b.start < now or not b.holds_time][::-1],
        "galleries": progress.with_progress(galleries),
    }
    return render(request, "galleries/dashboard.html", context)


# --- a gallery ---


def _client_gallery_or_404(request: HttpRequest, public_id: str, galleries: QuerySet | None = None) -> Gallery:
    """The gallery if it belongs to the signed-in client (or staff is looking); 404 for anyone
    else, so a guessed or shared address never reveals that a gallery exists. `galleries`: the
    query to read it with, when a view needs more than its row."""
    galleries = Gallery.objects.all() if galleries is None else galleries
    gallery = galleries.select_related("client").filter(public_id=public_id).first()
    if gallery is None:
        raise Http404("No such gallery.")
    if request.user.is_staff:
        return gallery
    if gallery.client.user_id != request.user.id or gallery.status in (Gallery.Status.DRAFT, Gallery.Status.PROCESSING):
        raise Http404("No such gallery.")
    return gallery


def _photo_or_404(gallery: Gallery, key: str, **filters) -> Photo:
    photo = gallery.photos.filter(key=key, state=Photo.State.DONE, **filters).first()
    if photo is None:
        raise Http404("No such photo.")
    return photo


def _expired_gallery_page(request: HttpRequest, gallery: Gallery) -> HttpResponse | None:
    """The "this gallery has expired" page (410) when its client may no longer see it, else None.
    Staff always may, and so may a client whose photos were delivered."""
    if gallery.is_expired and not request.user.is_staff and gallery.status != Gallery.Status.DELIVERED:
        return render(request, "galleries/expired.html", {"gallery": gallery}, status=410)
    return None


def _gallery_page(request: HttpRequest, public_id: str, *, fragment: bool) -> HttpResponse:
    """A page of the gallery's grid, whole or as a fragment of tiles to append. A browser that has
    the same page already is answered 304 before anything is rendered."""
    favourites_only = request.GET.get("show") == "favourites"
    counted = gallery_pages.counted_galleries(Gallery.objects.all(), favourites_only=favourites_only)
    gallery = _client_gallery_or_404(request, public_id, counted)
    if response := _expired_gallery_page(request, gallery):
        return response
    number = gallery_pages.page_number(request.GET.get("page"))
    if number is None:
        raise Http404("No such page.")
    try:
        page = gallery_pages.gallery_page(gallery, number=number, favourites_only=favourites_only)
    except gallery_pages.NoSuchPage:
        raise Http404("No such page.") from None
    count = selection.count(gallery)
    studio = studio_profile()  # the shared cache's copy
    get_token(request)  # the CSRF secret the page's tokens are made with (a new one if none came)
    # The crops cut from the delivered finals, listed under them (on the whole page, not a fragment).
    crops = finished_crops.delivered_crops(gallery) if page.kind == "final" and not fragment else []
    shown_crops = tuple((c.pk, c.file_name) for c in crops)
    etag = gallery_pages.etag_for(request, gallery, page, count=count, studio=studio, extra=(fragment, shown_crops))
    # A message waiting to be shown is shown: never a 304 then.
    if not len(messages.get_messages(request)) and (response := get_conditional_response(request, etag=etag)):
        return _private(response)
    gallery_url = reverse("portal:gallery", args=[gallery.public_id])
    gallery_pages.fill_tiles(gallery, page, photos_url=f"{gallery_url}photos/")
    gallery_pages.own_parts(page, open_for_selection=gallery.is_open_for_selection, studio_name=settings.STUDIO_NAME)
    context = {
        "gallery": gallery,
        "page": page,
        "count": count,
        "favourites_only": favourites_only,
        "open": gallery.is_open_for_selection,
        "gallery_url": gallery_url,
        "sizes": Size.choices,
        "studio": studio,
        "crops": crops,
    }
    response = render(request, "galleries/_tiles_page.html" if fragment else "galleries/gallery.html", context)
    response["ETag"] = etag
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    """Kept by the client's own browser only, and checked with the server (ETag) before each use."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_GET
@login_required
def gallery(request: HttpRequest, public_id: str) -> HttpResponse:
    return _gallery_page(request, public_id, fragment=False)


@require_GET
@login_required
def tiles(request: HttpRequest, public_id: str) -> HttpResponse:
    """The next page of the grid's tiles, which portal.js appends as the client scrolls."""
    return _gallery_page(request, public_id, fragment=True)


@require_GET
@login_required
def photo(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    if response := _expired_gallery_page(request, gallery):
        return response
    # A delivered gallery shows its delivered photos; any other, its proofs.
    delivered = gallery.status == Gallery.Status.DELIVERED
    shown = delivered_of(gallery) if delivered else proofs_of(gallery)
    # Previous and next from the keys alone, in one narrow query (about 3 ms at 2,000 photos).
    keys = list(gallery_pages.shown_photos(gallery).order_by(*Photo.ORDER).values_list("key", flat=True))
    if key not in keys:
        raise Http404("No such photo.")
    comments = Prefetch("comments", queryset=Comment.objects.select_related("author"))
    current = shown.prefetch_related(comments).get(key=key)
    i = keys.index(key)
    context = {
        "gallery": gallery,
        "photo": current,
        "previous": keys[i - 1] if i > 0 else None,
        "next": keys[i + 1] if i + 1 < len(keys) else None,
        "position": i + 1,
        "total": len(keys),
        "delivered": delivered,
        "count": selection.count(gallery),
        "crops": [c for c in finished_crops.delivered_crops(gallery) if c.final_id == current.pk] if delivered else [],
    }
    return render(request, "galleries/photo.html", context)


@require_GET
@login_required
def similar(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    """A group of near-identical frames, each with its heart, and a way to compare them."""
    gallery = _client_gallery_or_404(request, public_id)
    if response := _expired_gallery_page(request, gallery):
        return response
    first = _photo_or_404(gallery, key, is_final=False)
    frames = list(proofs_of(gallery).filter(Q(group_key=first.group_key) if first.group_key else Q(pk=first.pk)))
    context = {
        "gallery": gallery,
        "frames": frames,
        "compared": {frame.key for frame in frames[: frame_compare.MOST]},
        "count": selection.count(gallery),
    }
    return render(request, "galleries/similar.html", context)


@require_GET
@login_required
def compare(request: HttpRequest, public_id: str) -> HttpResponse:
    """Two to four of the gallery's proofs side by side (`?photo=<key>` for each), a heart on each."""
    gallery = _client_gallery_or_404(request, public_id)
    if response := _expired_gallery_page(request, gallery):
        return response
    keys = request.GET.getlist("photo")
    if not keys:
        messages.info(request, f"Tick {frame_compare.FEWEST} to {frame_compare.MOST} frames, then compare them.")
        return redirect("portal:gallery", public_id=gallery.public_id)
    try:
        frames = frame_compare.frames_to_compare(proofs_of(gallery), keys)
    except frame_compare.CannotCompare as exc:
        context = {"gallery": gallery, "error": str(exc)}
        return render(request, "galleries/compare_refused.html", context, status=exc.status)
    context = {"gallery": gallery, "frames": frames, "count": selection.count(gallery)}
    return render(request, "galleries/compare.html", context)


@require_GET
@login_required
def proof_file(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    if response := _expired_gallery_page(request, gallery):
        return response
    return _send(_photo_or_404(gallery, key).proof, "image/jpeg")


@require_POST
@login_required
def favourite(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    target = _photo_or_404(gallery, key, is_final=False)
    chosen = request.POST.get("chosen") == "1"
    try:
        count = selection.set_favourite(gallery, target, chosen=chosen)
        error, status = "", 200
    except selection.SelectionError as exc:
        count, error, status = selection.count(gallery), str(exc), 409
        chosen = Favourite.objects.filter(photo=target).exists()
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {"chosen": chosen, "count": count.chosen, "limit": count.limit, "extras": count.extras,
             "extras_price": f"{count.extras_price:.2f}", "error": error},
            status=status,
        )  # fmt: skip
    if error:
        messages.error(request, error)
    return redirect(_back(request, gallery) + f"#photo-{target.key}")


@require_POST
@login_required
def comment(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    target = _photo_or_404(gallery, key)
    wants_json = request.headers.get("Accept") == "application/json"  # the viewer's comment box
    try:
        saved = selection.add_comment(gallery, target, author=request.user, text=request.POST.get("text", ""))
    except selection.SelectionError as exc:
        if wants_json:
            return JsonResponse({"error": str(exc)}, status=400 if isinstance(exc, selection.TextRejected) else 409)
        messages.error(request, str(exc))
    else:
        if wants_json:
            at = date_format(timezone.localtime(saved.created_at), "j M, H:i")
            return JsonResponse({"text": saved.text, "at": at})
        messages.success(request, "Comment saved.")
    return redirect("portal:photo", public_id=gallery.public_id, key=target.key)


@require_http_methods(["GET", "POST"])
@login_required
def crops_and_retouching(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    """A chosen photo's crops (each frame placed on the proof) and retouching. Without JavaScript
    each crop is the largest centred frame of its ratio; crops.js lets the client move it."""
    gallery = _client_gallery_or_404(request, public_id)
    if response := _expired_gallery_page(request, gallery):
        return response
    target = _photo_or_404(gallery, key, is_final=False)
    if request.method == "POST":
        crops = {
            option_id: {side: request.POST.get(f"crop-{option_id}-{side}", "") for side in orders.SIDES}
            for option_id in request.POST.getlist("crop")
        }
        form = orders.OrderForm(crops=crops, retouch=request.POST.get("retouch") or None)
        try:
            orders.save_orders(gallery, target, form)
        except orders.OrderRejected as exc:
            return _orders_page(request, gallery, target, error=str(exc), posted=form, status=400)
        except selection.SelectionError as exc:
            return _orders_page(request, gallery, target, error=str(exc), status=409)
        messages.success(request, f"Crops and retouching saved for {target.original_name}.")
        return redirect("portal:review", public_id=gallery.public_id)
    return _orders_page(request, gallery, target)


def _orders_page(request, gallery: Gallery, target: Photo, *, error: str = "", posted=None, status: int = 200):
    chosen = Favourite.objects.filter(photo=target).exists()
    saved = {c.option_id: c for c in target.crop_orders.all()}
    retouch = getattr(target, "retouch_order", None)
    choices = []
    for option in CropOption.objects.filter(is_active=True):
        frame = saved.get(option.pk) or orders.default_frame(option, target)
        checked = option.pk in saved
        if posted is not None:  # what the client sent, so nothing they chose or placed is lost
            checked = str(option.pk) in posted.crops
            frame = orders.posted_frame(option, target, posted) or frame
        choices.append({"option": option, "frame": frame, "checked": checked})
    chosen_level = (posted.retouch if posted is not None else str(retouch.level_id) if retouch else "") or ""
    context = {
        "gallery": gallery,
        "photo": target,
        "chosen": chosen,
        "editable": chosen and gallery.is_open_for_selection,
        "choices": choices,
        "levels": RetouchLevel.objects.filter(is_active=True),
        "chosen_level": chosen_level,
        "orders": photo_orders.orders_of([target]).get(target.pk),
        "error": error,
    }
    return render(request, "galleries/orders.html", context, status=status)


@require_GET
@login_required
def review(request: HttpRequest, public_id: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    if response := _expired_gallery_page(request, gallery):
        return response
    return _review_page(request, gallery)


def _review_page(request: HttpRequest, gallery: Gallery, *, note: str = "", error: str = "", status: int = 200):
    chosen = photo_orders.with_orders(proofs_of(gallery).filter(is_favourite=True).prefetch_related("comments"))
    context = {
        "gallery": gallery,
        "photos": chosen,
        "count": selection.count(gallery),
        "orders_price": photo_orders.orders_total_of(chosen),
        "offers_orders": CropOption.objects.filter(is_active=True).exists()
        or RetouchLevel.objects.filter(is_active=True).exists(),
        "note": note,
        "error": error,
    }
    return render(request, "galleries/review.html", context, status=status)


@require_POST
@login_required
def submit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Send the selection: a plain form with a note and a box the client ticks to confirm, since
    sending locks their choice."""
    gallery = _client_gallery_or_404(request, public_id)
    note = request.POST.get("note", "")
    if gallery.is_open_for_selection and request.POST.get("confirm") != "1":
        error = "Tick the box to confirm your choice: once sent, it is locked while we edit."
        return _review_page(request, gallery, note=note, error=error, status=400)
    try:
        selection.submit_selection(gallery, by=request.user, note=note)
    except selection.TextRejected as exc:  # the note: shown again with it, so nothing typed is lost
        return _review_page(request, gallery, note=note, error=str(exc), status=400)
    except selection.SelectionError as exc:
        messages.error(request, str(exc))
        return redirect("portal:review", public_id=gallery.public_id)
    if extras.unpaid_selection(gallery):
        messages.success(request, "Selection received. Please pay for the photos beyond your package.")
        return redirect("portal:pay_extras", public_id=gallery.public_id)
    messages.success(request, "Selection received — we're editing your photos. We'll email you when they're ready.")
    return redirect("portal:gallery", public_id=gallery.public_id)


@require_http_methods(["GET", "POST"])
@login_required
def pay_extras(request: HttpRequest, public_id: str) -> HttpResponse:
    """What the extra photos cost, then the provider's form (the dummy provider's, on this page) or
    its own page (Stripe's checkout)."""
    gallery = _client_gallery_or_404(request, public_id)
    try:
        payment = extras.extras_payment(gallery)
        step = paying.provider_step(payment, request.POST if request.method == "POST" else None)
    except extras.NothingToPay:
        return redirect("portal:gallery", public_id=gallery.public_id)
    except paying.PaymentFailed as exc:
        messages.error(request, str(exc))
        return redirect("portal:gallery", public_id=gallery.public_id)
    return provider_page(
        request,
        payment,
        step,
        lambda: {"what": extras.what_is_paid(payment.selection), "back_url": gallery.get_absolute_url()},
    )


# --- downloads ---


def _unknown_size() -> HttpResponse:
    """A download asked for in a size the gallery doesn't offer (an edited or old link)."""
    return HttpResponseBadRequest(
        "That download size isn't offered. Go back to your gallery and choose Full size or Web size.",
        content_type="text/plain; charset=utf-8",
    )


@require_GET
@login_required
def download_photo(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    """A delivered photo as a file: full size (`?size=full`, the default) or web size (`?size=web`)."""
    gallery = _client_gallery_or_404(request, public_id)
    target = _photo_or_404(gallery, key, delivered=True)
    size = request.GET.get("size", Size.FULL)
    if size not in Size.values:
        return _unknown_size()
    if size == Size.WEB:
        file, name, content_type = delivery.web_file_for(target), delivery.web_name(target), "image/jpeg"
    else:
        file = delivery.download_for(target)  # without its location, unless the gallery keeps it
        # The type it was decoded as: its name is whatever the photographer's computer called it.
        name, content_type = target.original_name, target.content_type or "application/octet-stream"
    if file is None:
        messages.info(request, f"{name} is being prepared for download: try again in a minute.")
        return redirect("portal:gallery", public_id=gallery.public_id)
    delivery.record_download(gallery, request.user, photo=target, file=file, file_name=name, size=size)
    return _send(file, content_type, filename=name)


@require_GET
@login_required
def web_image(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    """A delivered photo at web size for the viewer to show (not a download: nothing is logged). The
    watermarked proof stands in while the web-size copy is being made."""
    gallery = _client_gallery_or_404(request, public_id)
    target = _photo_or_404(gallery, key, delivered=True)
    return _send(target.web or target.proof, "image/jpeg")


@require_GET
@login_required
def download_crop(request: HttpRequest, public_id: str, crop_id: int) -> HttpResponse:
    """A crop cut from a delivered final: full size (the default) or web size (`?size=web`)."""
    gallery = _client_gallery_or_404(request, public_id)
    crop = (
        FinishedCrop.objects.filter(
            pk=crop_id, final__gallery=gallery, final__delivered=True, state=FinishedCrop.State.DONE
        )
        .select_related("final")
        .first()
    )
    if crop is None:
        raise Http404("No such crop.")
    size = request.GET.get("size", Size.FULL)
    if size not in Size.values:
        return _unknown_size()
    web = size == Size.WEB
    name = f"{crop.file_name.rsplit('.', 1)[0]}-web.jpg" if web else crop.file_name
    file = crop.web if web else crop.file
    delivery.record_download(gallery, request.user, photo=crop.final, file=file, file_name=name, size=size)
    return _send(file, "image/jpeg", filename=name)


@require_POST
@login_required
def request_zip(request: HttpRequest, public_id: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    size = request.POST.get("size", Size.FULL)
    if size not in Size.values:
        return _unknown_size()
    try:
        archive = delivery.request_zip(gallery, size=size)
    except delivery.DeliveryError as exc:
        messages.error(request, str(exc))
        return redirect("portal:gallery", public_id=gallery.public_id)
    return redirect("portal:zip", public_id=gallery.public_id, key=archive.key)


def _zip_or_404(gallery: Gallery, key: str) -> ZipArchive:
    archive = gallery.zips.filter(key=key, expires_at__gt=timezone.now()).first()
    if archive is None:
        raise Http404("This download link has expired. Ask for a new zip on the gallery page.")
    return archive


@require_GET
@login_required
def zip_status(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    archive = _zip_or_404(gallery, key)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {"state": archive.state, "done": archive.files_done, "total": archive.files_total,
             "url": reverse("portal:zip_download", args=[gallery.public_id, archive.key])}
        )  # fmt: skip
    return render(request, "galleries/zip.html", {"gallery": gallery, "archive": archive})


@require_GET
@login_required
def zip_download(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    gallery = _client_gallery_or_404(request, public_id)
    archive = _zip_or_404(gallery, key)
    if archive.state != ZipArchive.State.READY:
        return redirect("portal:zip", public_id=gallery.public_id, key=archive.key)
    web = " (web size)" if archive.size == Size.WEB else ""
    name = f"{gallery.title} - {settings.STUDIO_NAME}{web}.zip".replace("/", "-")
    delivery.record_download(
        gallery, request.user, archive=archive, file=archive.file, file_name=name, size=archive.size
    )
    return _send(archive.file, "application/zip", filename=name)


# --- helpers ---


def _send(field_file, content_type: str, *, filename: str | None = None) -> HttpResponse:
    """Send a private file to someone already checked, as `content_type` (never guessed from a
    name), cached only by their own browser. In object storage: a redirect to a presigned address
    that lives S3_URL_LIFETIME seconds, at which the bucket answers with this Content-Type and
    Content-Disposition. On this machine's disk, with PROTECTED_MEDIA_PREFIX set: nginx sends the
    file itself from its internal-only location (X-Accel-Redirect), keeping this response's
    Content-Type, Content-Disposition and Cache-Control; else the application sends it."""
    if not field_file:
        raise Http404
    disposition = content_disposition_header(as_attachment=True, filename=filename) if filename else ""
    # The browser may follow the same redirect again for half the address's life (so it finds the
    # file in its cache, under the same address), never once the address has expired.
    keep = settings.S3_URL_LIFETIME // 2
    if url := presigned_url(field_file, content_type=content_type, disposition=disposition, max_age=keep):
        return HttpResponse(status=302, headers={"Location": url, "Cache-Control": f"private, max-age={keep}"})
    if settings.PROTECTED_MEDIA_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = protected_uri(field_file)
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _back(request: HttpRequest, gallery: Gallery) -> str:
    back = request.POST.get("next", "")
    if back.startswith(f"/portal/galleries/{gallery.public_id}/"):
        return back
    return reverse("portal:gallery", args=[gallery.public_id])
