from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from galleries import photos
from galleries.models import Gallery
from photostudio import imaging
from photostudio.history import Actor

IMPORTED = Actor("import_photos, on the server")  # who the gallery's history names


class Command(BaseCommand):
    help = (
        "Add every photo in a folder on this server to a gallery, as the admin's upload does. Every file "
        "is either added or named with the reason it was not; the exit status is 1 when any was refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("gallery", nargs="?", help="the gallery's public id (shown on its admin page)")
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--gallery", dest="gallery_option", metavar="PUBLIC_ID", help="the same, as an option: --gallery=<id>"
        )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parse_args = parser.parse_args

        def parse_args_taking_ids_as_values(args=None, namespace=None):
            return parse_args(_ids_as_values(args), namespace)

        parser.parse_args = parse_args_taking_ids_as_values
        return parser

    def handle(self, *args, gallery: str | None, gallery_option: str | None, folder: Path, **options) -> None:
        public_id = gallery_option or gallery
        if not public_id:
            raise CommandError("Name the gallery: import_photos <gallery public id> <folder>.")
        found = Gallery.objects.filter(public_id=public_id).first()
        if found is None:
            raise CommandError(f"No gallery has the public id {public_id!r}.")
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        paths = sorted(p for p in folder.iterdir() if not p.name.startswith("."))  # not .DS_Store and the like
        files = [p for p in paths if p.is_file()]
        if not files:
            raise CommandError(f"No photos in {folder}.")
        for path in paths:
            if not path.is_file():
                self.stderr.write(f"not imported {path.name}: a folder (only the files directly in {folder} are)")
        added, already, refused = 0, 0, 0
        for path in files:
            try:
                imaging.identify(path)  # the header only: a file we can't use never enters the gallery
            except imaging.ImageRejected as exc:
                refused += 1
                self.stderr.write(f"not imported {path.name}: {exc}")
                continue
            except OSError as exc:
                refused += 1
                self.stderr.write(f"not imported {path.name}: could not be read ({exc.strerror or exc})")
                continue
            report = photos.add_photo_from_path(found, path, by=IMPORTED)
            added += len(report.added)
            already += report.duplicates
            refused += len(report.skipped) - report.duplicates
            for reason in report.skipped:
                self.stderr.write(f"not imported {reason}")
        summary = f"{added} photo(s) added to “{found.title}” and queued for processing"
        summary += f"; {already} already there" if already else ""
        if refused:
            raise CommandError(f"{summary}; {refused} file(s) refused, each named above with the reason.")
        self.stdout.write(self.style.SUCCESS(summary + "."))


def _ids_as_values(args: list[str] | None) -> list[str] | None:
    """A public id may start with "-" (one in 64 does), which argparse would take for an option:
    a word that is a gallery's public id is passed as --gallery=<id>."""
    if args is None:
        return None
    end = args.index("--") if "--" in args else len(args)  # after "--" argparse takes words as they are
    dashed = [w for w in args[:end] if w.startswith("-")]
    ids = set(Gallery.objects.filter(public_id__in=dashed).values_list("public_id", flat=True)) if dashed else set()
    return [f"--gallery={w}" if w in ids else w for w in args[:end]] + args[end:]
