from django.urls import path

from . import views

urlpatterns = [
    path("sessions/<slug:slug>/", views.session_type, name="session_type"),
    path("guide/", views.guide, name="guide"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact_thanks"),
]
