from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, Q, When
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from payments import PaymentStatus

from bookings.models import Booking
from photostudio import history
from photostudio.admin_files import StudioFilesAdmin, file_name
from photostudio.admin_one_row import OneRowAdmin
from photostudio.admin_widgets import NamedListEditable
from photostudio.spreadsheets import inert_cell
from photostudio.studio_zone import studio_zone

from . import (
    accounts,
    delivery,
    extras,
    finished_crops,
    from_booking,
    photo_orders,
    photos,
    progress,
    publishing,
    selection,
    watermark_preview,
)
from .admin_comments import GalleryCommentsAdmin
from .models import CropOption, Download, Gallery, GallerySettings, Photo, RetouchLevel, Selection


@admin.register(GallerySettings)
class GallerySettingsAdmin(OneRowAdmin, StudioFilesAdmin, admin.ModelAdmin):
    fieldsets = [
        ("Watermark on proofs", {"fields": ["text", "logo", "position", "size", "opacity"]}),
        ("How a proof looks with it", {"fields": ["sample_proof"]}),
        ("Keeping files", {"fields": ["purge_unchosen_after_days"]}),
    ]
    readonly_fields = ["sample_proof"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "logo":
            field.widget.attrs["accept"] = "image/png"  # the file picker offers PNGs; the model checks the file
            field.widget.preview_url = reverse("admin:galleries_gallerysettings_logo")
        return field

    def get_urls(self):
        logo = path("logo.png", self.admin_site.admin_view(self.logo_view), name="galleries_gallerysettings_logo")
        sample = path(
            "preview.jpg", self.admin_site.admin_view(self.preview_view), name="galleries_gallerysettings_preview"
        )
        return [logo, sample, *super().get_urls()]

    @admin.display(description="sample proof")
    def sample_proof(self, obj: GallerySettings | None) -> str:
        if obj is None or obj.pk is None:
            return "Save the settings to see a sample proof with the watermark."
        problem = watermark_preview.problem()
        if problem:
            return format_html('<p class="errornote">{}</p>', problem)
        return format_html(
            '<img src="{}" alt="{}" width="320" height="400" style="max-width:100%;height:auto"><br>'
            '<span class="help">A sample photo with the watermark as saved: save a change to see it here.</span>',
            reverse("admin:galleries_gallerysettings_preview"),
            watermark_preview.describe(obj),
        )

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The sample proof with the saved watermark, made as clients' proofs are; for staff only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            jpeg = watermark_preview.preview_jpeg()
        except watermark_preview.PreviewUnavailable as exc:
            response = HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        else:
            response = HttpResponse(jpeg, content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"  # it changes with each save
        return response

    def logo_view(self, request: HttpRequest) -> FileResponse:
        """The saved logo, for its preview on this page: it is kept privately, so only staff see it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        mark = GallerySettings.load()
        if not mark.logo or not mark.logo.storage.exists(mark.logo.name):
            raise Http404("No logo saved.")
        response = FileResponse(mark.logo.open("rb"), content_type="image/png")  # never guessed from its name
        response["Cache-Control"] = "private, no-cache"
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not GallerySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self.message_user(
            request, "Saved. New proofs use it; to update existing ones, use “Reprocess” on a gallery.", messages.INFO
        )


def thumbnail(photo: Photo, height: int = 72) -> str:
    if photo.thumb:
        return format_html('<img src="{}" alt="" loading="lazy" style="height:{}px">', photo.thumb.url, height)
    return "—"


# Photos listed on a gallery's page: enough to remove the few that failed or are unwanted without
# scrolling past a whole shoot; the photo list (paginated, filtered to the gallery) has them all.
INLINE_PHOTOS = 30


class PhotoInline(admin.TabularInline):
    model = Photo
    template = "admin/galleries/gallery/photo_inline.html"
    fields = ["preview", "original_name", "state", "error", "captured_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True
    show_change_link = False
    verbose_name_plural = "photos (tick “delete” to remove failed or unwanted ones, then save)"
    # Set for the page by GalleryAdmin.get_formset_kwargs: how many are listed, of how many, and where all are.
    shown = total = 0
    all_photos_url = ""

    @admin.display(description="")
    def preview(self, obj: Photo) -> str:
        return thumbnail(obj)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# Those that failed first (to remove or replace), then those still waiting, then the shoot's order.
_INLINE_ORDER = (
    Case(When(state=Photo.State.FAILED, then=0), When(state=Photo.State.DONE, then=2), default=1),
    *Photo.ORDER,
)


def photos_needing_a_look_first(gallery: Gallery):
    return gallery.photos.order_by(*_INLINE_ORDER)


@admin.register(Gallery)
class GalleryAdmin(GalleryCommentsAdmin, admin.ModelAdmin):
    change_form_template = "admin/galleries/gallery/change_form.html"
    list_display = ["title", "client", "status", "photo_count", "failed_count", "expires_on", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "client__name", "client__email", "public_id"]
    autocomplete_fields = ["client", "booking"]
    inlines = [PhotoInline]
    actions = ["reprocess_selected", "reopen_selection", "deliver_selected"]
    readonly_fields = ["status", "public_id", "published_at", "delivered_at", "changes"]
    fields = [
        "client", "booking", "title", "message", "selection_limit", "price_per_extra", "expires_on",
        "keep_location", "status", "public_id", "published_at", "delivered_at", "changes",
    ]  # fmt: skip

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """The gallery's page lists INLINE_PHOTOS of its photos (those that failed or still wait
        first, then in the shoot's order) and links to the photo list for the rest. A save takes any
        of the gallery's photos, so what was listed is found even if the list has changed since."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, PhotoInline) and obj is not None and obj.pk:
            inline.total = obj.photos.count()
            inline.all_photos_url = reverse("admin:galleries_photo_changelist") + f"?gallery__id__exact={obj.pk}"
            if request.method != "POST":
                first = list(photos_needing_a_look_first(obj).values_list("pk", flat=True)[:INLINE_PHOTOS])
                kwargs["queryset"] = kwargs["queryset"].filter(pk__in=first).order_by(*_INLINE_ORDER)
                inline.shown = len(first)
        return kwargs

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("client")
            .annotate(n_photos=Count("photos"), n_failed=Count("photos", filter=Q(photos__state=Photo.State.FAILED)))
        )

    @admin.display(description="photos", ordering="n_photos")
    def photo_count(self, obj: Gallery) -> int:
        return obj.n_photos

    @admin.display(description="failed", ordering="n_failed")
    def failed_count(self, obj: Gallery) -> int:
        return obj.n_failed

    @admin.display(description="changes of state")
    def changes(self, obj: Gallery | None) -> str:
        return history.history_table(obj)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """`?booking=<id>` (the booking page's "Create its gallery") fills in the gallery from it."""
        initial = super().get_changeform_initial_data(request)
        for key in ("client", "booking"):  # the pickers look these ids up: only numbers get that far
            if key in initial and not _is_id(initial[key]):
                del initial[key]
        if "booking" in initial:
            booking = Booking.objects.select_related("client", "session_type").filter(pk=initial["booking"]).first()
            if booking is None:
                del initial["booking"]
            else:
                initial |= from_booking.gallery_initial(booking, studio_zone())
        return initial

    def save_model(self, request: HttpRequest, obj: Gallery, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        accounts.ensure_user(obj.client)  # so the gallery's emails can sign the client in

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/upload/", wrap(self.upload_view), name="galleries_gallery_upload"),
            path("<int:pk>/progress/", wrap(self.progress_view), name="galleries_gallery_progress"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="galleries_gallery_publish"),
            path("<int:pk>/selection.csv", wrap(self.selection_csv), name="galleries_gallery_selection_csv"),
            path("<int:pk>/deliver/", wrap(self.deliver_view), name="galleries_gallery_deliver"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            chosen = list(
                Photo.objects.filter(favourite__gallery=obj).prefetch_related("comments").order_by("original_name")
            )
            downloads = Download.objects.filter(gallery=obj)
            context |= {
                "progress": photos.progress(obj),
                "chosen": chosen,
                "search_names": selection.search_names(chosen),
                "count": selection.count(obj),
                "sent_selection": obj.selections.first(),  # the latest sent, with the client's note
                "downloads": downloads.select_related("photo", "user", "gallery__client")[:50],
                "downloads_total": obj.downloads.count(),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def selection_csv(self, request: HttpRequest, pk: int):
        """The client's choice as a spreadsheet: file name, comments, when chosen, crops and retouching ordered."""
        import csv

        from django.http import HttpResponse

        gallery = self._gallery(request, pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="selection-{gallery.public_id}.csv"'
        writer = csv.writer(response)
        writer.writerow(["file name", "comments", "chosen at", "crops", "retouching", "orders price"])
        favourites = list(gallery.favourites.select_related("photo").prefetch_related("photo__comments"))
        ordered = photo_orders.orders_of([fav.photo for fav in favourites])
        for fav in favourites:
            comments = " | ".join(c.text for c in fav.photo.comments.all())
            orders = ordered.get(fav.photo.pk)
            writer.writerow([
                inert_cell(fav.photo.original_name), inert_cell(comments), fav.created_at.isoformat(),
                inert_cell(orders.crop_names if orders else ""), inert_cell(orders.retouch_name if orders else ""),
                f"{orders.total:.2f}" if orders else "",
            ])  # fmt: skip
        return response

    def deliver_view(self, request: HttpRequest, pk: int):
        def deliver(request):
            gallery = self._gallery(request, pk)
            try:
                count = delivery.deliver(gallery, by=request.user)
            except delivery.DeliveryError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Delivered {count} photo(s); {gallery.client.name} has been emailed.")
            return HttpResponseRedirect(gallery.get_admin_url())

        return require_POST(deliver)(request)

    @admin.action(description="Reopen the selection (the client can change it again)")
    def reopen_selection(self, request: HttpRequest, queryset) -> None:
        for gallery in queryset:
            try:
                selection.reopen_selection(gallery, by=request.user)
                self.message_user(request, f"“{gallery.title}” is open for choosing again.")
            except selection.SelectionError as exc:
                self.message_user(request, f"{gallery.title}: {exc}", messages.WARNING)

    @admin.action(description="Deliver (the finals if uploaded, else the chosen originals)")
    def deliver_selected(self, request: HttpRequest, queryset) -> None:
        for gallery in queryset:
            try:
                count = delivery.deliver(gallery, by=request.user)
                self.message_user(request, f"“{gallery.title}”: {count} photo(s) delivered.")
            except delivery.DeliveryError as exc:
                self.message_user(request, f"{gallery.title}: {exc}", messages.WARNING)

    def _gallery(self, request: HttpRequest, pk: int) -> Gallery:
        gallery = get_object_or_404(Gallery, pk=pk)
        if not self.has_change_permission(request, gallery):
            raise PermissionDenied
        return gallery

    def upload_view(self, request: HttpRequest, pk: int):
        """Files for a gallery: one or many per request (the page's script sends them one by one)."""
        if request.method != "POST":
            return JsonResponse({"error": "POST the files as multipart form data, field “photos”."}, status=405)
        gallery = self._gallery(request, pk)
        report = photos.add_photos(gallery, request.FILES.getlist("photos"), by=request.user)
        if request.headers.get("Accept") == "application/json":
            body = report.as_dict() | {"progress": photos.progress(gallery).as_dict()}
            return JsonResponse(body, status=200 if report.added or not report.skipped else 400)
        if report.added:
            self.message_user(request, f"{len(report.added)} photo(s) added; they are being processed.")
        for reason in report.skipped:
            self.message_user(request, f"Skipped {reason}", messages.WARNING)
        return HttpResponseRedirect(gallery.get_admin_url())

    def progress_view(self, request: HttpRequest, pk: int):
        return require_GET(lambda r: JsonResponse(photos.progress(self._gallery(r, pk)).as_dict()))(request)

    def publish_view(self, request: HttpRequest, pk: int):
        def publish(request):
            gallery = self._gallery(request, pk)
            removed = []
            try:
                if "_without_failed" in request.POST:
                    gallery, removed = publishing.publish_without_failed(gallery, by=request.user)
                else:
                    publishing.publish_gallery(gallery, by=request.user)
            except publishing.GalleryError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Published: {gallery.client.name} has been emailed a link to the gallery.")
                if removed:
                    n = len(removed)
                    names = ", ".join(removed[:5]) + (f" and {n - 5} more" if n > 5 else "")
                    self.message_user(request, f"Removed {n} photo{pluralize(n)} that could not be processed: {names}.")
            return HttpResponseRedirect(gallery.get_admin_url())

        return require_POST(publish)(request)

    @admin.action(description="Reprocess all photos (after changing the watermark)")
    def reprocess_selected(self, request: HttpRequest, queryset) -> None:
        count = photos.reprocess(Photo.objects.filter(gallery__in=queryset))
        self.message_user(request, f"{count} photo(s) queued for processing again.")

    def delete_model(self, request: HttpRequest, obj: Gallery) -> None:
        photos.remove_photos(obj.photos.all())
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        photos.remove_photos(Photo.objects.filter(gallery__in=queryset))
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is Photo:
            # Removing a photo removes its files too.
            formset.save(commit=False)
            photos.remove_photos(formset.deleted_objects)
            return
        super().save_formset(request, form, formset, change)


class GalleryFilter(admin.SimpleListFilter):
    """The photo list by gallery, each named with its client, read in one query however many there are."""

    title = "gallery"
    parameter_name = "gallery__id__exact"

    def lookups(self, request, model_admin):
        return [(str(g.pk), str(g)) for g in Gallery.objects.select_related("client").order_by("-created_at")]

    def queryset(self, request, queryset):
        return queryset.filter(gallery_id=self.value()) if _is_id(self.value()) else queryset


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["preview", "original_name", "gallery", "state", "error", "captured_at"]
    list_select_related = ["gallery__client"]  # the gallery column names its client
    list_per_page = 60  # thumbnails load lazily; a page of them, not a whole shoot
    list_filter = ["state", GalleryFilter]
    search_fields = ["original_name", "gallery__title"]
    actions = ["reprocess_selected"]
    # Read-only: a photo changes by reprocessing or removal. The original is private (no public
    # address), so it is shown by name, with the public thumbnail as its preview.
    fieldsets = [
        (None, {"fields": ["large_preview", "original_name", "gallery", "state", "error"]}),
        ("Files", {"fields": ["original_file", "size_bytes", "width", "height", "captured_at", "content_hash"]}),
        ("Processing", {"fields": ["attempts", "claimed_at", "processed_at", "order", "is_final", "delivered"]}),
        ("Edited final", {"fields": ["final_of", "crops_made"]}),
        ("History", {"fields": ["key", "created_at"]}),
    ]
    # Only which proof an edited final was made from can be changed (found by file name at upload).
    readonly_fields = [name for _, options in fieldsets for name in options["fields"] if name != "final_of"]

    def get_readonly_fields(self, request: HttpRequest, obj: Photo | None = None):
        if obj is not None and obj.is_final:
            return self.readonly_fields
        return [*self.readonly_fields, "final_of"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "final_of":
            # The proofs of the final's own gallery, by file name.
            photo_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            gallery_id = (
                Photo.objects.filter(pk=photo_id).values_list("gallery_id", flat=True).first()
                if _is_id(photo_id)
                else None
            )
            kwargs["queryset"] = Photo.objects.filter(gallery_id=gallery_id, is_final=False).order_by("original_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Photo, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "final_of" in form.changed_data and finished_crops.queue_for(obj.pk):
            self.message_user(request, "The crops ordered of that proof are being cut from this final.")

    @admin.display(description="crops cut from it")
    def crops_made(self, obj: Photo) -> str:
        crops = list(obj.finished_crops.select_related("order__option")) if obj.pk else []
        if not crops:
            return "—"
        return format_html_join(
            "",
            "<div>{} ({}{})</div>",
            ((c.file_name, c.get_state_display(), f": {c.error}" if c.error else "") for c in crops),
        )

    @admin.display(description="")
    def preview(self, obj: Photo) -> str:
        return thumbnail(obj, 48)

    @admin.display(description="preview")
    def large_preview(self, obj: Photo) -> str:
        return thumbnail(obj, 240)

    @admin.display(description="original")
    def original_file(self, obj: Photo) -> str:
        return f"{file_name(obj.original)} (kept privately)" if obj.original else "—"

    @admin.action(description="Reprocess the selected photos")
    def reprocess_selected(self, request: HttpRequest, queryset) -> None:
        self.message_user(request, f"{photos.reprocess(queryset)} photo(s) queued for processing again.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Photo) -> None:
        photos.remove_photos([obj])

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        photos.remove_photos(queryset)


def _is_id(value) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10


@admin.register(Download)
class DownloadAdmin(admin.ModelAdmin):
    list_display = ["at", "who", "gallery", "file_name", "size", "size_bytes", "photo", "archive"]
    list_filter = ["gallery"]
    list_select_related = ["user", "gallery__client", "photo", "archive"]
    date_hierarchy = "at"

    @admin.display(description="who")
    def who(self, obj: Download) -> str:
        return obj.who

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- selections and their extras ---


class ExtrasPaidFilter(admin.SimpleListFilter):
    title = "extras"
    parameter_name = "extras"

    def lookups(self, request, model_admin):
        return [("unpaid", "Unpaid"), ("paid", "Paid"), ("none", "None to pay")]

    def queryset(self, request, queryset):
        paid = Q(payment__status__in=[PaymentStatus.CONFIRMED, PaymentStatus.REFUNDED])
        if self.value() == "paid":
            return queryset.filter(paid)
        asked = F("extras_price") + F("orders_price")  # extra photos, crops and retouching
        if self.value() == "unpaid":
            return queryset.alias(asked=asked).filter(asked__gt=0).exclude(paid)
        if self.value() == "none":
            return queryset.alias(asked=asked).filter(asked__lte=0)
        return queryset


@admin.register(Selection)
class SelectionAdmin(admin.ModelAdmin):
    """The selections clients sent, as they sent them, with whether their extras are paid, and the
    work on each: its stage (moved on with the buttons or the actions) and the date it is promised by,
    the one thing here the photographer may change."""

    change_form_template = "admin/galleries/selection/change_form.html"
    list_display = [
        "submitted_at", "gallery", "client", "photo_count", "extras", "extras_price", "orders_price", "extras_paid",
        "stage", "promised_on",
    ]  # fmt: skip
    list_filter = ["stage", ExtrasPaidFilter, ("submitted_at", admin.DateFieldListFilter)]
    search_fields = ["gallery__title", "gallery__client__name", "gallery__client__email"]
    list_select_related = ["gallery__client", "payment"]
    date_hierarchy = "submitted_at"
    actions = ["start_editing_selected", "mark_ready_selected"]
    fields = [
        "gallery", "submitted_at", "reopened_at", "extras", "extras_price", "orders_price", "extras_paid",
        "payment_link", "note", "photo_orders", "stage", "promised_on", "editing_at", "ready_at", "delivered_at",
    ]  # fmt: skip
    readonly_fields = [f for f in fields if f != "promised_on"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/move/", wrap(self.move_view), name="galleries_selection_move"),
            *super().get_urls(),
        ]

    def save_model(self, request: HttpRequest, obj: Selection, form, change: bool) -> None:
        # Only the promised date can change here: through the service, so the gallery's history keeps it.
        if change and "promised_on" in form.changed_data:
            progress.change_promise(obj, form.cleaned_data["promised_on"], by=request.user)

    def move_view(self, request: HttpRequest, pk: int):
        """A button on the selection's or the gallery's page: move the work to the stage posted in `to`."""

        def move(request):
            chosen = get_object_or_404(Selection.objects.select_related("gallery__client"), pk=pk)
            if not self.has_change_permission(request, chosen):
                raise PermissionDenied
            to = request.POST.get("to", "")
            if to not in progress.MOVES:
                return HttpResponseBadRequest("Say which stage to move the work to: editing or ready.")
            self._move(request, to, chosen)
            back = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = reverse("admin:galleries_selection_change", args=[chosen.pk])
            return HttpResponseRedirect(back)

        return require_POST(move)(request)

    def _move(self, request: HttpRequest, to: str, chosen: Selection) -> None:
        """Move the work to `to` (a key of progress.MOVES); moved now or already there, it is there."""
        gallery = chosen.gallery
        try:
            moved = progress.MOVES[to](chosen, by=request.user)
        except progress.ProgressError as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return
        stage = progress.STAGE_WORDS[to]
        if moved:
            self.message_user(request, f"“{gallery.title}” is {stage}; {gallery.client.name} has been emailed.")
        else:
            self.message_user(request, f"“{gallery.title}” was already {stage}.")

    @admin.action(description="Start editing (emails each client)")
    def start_editing_selected(self, request: HttpRequest, queryset) -> None:
        for chosen in queryset.select_related("gallery__client"):
            self._move(request, progress.Stage.EDITING, chosen)

    @admin.action(description="Mark ready: edited, being prepared for delivery (emails each client)")
    def mark_ready_selected(self, request: HttpRequest, queryset) -> None:
        for chosen in queryset.select_related("gallery__client"):
            self._move(request, progress.Stage.READY, chosen)

    @admin.display(description="each file's orders")
    def photo_orders(self, obj: Selection) -> str:
        """Each chosen file with the crops and retouching the client ordered of it."""
        photos = list(obj.photos.order_by("original_name"))
        ordered = photo_orders.orders_of(photos)
        rows = [
            (p.original_name, ordered[p.pk].summary if p.pk in ordered else "no crops or retouching") for p in photos
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(chosen=Count("photos"))

    @admin.display(description="client", ordering="gallery__client__name")
    def client(self, obj: Selection) -> str:
        return obj.gallery.client.name

    @admin.display(description="photos", ordering="chosen")
    def photo_count(self, obj: Selection) -> int:
        return getattr(obj, "chosen", 0)

    @admin.display(description="extras paid")
    def extras_paid(self, obj: Selection) -> str:
        if extras.amount_asked(obj) <= 0:
            return "-"
        if extras.is_paid(obj):
            return format_html('<span class="status-pill status-confirmed">{}</span>', "Paid")
        return format_html('<span class="status-pill status-requested">{}</span>', "Unpaid")

    @admin.display(description="payment")
    def payment_link(self, obj: Selection) -> str:
        if obj.payment_id is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:bookings_payment_change", args=[obj.payment_id]), obj.payment
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CropOption)
class CropOptionAdmin(NamedListEditable, admin.ModelAdmin):
    """The crops clients can order of a chosen photo, in the order they are offered."""

    list_display = ["name", "ratio_width", "ratio_height", "price", "is_active", "order"]
    list_editable = ["price", "is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(RetouchLevel)
class RetouchLevelAdmin(NamedListEditable, admin.ModelAdmin):
    """The levels of retouching clients can ask for on a chosen photo, in the order they are offered."""

    list_display = ["name", "description", "price", "is_active", "order"]
    list_editable = ["price", "is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["name"]


# The team days' photos have their own admin module; importing it registers it.
from . import team_admin  # noqa: E402, F401
