"""What the client downloads says nothing of where the shoot was: the GPS position and place names
are removed from each delivered photo and the zip (unless the gallery keeps them); copyright,
artist, camera, orientation, capture time and colour profile stay, and the pixels are untouched."""

import functools
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import ExifTags, Image, IptcImagePlugin, PngImagePlugin

from galleries import delivery
from galleries.models import Favourite, Gallery, Photo
from photostudio import imaging
from tests.factories import make_gallery, make_user_client
from tests.imaging_samples import adobe_rgb_profile, encode, jpeg_segments, photo

COPYRIGHT = "Copyright 2026 Northlight Studio"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"'
    b' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    b' exif:GPSLatitude="51,30.2083N" exif:GPSLongitude="0,7.65W" photoshop:City="London">'
    b"<exif:GPSAltitude>23/1</exif:GPSAltitude>"
    b'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">' + COPYRIGHT.encode() + b"</rdf:li></rdf:Alt></dc:rights>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def camera_exif() -> Image.Exif:
    """What a camera and Lightroom write into a final: position, copyright, artist, camera, time."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "Canon", "EOS R5"
    exif[ExifTags.Base.Artist], exif[ExifTags.Base.Copyright] = "Sam Carter", COPYRIGHT
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:20 10:42:07"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "W", (0.0, 7.0, 39.0)
    return exif


@functools.cache
def final(fmt: str = "JPEG") -> bytes:
    """A delivered final as Lightroom exports it, with its position in EXIF and XMP."""
    if fmt == "PNG":
        params = {"pnginfo": PngImagePlugin.PngInfo()}
        params["pnginfo"].add_itxt("XML:com.adobe.xmp", XMP.decode())
    else:
        params = {"xmp": XMP, **({"lossless": True} if fmt == "WEBP" else {})}
    return encode(photo((600, 400)), fmt, exif=camera_exif(), icc_profile=adobe_rgb_profile(), **params)


def assert_located_nowhere_but_otherwise_as_shot(data: bytes, original: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im, Image.open(io.BytesIO(original)) as before:
        exif = im.getexif()
        assert ExifTags.IFD.GPSInfo not in exif and exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert exif[ExifTags.Base.Copyright] == COPYRIGHT and exif[ExifTags.Base.Artist] == "Sam Carter"
        assert (exif[ExifTags.Base.Make], exif[ExifTags.Base.Model]) == ("Canon", "EOS R5")
        assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == "2026:11:20 10:42:07"
        assert im.info["icc_profile"] == before.info["icc_profile"]
        assert im.tobytes() == before.tobytes()  # the same pixels
        xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp", "").encode()
        assert b"GPS" not in xmp and b"photoshop:City" not in xmp and COPYRIGHT.encode() in xmp
    assert b"51,30.2083N" not in data


def test_a_jpegs_position_is_removed_without_touching_its_pixels_or_other_metadata():
    original = final()

    copy = imaging.without_location(original)

    assert_located_nowhere_but_otherwise_as_shot(copy, original)
    assert Image.open(io.BytesIO(copy)).getexif()[ExifTags.Base.Orientation] == 6
    start_of_scan = original.index(b"\xff\xda")
    assert copy[copy.index(b"\xff\xda") :] == original[start_of_scan:]  # not re-encoded: the same bytes
    assert [m for m, _ in jpeg_segments(copy)] == [m for m, _ in jpeg_segments(original)]


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_pngs_and_webps_lose_their_position_and_keep_the_rest(fmt):
    original = final(fmt)

    assert_located_nowhere_but_otherwise_as_shot(imaging.without_location(original), original)


def test_a_photo_that_records_no_position_is_left_byte_for_byte():
    plain = encode(photo((600, 400)), "JPEG", icc_profile=adobe_rgb_profile())

    assert imaging.without_location(plain) == plain
    assert not imaging.says_where(io.BytesIO(plain)) and imaging.says_where(io.BytesIO(final()))


@pytest.fixture
def delivered(on_commit_as_in_production):
    """A delivered gallery of two finals shot on location, as the client receives them."""
    alice = make_user_client("Alice Byrne", "alice.byrne@byrne-cole.co.uk")
    gallery = make_gallery(alice, title="Team portraits on site", status=Gallery.Status.PROOFING)
    for n, name in enumerate(("IMG_20261120_0142.jpg", "2026-11-20 Alice Byrne 0143.jpg")):
        shot = Photo(gallery=gallery, original_name=name, content_hash=f"{n:064x}", state="done", order=n)
        shot.original.save(name, ContentFile(final()), save=False)
        shot.save()
        Favourite.objects.create(photo=shot, gallery=gallery)
    delivery.deliver(gallery)  # its tasks run (in-process here) as the delivery commits
    return gallery


def download_everything(client, gallery: Gallery) -> dict[str, bytes]:
    client.force_login(gallery.client.user)
    files = {}
    for shot in gallery.photos.all():
        response = client.get(reverse("portal:download", args=[gallery.public_id, shot.key]))
        files[shot.original_name] = b"".join(response.streaming_content)
    client.post(reverse("portal:request_zip", args=[gallery.public_id]))
    archive = gallery.zips.get()
    response = client.get(reverse("portal:zip_download", args=[gallery.public_id, archive.key]))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        files |= {f"zip/{name}": zf.read(name) for name in zf.namelist()}
    return files


def test_the_client_downloads_each_photo_and_the_zip_without_the_shoots_position(client, delivered):
    files = download_everything(client, delivered)

    assert sorted(files) == [
        "2026-11-20 Alice Byrne 0143.jpg", "IMG_20261120_0142.jpg",
        "zip/2026-11-20 Alice Byrne 0143.jpg", "zip/IMG_20261120_0142.jpg",
    ]  # fmt: skip
    for data in files.values():
        assert_located_nowhere_but_otherwise_as_shot(data, final())
    shot = delivered.photos.first()
    with shot.original.open("rb") as original:
        assert imaging.says_where(original)  # the photographer's own original is untouched


def test_a_gallery_set_to_keep_the_location_delivers_the_originals_as_they_are(client, delivered):
    Gallery.objects.filter(pk=delivered.pk).update(keep_location=True)
    delivered.refresh_from_db()

    files = download_everything(client, delivered)

    assert set(files.values()) == {final()}
    with Image.open(io.BytesIO(files["zip/IMG_20261120_0142.jpg"])) as im:
        assert im.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"


def iptc_segment(datasets: dict[int, bytes]) -> bytes:
    """An APP13 segment as Photoshop writes it: image resources holding an IPTC-IIM record."""
    iim = b"".join(b"\x1c\x02" + bytes([n]) + len(v).to_bytes(2, "big") + v for n, v in datasets.items())
    resource = b"8BIM\x04\x04\x00\x00" + len(iim).to_bytes(4, "big") + iim + b"\x00" * (len(iim) % 2)
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def test_place_names_in_a_jpegs_iptc_record_go_and_its_byline_and_copyright_stay():
    place = {90: b"London", 92: b"Canal Yard", 95: b"Greater London", 100: b"GBR", 101: b"United Kingdom"}
    credits = {80: b"Sam Carter", 116: COPYRIGHT.encode()}
    original = final()[:2] + iptc_segment(place | credits) + final()[2:]

    copy = imaging.without_location(original)

    with Image.open(io.BytesIO(copy)) as im:
        record = IptcImagePlugin.getiptcinfo(im)
    assert record == {(2, 80): b"Sam Carter", (2, 116): COPYRIGHT.encode()}
    assert_located_nowhere_but_otherwise_as_shot(copy, original)
