"""Pictures: real files made with Pillow, checked by decoding whatever their name says, re-encoded
without EXIF or location, refused with a clear message and nothing stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community import pictures
from smanav.community.models import Picture
from smanav.community.pictures import PictureRefused, picture_create
from smanav.community.services.posts import post_create

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def photo_bytes(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0132] = "2026:12:01 10:00:00"  # DateTime
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)})
        image.save(out, format=fmt, exif=exif.tobytes(), comment=b"taken at home" if fmt == "JPEG" else None)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A real PNG of `width` x `height` grey pixels, written row by row so that the test never holds
    the unpacked picture in memory itself."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    rows = 500
    block = b"\x00" * ((width + 1) * rows)  # per row: a filter byte, then one byte per pixel
    parts = [packer.compress(block) for _ in range(height // rows)]
    parts.append(packer.compress(b"\x00" * ((width + 1) * (height % rows))))
    idat = b"".join(parts) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_photo_with_gps_is_stored_without_exif_or_location() -> None:
    member = make_member("Ana")
    original = photo_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo has a location

    picture = picture_create(owner=member, upload=upload("beach.jpg", original), alt_text="Ana at the beach")

    stored = bytes(Picture.objects.get(pk=picture.pk).data)
    reopened = Image.open(io.BytesIO(stored))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert "exif" not in reopened.info and "comment" not in reopened.info
    assert b"PhoneMaker" not in stored and b"taken at home" not in stored
    assert picture.alt_text == "Ana at the beach"


def test_a_png_named_jpg_is_read_as_the_picture_it_is() -> None:
    member = make_member("Ana")
    picture = picture_create(
        owner=member, upload=upload("chair.jpg", photo_bytes("PNG"), "image/jpeg"), alt_text="A chair"
    )
    assert (picture.width, picture.height) == (640, 480)


def test_a_webp_is_accepted() -> None:
    member = make_member("Ana")
    picture = picture_create(owner=member, upload=upload("x.webp", photo_bytes("WEBP")), alt_text="Ramp")
    assert picture.content_type == "image/jpeg"


def test_a_transparent_png_stays_transparent() -> None:
    member = make_member("Ana")
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    picture = picture_create(owner=member, upload=out.getvalue(), alt_text="A drawing")
    assert picture.content_type == "image/png"
    assert Image.open(io.BytesIO(bytes(picture.data))).mode == "RGBA"


def test_a_large_photo_is_scaled_down() -> None:
    member = make_member("Ana")
    picture = picture_create(owner=member, upload=photo_bytes(size=(4000, 3000)), alt_text="Garden")
    assert (picture.width, picture.height) == (pictures.MAX_SIDE, 1200)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.png", b"This is a shopping list, not a picture.\n" * 20, "not a picture we can read"),
        ("half.jpg", photo_bytes()[:300], "not a picture we can read"),
        ("empty.png", b"", "empty"),
    ],
    ids=["text named png", "cut short", "empty"],
)
def test_a_file_that_is_not_a_readable_picture_is_refused_and_nothing_stored(
    name: str, data: bytes, words: str
) -> None:
    member = make_member("Ana")
    with pytest.raises(PictureRefused) as refused:
        picture_create(owner=member, upload=upload(name, data, "image/png"), alt_text="Something")
    assert words in refused.value.message
    assert not Picture.objects.exists()


def test_a_gif_is_refused() -> None:
    member = make_member("Ana")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(PictureRefused, match="JPEG, PNG or WebP"):
        picture_create(owner=member, upload=out.getvalue(), alt_text="Something")


def test_a_decompression_bomb_is_refused_without_unpacking_it() -> None:
    member = make_member("Ana")
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 1_000_000  # a small file that unpacks into 400 MB of pixels
    with pytest.raises(PictureRefused, match="too many pixels"):
        picture_create(owner=member, upload=upload("bomb.png", bomb, "image/png"), alt_text="x")
    assert not Picture.objects.exists()


def test_the_bomb_maker_makes_real_pictures() -> None:
    # So that the test above is refused for its pixels, not for a broken file.
    picture = picture_create(owner=make_member("Ana"), upload=png_bomb(300, 200), alt_text="Grey")
    assert (picture.width, picture.height) == (300, 200)


def test_an_oversized_file_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    member = make_member("Ana")
    monkeypatch.setattr(pictures, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(PictureRefused, match="too large"):
        picture_create(owner=member, upload=upload("big.jpg", photo_bytes()), alt_text="Big")
    assert not Picture.objects.exists()


def test_a_picture_needs_a_description() -> None:
    member = make_member("Ana")
    with pytest.raises(PictureRefused, match="Describe the picture"):
        picture_create(owner=member, upload=photo_bytes(), alt_text="   ")
    assert not Picture.objects.exists()


def test_members_see_a_published_picture_and_visitors_do_not() -> None:
    member = make_member("Ana")
    picture = picture_create(owner=member, upload=photo_bytes(), alt_text="Garden")
    url = f"/community/pictures/{picture.pk}/"
    reader = signed_in_client(make_member("Ben"))
    # Not yet in a post (a draft's picture): its owner only.
    assert reader.get(url).status_code == 404
    assert signed_in_client(member).get(url).status_code == 200
    post_create(author=member, topic=a_topic(), title="Garden", body="", picture=picture, submission_key="k")
    assert Client().get(url).status_code == 302
    response = reader.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == bytes(picture.data)
    assert reader.get("/community/pictures/999999/").status_code == 404
