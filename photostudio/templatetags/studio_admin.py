"""The admin's lists of pages, split into the studio's and the ones only a developer needs."""

from django import template

register = template.Library()

# Pages the photographer never needs: accounts and permissions, sign-in lockouts, failed background
# jobs, the outbox's raw records (each booking's page already lists its emails).
FOR_DEVELOPERS_APPS = {"auth", "axes"}
FOR_DEVELOPERS_MODELS = {"photostudio.failedtask", "photostudio.outgoingemail"}


def is_for_developers(app_label: str, object_name: str) -> bool:
    return app_label in FOR_DEVELOPERS_APPS or f"{app_label}.{object_name.lower()}" in FOR_DEVELOPERS_MODELS


def _keep(app_list: list[dict], developers: bool) -> list[dict]:
    apps = []
    for app in app_list:
        models = [m for m in app["models"] if is_for_developers(app["app_label"], m["object_name"]) == developers]
        if models:
            apps.append({**app, "models": models})
    return apps


@register.simple_tag
def split_apps(app_list: list[dict], user) -> dict:
    """{'studio': apps, 'developers': apps}; the developers' ones for superusers only."""
    return {
        "studio": _keep(app_list or [], developers=False),
        "developers": _keep(app_list or [], developers=True) if getattr(user, "is_superuser", False) else [],
    }
