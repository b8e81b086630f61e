from django.apps import AppConfig


class PhotostudioConfig(AppConfig):
    name = "photostudio"
    verbose_name = "Photostudio"

    def ready(self) -> None:
        from . import cache, studio_zone

        studio_zone.connect()
        cache.connect()
