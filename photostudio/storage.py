import os
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
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


class PrivateStorage(FileSystemStorage):
    """Originals, proofs and downloads, under PRIVATE_MEDIA_ROOT: never given a public URL; only
    views that check who is asking may stream them."""

    @property
    def base_location(self) -> str:  # read each time, so a changed setting (tests) takes effect
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str) -> str:
        raise ValueError("private files have no public address")


def private_storage() -> PrivateStorage:
    from django.core.files.storage import storages

    return storages["private"]


def rendition_storage():
    """Thumbnails: public files under MEDIA_ROOT, served by the web server with a long cache.
    Their names are unguessable and change whenever their content does."""
    from django.core.files.storage import storages

    return storages["renditions"]


def protected_uri(field_file) -> str:
    """The address under PROTECTED_MEDIA_PREFIX at which the web server's internal-only location
    finds a private file (X-Accel-Redirect). That location aliases PRIVATE_MEDIA_ROOT, so a file
    kept anywhere else cannot be sent this way."""
    if not isinstance(field_file.storage, PrivateStorage):
        raise ValueError(f"{field_file.name} is not in private storage")
    return f"{settings.PROTECTED_MEDIA_PREFIX.rstrip('/')}/{quote(field_file.name)}"
