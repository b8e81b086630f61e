"""Admin widgets and mixins that give every input a name a screen reader can say, where Django's
own leave some without one."""

from django.contrib.admin import widgets
from django.utils.text import capfirst


class LabelledSplitDateTime(widgets.AdminSplitDateTime):
    """The admin's date and time boxes, with "Date:" and "Time:" as their labels (Django prints them
    as plain text, and the field's own label names the pair as a whole)."""

    template_name = "admin/widgets/labelled_split_datetime.html"


class NamedListEditable:
    """Boxes edited right in a list (list_editable) have no label: each is named after its column
    and its row, e.g. "Order of Business headshot"."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class NamedForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    if not field.widget.is_hidden:
                        field.widget.attrs["aria-label"] = f"{capfirst(field.label)} of {self.instance}"

        return NamedForm
