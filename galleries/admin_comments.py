"""The gallery's comments on its admin page: every comment the client left on any photo, with the
photo's file name and thumbnail, and a reply box for each (works without JavaScript)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from . import comments
from .models import Comment, Gallery


class GalleryCommentsAdmin:
    """Mixed into GalleryAdmin: the comments list on the change page and the reply page."""

    def get_urls(self):
        reply = path(
            "<int:pk>/comments/<int:comment_id>/reply/",
            self.admin_site.admin_view(self.comment_reply_view),
            name="galleries_gallery_comment_reply",
        )
        return [reply, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["gallery_comments"] = (
                Comment.objects.filter(photo__gallery=obj)
                .select_related("photo", "author", "replied_by")
                .order_by("-created_at")
            )
            context["reply_max_chars"] = comments.REPLY_MAX_CHARS
        return super().render_change_form(request, context, add, change, form_url, obj)

    def comment_reply_view(self, request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
        gallery = get_object_or_404(Gallery.objects.select_related("client"), pk=pk)
        if not self.has_change_permission(request, gallery):
            raise PermissionDenied
        comment = get_object_or_404(
            Comment.objects.select_related("photo", "author", "replied_by"), pk=comment_id, photo__gallery=gallery
        )
        text, error = comment.reply, ""
        if request.method == "POST":
            text = request.POST.get("reply", "")
            try:
                comments.reply_to_comment(comment, text=text, by=request.user)
            except comments.ReplyRejected as exc:
                error = str(exc)
            else:
                self.message_user(
                    request,
                    f"Reply saved: {gallery.client.name} sees it under their comment on {comment.photo.original_name}.",
                )
                return HttpResponseRedirect(f"{gallery.get_admin_url()}#comment-{comment.pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Reply to {gallery.client.name} on {comment.photo.original_name}",
            "gallery": gallery,
            "comment": comment,
            "text": text,
            "error": error,
            "reply_max_chars": comments.REPLY_MAX_CHARS,
        }
        return TemplateResponse(
            request, "admin/galleries/gallery/comment_reply.html", context, status=400 if error else 200
        )
