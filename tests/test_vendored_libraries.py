"""The front-end libraries in static/vendor (and axe-core for the browser tests) are the versions
package.json pins: `make vendor` copies them from the npm registry, never a CDN."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_each_vendored_library_is_the_version_package_json_pins():
    package = json.loads((ROOT / "package.json").read_text())
    pinned = {**package["dependencies"], **package.get("devDependencies", {})}
    folders = {"axe-core": ROOT / "tests/browser/vendor"}

    for name, version in pinned.items():
        assert version[0].isdigit(), f"{name} is pinned to an exact version, not {version}"
        folder = folders.get(name, ROOT / "static/vendor" / name)
        assert (folder / "VERSION").read_text().split() == [name, version]
        assert (folder / "LICENSE").exists()


def test_the_viewer_library_is_served_from_the_site_itself():
    template = (ROOT / "templates/galleries/gallery.html").read_text()

    assert "{% static 'vendor/photoswipe/photoswipe.umd.min.js' %}" in template
    assert "{% static 'vendor/photoswipe/photoswipe.css' %}" in template
    assert "//" not in template.split("{% block scripts %}")[1].replace("{% static", "")
