from django.contrib import admin
from django.urls import path

from . import views

admin.site.site_header = "Photostudio"
admin.site.site_title = "Photostudio admin"
admin.site.index_title = "Your studio"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
