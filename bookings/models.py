from django.db import models


class StudioProfile(models.Model):
    """What the public site says about the studio; one row, edited in the admin.

    The studio's name and sending address are deployment settings (STUDIO_NAME, STUDIO_EMAIL).
    """

    SINGLETON_ID = 1

    tagline = models.CharField(max_length=160, blank=True, help_text="One line under the studio name on the home page.")
    about = models.TextField(blank=True, help_text="A short introduction shown on the home page.")
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True, help_text="Where the studio is, as clients should read it.")
    instagram_url = models.URLField(blank=True)

    class Meta:
        verbose_name = "studio profile"
        verbose_name_plural = "studio profile"

    def __str__(self) -> str:
        return "Studio profile"

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "StudioProfile":
        """The saved profile, or an empty unsaved one (reading a page never writes a row)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls(pk=cls.SINGLETON_ID)
