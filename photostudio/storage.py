import os

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
    """Originals and downloads, under PRIVATE_MEDIA_ROOT: never given a public URL; only views
    that check who is asking may stream them."""

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
    """Proofs and thumbnails: public files under MEDIA_ROOT with unguessable names. Written under
    fixed names per photo (overwriting), so reprocessing never leaves a second set of files."""
    from django.core.files.storage import storages

    return storages["renditions"]
