"""Which version of the terms applies to a booking: the newest of the session type's own terms, else
the newest of the studio's default terms, else none (and then the booking form asks nothing)."""

from django.db.models import Max

from photostudio.cache import CURRENT_TERMS_KEY, remembered

from .models import SessionType, TermsDocument


def current_terms(session: SessionType | None) -> TermsDocument | None:
    """The version a client booking `session` accepts, from the shared cache (forgotten when any
    version is saved). It holds the title and number only; the terms page reads the text."""
    if session is None:
        return None
    newest = remembered(CURRENT_TERMS_KEY, _newest_versions)
    return newest.get(session.pk) or newest.get(None)


def _newest_versions() -> dict[int | None, TermsDocument]:
    newest: dict[int | None, TermsDocument] = {}
    for version in TermsDocument.objects.only("pk", "session_type_id", "title", "version").order_by("version"):
        newest[version.session_type_id] = version  # a later version replaces an earlier one
    return newest


def next_version_number(session_type_id: int | None) -> int:
    versions = TermsDocument.objects.filter(session_type_id=session_type_id)
    return (versions.aggregate(newest=Max("version"))["newest"] or 0) + 1


def newer_version(terms: TermsDocument) -> TermsDocument | None:
    """The newest version of the same document, when `terms` is no longer it."""
    newer = TermsDocument.objects.filter(session_type_id=terms.session_type_id, version__gt=terms.version)
    return newer.order_by("-version").first()
