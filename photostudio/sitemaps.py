from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from bookings.models import SessionType


class PagesSitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> list[str]:
        return ["home", "guide", "contact"]

    def location(self, item: str) -> str:
        return reverse(item)


class SessionTypesSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return SessionType.objects.filter(is_active=True)


SITEMAPS = {"pages": PagesSitemap, "sessions": SessionTypesSitemap}
