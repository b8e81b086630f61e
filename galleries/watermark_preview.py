"""A sample proof with the saved watermark, for the gallery settings page: one of the demo drawings
made by the same pipeline and the same mark as every client's proof, so what the photographer sees
there is what clients will see."""

import io

from django.conf import settings

from photostudio import imaging
from photostudio.demo_drawings import drawn_jpeg

from . import photos
from .models import GallerySettings

SAMPLE = ("portrait", "watermark-preview")
UNREADABLE = "The saved logo file can't be read, so new proofs can't be marked with it. Upload the logo again."


class PreviewUnavailable(Exception):
    """The saved settings can't be drawn; `str(exc)` says why and what to do, for the photographer."""


def sample_photo() -> bytes:
    """The sample as it is before any mark (a JPEG)."""
    return drawn_jpeg(*SAMPLE)


def preview_jpeg() -> bytes:
    """The sample's proof with the watermark as saved now. Raises PreviewUnavailable when the saved
    logo can't be read or drawn (every new proof would fail the same way, so the message says so)."""
    try:
        mark = photos.current_watermark()
    except OSError as exc:
        raise PreviewUnavailable(UNREADABLE) from exc
    try:
        return imaging.make_renditions(io.BytesIO(sample_photo()), watermark=mark).proof
    except imaging.ImageRejected as exc:
        raise PreviewUnavailable(_undrawable(exc)) from exc


def problem() -> str:
    """Why the preview can't be made, or "" when it can. Checks the saved logo only, drawing
    nothing, so the settings page can say it in words instead of showing a broken image."""
    mark = GallerySettings.load()
    if not mark.logo:
        return ""
    try:
        with mark.logo.open("rb") as fh:
            imaging.check_logo(fh.read())
    except OSError:
        return UNREADABLE
    except imaging.ImageRejected as exc:
        return _undrawable(exc)
    return ""


def _undrawable(exc: imaging.ImageRejected) -> str:
    reason = str(exc).removeprefix("watermark logo").lstrip(": ") or "damaged file"
    return (
        f"The saved logo can't be drawn ({reason}), so new proofs can't be marked with it. "
        "Upload the logo again as a PNG image."
    )


def describe(mark: GallerySettings) -> str:
    """The preview in words (its alt text): what the mark is, where, how big and how strong."""
    what = "the logo" if mark.logo else f"“{mark.text or settings.STUDIO_NAME}”"
    where = mark.get_position_display().lower()
    where = where if mark.position == GallerySettings.Position.TILED else f"at the {where}"
    return (
        f"A sample portrait as a proof, marked with {what} {where}, "
        f"{mark.size * 100:.0f} % of its width, {mark.opacity * 100:.0f} % opaque"
    )
