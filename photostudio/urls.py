from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from . import views
from .sitemaps import SITEMAPS

admin.site.site_header = "Photostudio"
admin.site.site_title = "Photostudio admin"
admin.site.index_title = "Your studio"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("bookings.urls")),
    path("portal/", include("galleries.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # In production the web server serves MEDIA_ROOT (public renditions only) itself.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
