"""The admin of a one-row settings model (availability, the studio profile, gallery settings): a list
of one row is a click the photographer never needs, so the list's address opens the row's form."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse


class OneRowAdmin:
    """Mix into a ModelAdmin of a `Singleton` model, before admin.ModelAdmin."""

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        pk = self.model.objects.values_list("pk", flat=True).first()
        if pk is not None:
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
        if self.has_add_permission(request):  # nothing saved yet: the form to save it first
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        return super().changelist_view(request, extra_context)
