from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from galleries import services
from galleries.models import Gallery

EXTENSIONS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"}


class Command(BaseCommand):
    help = "Add every photo in a folder on this server to a gallery, as the admin's upload does."

    def add_arguments(self, parser) -> None:
        parser.add_argument("gallery", help="the gallery's public id (shown on its admin page)")
        parser.add_argument("folder", type=Path)
        parser.add_argument("--all-files", action="store_true", help="not only .jpg/.png/.tif/.webp files")

    def handle(self, *args, gallery: str, folder: Path, all_files: bool, **options) -> None:
        found = Gallery.objects.filter(public_id=gallery).first()
        if found is None:
            raise CommandError(f"No gallery has the public id {gallery!r}.")
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        files = sorted(p for p in folder.iterdir() if p.is_file() and (all_files or p.suffix.lower() in EXTENSIONS))
        if not files:
            raise CommandError(f"No photos in {folder}.")
        added = skipped = 0
        for path in files:
            report = services.add_photo_from_path(found, path)
            added += len(report.added)
            for reason in report.skipped:
                skipped += 1
                self.stderr.write(f"skipped {reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{added} photo(s) added to “{found.title}” and queued for processing; {skipped} skipped."
            )
        )
