"""Which payment provider handles a variant (django-payments' PAYMENT_VARIANT_FACTORY).

django-payments keeps the first provider it makes for each variant for the life of the process; this
makes one from PAYMENT_VARIANTS each time, so settings changed at run time (a test's override, a new
key) take effect at once. A provider is a small object holding its configuration, cheap to make.
Kept free of models: django-payments imports it while the models are still loading.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def provider_for(variant: str, payment=None):
    handler, config = settings.PAYMENT_VARIANTS.get(variant, (None, None))
    if not handler:
        raise ValueError(f"Payment variant does not exist: {variant}")
    return import_string(handler)(**config)
