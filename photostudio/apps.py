from django.apps import AppConfig


class PhotostudioConfig(AppConfig):
    name = "photostudio"
    verbose_name = "Photostudio"
