"""The admin's file fields, for models whose files may be kept privately (used by both apps' admins)."""

import posixpath

from django.contrib.admin.widgets import AdminFileWidget
from django.db import models

from .storage import PrivateStorage


def is_private(file) -> bool:
    return isinstance(getattr(file, "storage", None), PrivateStorage)


def file_name(file) -> str:
    """What the photographer recognises: the file's own name, without the storage's folders."""
    return posixpath.basename(file.name) if file else ""


class StudioFileWidget(AdminFileWidget):
    """The admin's file input, for files kept privately too: a private file has no public address
    (its storage refuses `.url`), so it is shown by name instead of as a link."""

    template_name = "admin/widgets/studio_file_input.html"  # in photostudio/templates: widgets render from apps
    preview_url = None  # an admin-only address showing the current file, where there is one

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs) -> dict:
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["file_name"] = file_name(value)
            context["widget"]["href"] = None if is_private(value) else value.url
            context["widget"]["preview_url"] = self.preview_url
        return context


class StudioFilesAdmin:
    """Mix into a ModelAdmin or inline whose model has files: every file field, public or private,
    gets a widget that opens without asking private storage for a URL."""

    formfield_overrides = {
        models.FileField: {"widget": StudioFileWidget},
        models.ImageField: {"widget": StudioFileWidget},
    }
