"""Refuse input no page can use, before any view or query sees it.

- A NUL character anywhere (path, query string, form field, cookie, header): PostgreSQL
  refuses NUL in text, so a query built from such a value would fail; no person types one.
- A query string or form body that is not valid UTF-8: every page is served as UTF-8, so only a
  script sends anything else, and Django would otherwise silently swap the bytes for U+FFFD.
- Files sent to a view that takes none: the public and portal forms are text only, so a file part
  posted to one is refused before it is written anywhere. The admin (the photographer's uploads)
  keeps taking files, within DATA_UPLOAD_MAX_NUMBER_FILES per request.

Each gets a plain 400 that says what was wrong.
"""

from urllib.parse import unquote_to_bytes

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import Resolver404, resolve

NUL = "\x00"
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# URL namespaces whose views take uploaded files.
TAKES_FILES = {"admin"}


class FilesRefused(FileUploadHandler):
    """Upload handler for views that take no files: stop reading the body at the first file part."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.refused = False

    def new_file(self, *args, **kwargs) -> None:
        self.refused = True
        raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None


def _is_utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_nul(pairs) -> bool:
    return any(NUL in key or NUL in value for key, value in pairs)


def _takes_files(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(TAKES_FILES & set(match.namespaces))


def problem_with(request: HttpRequest) -> str | None:
    """What is wrong with the request's input, in words for the sender; None if nothing is."""
    if NUL in request.path_info:
        return "The address contains a NUL character."
    headers = ((k, v) for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str))
    if _has_nul(headers):
        return "A header or cookie contains a NUL character."
    if not _is_utf8(request.META.get("QUERY_STRING", "").encode("iso-8859-1", errors="replace")):
        return "The address's query string is not valid UTF-8 text."
    if _has_nul((k, v) for k, vs in request.GET.lists() for v in vs):
        return "The address's query string contains a NUL character."
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    content_type = request.content_type or ""
    if content_type == FORM_URLENCODED and not _is_utf8(request.body):
        return "The form's data is not valid UTF-8 text."
    refusal = None
    if content_type == MULTIPART and not _takes_files(request):
        refusal = FilesRefused(request)
        request.upload_handlers = [refusal]
    fields = [(k, v) for k, vs in request.POST.lists() for v in vs]  # reading POST parses the body
    if refusal is not None and refusal.refused:
        return "This form does not take files. Please send it without attachments."
    if _has_nul(fields):
        return "A form field contains a NUL character."
    return None


class HostileInputMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = problem_with(request)
        if problem is not None:
            return HttpResponseBadRequest(f"Bad request: {problem}\n", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
