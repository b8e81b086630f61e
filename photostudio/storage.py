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
