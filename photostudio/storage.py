"""Where files live: on this machine's disk (MEDIA_STORAGE=local, the default) or in S3-compatible
object storage (MEDIA_STORAGE=s3), so that web servers and workers on other machines, sharing no
disk, see the same files. Everything goes through Django's storage API; the few things a disk and
a bucket do differently (sending a private file, writing a file as a stream, removing a folder) are
here."""

import contextlib
import io
import os
import posixpath
import secrets
from collections.abc import Iterator
from urllib.parse import quote

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from storages.backends.s3 import S3Storage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files in production (after collectstatic), cacheable forever.

    Without a manifest (development, tests) names stay as they are instead of raising, so nothing
    but production needs a collectstatic first.
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)


class PrivateStorage(Storage):
    """Originals, proofs and downloads: never given a public URL; only views that check who is
    asking may send them. (Every private storage below is one of these.)"""

    def url(self, name: str, *args, **kwargs) -> str:
        raise ValueError("private files have no public address")


class PrivateFileSystemStorage(PrivateStorage, FileSystemStorage):
    """Private files under PRIVATE_MEDIA_ROOT."""

    @property
    def base_location(self) -> str:  # read each time, so a changed setting (tests) takes effect
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


class PrivateS3Storage(PrivateStorage, S3Storage):
    """Private files in a bucket that allows no anonymous read. They leave it only through
    `presigned_url`, a short-lived signed address handed out after the access check."""

    def presigned_url(self, name: str, *, content_type: str, disposition: str = "", max_age: int = 0) -> str:
        """A signed address at which the bucket answers with the file for `S3_URL_LIFETIME` seconds,
        with this Content-Type (never guessed from the name), this Content-Disposition, and a
        Cache-Control that lets only the visitor's own browser keep it."""
        parameters = {
            "ResponseContentType": content_type,
            "ResponseCacheControl": f"private, max-age={max_age}" if max_age else "private, no-store",
        }
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        return S3Storage.url(self, name, parameters=parameters, expire=settings.S3_URL_LIFETIME)


class PublicS3Storage(S3Storage):
    """Thumbnails and the session types' example photos: public files under unguessable names,
    at plain unsigned addresses (of the public bucket, or S3_PUBLIC_DOMAIN), cached for good."""


def private_storage() -> PrivateStorage:
    from django.core.files.storage import storages

    return storages["private"]


def rendition_storage():
    """Thumbnails: public files (under MEDIA_ROOT, or in the public bucket), served with a long cache.
    Their names are unguessable and change whenever their content does."""
    from django.core.files.storage import storages

    return storages["renditions"]


def protected_uri(field_file) -> str:
    """The address under PROTECTED_MEDIA_PREFIX at which the web server's internal-only location
    finds a private file (X-Accel-Redirect). That location aliases PRIVATE_MEDIA_ROOT, so a file
    kept anywhere else cannot be sent this way."""
    if not isinstance(field_file.storage, PrivateFileSystemStorage):
        raise ValueError(f"{field_file.name} is not in private storage on this machine")
    return f"{settings.PROTECTED_MEDIA_PREFIX.rstrip('/')}/{quote(field_file.name)}"


def presigned_url(field_file, *, content_type: str, disposition: str = "", max_age: int = 0) -> str | None:
    """A short-lived address in object storage for a private file, or None when it is kept on this
    machine's disk (the application, or nginx, sends it then)."""
    storage = field_file.storage
    if isinstance(storage, PrivateS3Storage):
        return storage.presigned_url(field_file.name, content_type=content_type, disposition=disposition,
                                     max_age=max_age)  # fmt: skip
    return None


# --- reading the start of a file ---


class _RangedReader(io.RawIOBase):
    """An object in a bucket, read by ranges as asked: reading a file's first bytes fetches those
    bytes, not the file (which django-storages would download whole on the first read)."""

    def __init__(self, storage: S3Storage, name: str) -> None:
        self.client = storage.connection.meta.client
        self.bucket, self.key = storage.bucket_name, storage._normalize_name(name)
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            raise OSError("reading by ranges: the end is not known")
        self.position = offset if whence == io.SEEK_SET else self.position + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, size: int | None = -1) -> bytes:
        if size == 0:
            return b""
        end = "" if size is None or size < 0 else self.position + size - 1
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-{end}")
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code == "InvalidRange":  # at or past the end
                return b""
            if code in ("NoSuchKey", "404"):
                raise FileNotFoundError(f"File does not exist: {self.key}") from err
            raise
        data = answer["Body"].read()
        self.position += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextlib.contextmanager
def reading_by_ranges(field_file) -> Iterator:
    """The file, to read a part of it (its header, its metadata): from a bucket, only the bytes
    read are fetched; on this machine's disk, the file as it is."""
    if isinstance(field_file.storage, S3Storage):
        with _RangedReader(field_file.storage, field_file.name) as reader:
            yield reader
        return
    with field_file.open("rb") as fh:
        yield fh


# --- writing a file as a stream ---

PART_SIZE = 8 * 1024 * 1024  # S3 takes parts of 5 MiB or more (but the last)


class _MultipartUpload:
    """A write-only stream into a bucket: parts of PART_SIZE are uploaded as they fill, so no more
    than one part is ever held in memory. Nothing is visible under the name until `complete`.
    It has no tell() on purpose: zipfile then writes a stream (sizes after each member's data)
    instead of seeking back, which an upload can't do."""

    def __init__(self, storage: S3Storage, name: str) -> None:
        self.client = storage.connection.meta.client
        self.bucket, self.key = storage.bucket_name, storage._normalize_name(name)
        params = storage._get_write_parameters(name)
        self.upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key, **params)["UploadId"]
        self.parts: list[dict] = []
        self.buffer = io.BytesIO()

    def write(self, data) -> int:
        written = self.buffer.write(data)
        if self.buffer.tell() >= PART_SIZE:
            self._send_part()
        return written

    def flush(self) -> None:
        pass  # parts go when they are full: S3 refuses smaller ones but the last

    def _send_part(self) -> None:
        number = len(self.parts) + 1
        body, self.buffer = self.buffer, io.BytesIO()
        body.seek(0)  # sent as it is, not copied
        answer = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body
        )
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self) -> None:
        if self.buffer.tell() or not self.parts:
            self._send_part()
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
        )

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # what is left, the bucket's lifecycle rule removes
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


class _WriteOnly:
    """A local file seen as a write-only stream, so zipfile writes it the same way as an upload."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def write(self, data) -> int:
        return self.fh.write(data)

    def flush(self) -> None:
        self.fh.flush()


@contextlib.contextmanager
def writing(storage: Storage, name: str) -> Iterator:
    """A write-only stream into `storage` under exactly `name` (replacing a file there). The file
    appears, whole, when the block ends without an error, and not at all when it raises: straight
    into the bucket in parts, or into a file beside its final place on this machine's disk."""
    if isinstance(storage, S3Storage):
        upload = _MultipartUpload(storage, name)
        try:
            yield upload
        except BaseException:
            upload.abort()
            raise
        upload.complete()
        return
    path = storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = f"{path}.{secrets.token_hex(4)}.part"
    try:
        with open(partial, "wb") as fh:
            yield _WriteOnly(fh)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)


# --- removing a folder ---


def remove_folder(storage: Storage, folder: str) -> int:
    """Delete every file under `folder` (its subfolders included); returns how many. Used to leave
    nothing of a client behind, files a crashed job wrote before recording them included."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        storage.delete(posixpath.join(folder, name))
        removed += 1
    for sub in folders:
        removed += remove_folder(storage, posixpath.join(folder, sub))
    return removed
