"""Pictures members upload: checked by decoding them, resized, re-encoded, stored in the database.

A file is a picture when Pillow decodes it as a JPEG, PNG or WebP, whatever its name or the content
type the browser sent says. Before decoding, the header's width and height are checked, so that a small
file that would unpack into billions of pixels (a decompression bomb) is refused without being unpacked.
The pixels are then copied into a new image and encoded again: nothing of the original file survives but
the pixels, so EXIF (camera, time, location), XMP and comments are gone. A refusal stores nothing and
says why in plain words (`PictureRefused.message`).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from smanav.community.models import Member, Picture

# The largest file accepted (bytes), and the most pixels a picture may unpack into.
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000
# The longest side of a stored picture (pixels); larger pictures are scaled down to it.
MAX_SIDE = 1600
MAX_ALT_TEXT = 500
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
JPEG_QUALITY = 85


class PictureRefused(Exception):
    """The upload is not a picture we keep; `message` says why, in the form's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class EncodedPicture:
    data: bytes
    content_type: str
    width: int
    height: int


def _read(upload: UploadedFile[bytes] | bytes) -> bytes:
    if isinstance(upload, bytes):
        data = upload
    else:
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise PictureRefused(_too_large())
        upload.seek(0)
        data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PictureRefused(_too_large())
    if not data:
        raise PictureRefused("The picture file is empty. Choose a photo in JPEG, PNG or WebP format.")
    return data


def _too_large() -> str:
    return f"The picture is too large: choose a file under {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."


def picture_encode(*, data: bytes) -> EncodedPicture:
    """Check that `data` is a JPEG, PNG or WebP picture of a sane size and encode it again without its
    metadata, scaled down to `MAX_SIDE`. Raises `PictureRefused`."""
    not_a_picture = "This file is not a picture we can read. Choose a photo in JPEG, PNG or WebP format."
    with warnings.catch_warnings():
        # Pillow warns, then fails, on very large pictures; our own limit below is lower still.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
                if kind not in ACCEPTED_FORMATS:
                    raise PictureRefused(not_a_picture)
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise PictureRefused(
                        f"The picture has too many pixels ({width} by {height}): "
                        f"choose one under {MAX_PIXELS // 1_000_000} million pixels."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)  # the first frame of an animation
                image.load()
                upright = ImageOps.exif_transpose(image)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                    upright.mode == "P" and "transparency" in upright.info
                )
                pixels = upright.convert("RGBA" if has_alpha else "RGB")
        except PictureRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PictureRefused(
                f"The picture has too many pixels: choose one under {MAX_PIXELS // 1_000_000} million pixels."
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            # A file that claims to be a picture but is broken or cut short.
            raise PictureRefused(not_a_picture) from error
    # A fresh image of the pixels alone: no EXIF, XMP, comments or other chunks of the original.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    clean.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type = "image/jpeg"
    return EncodedPicture(
        data=out.getvalue(), content_type=content_type, width=clean.width, height=clean.height
    )


@transaction.atomic
def picture_create(*, owner: Member, upload: UploadedFile[bytes] | bytes, alt_text: str) -> Picture:
    """Store a member's picture, checked and re-encoded, with its description for people who cannot
    see it. Raises `PictureRefused` (nothing stored) when the picture or its description will not do."""
    alt_text = " ".join(alt_text.split())
    if not alt_text:
        raise PictureRefused(
            "Describe the picture for members who cannot see it (for example: "
            "“my son in his new power chair at the park”)."
        )
    if len(alt_text) > MAX_ALT_TEXT:
        raise PictureRefused(
            f"The description of the picture is too long: keep it under {MAX_ALT_TEXT} characters."
        )
    encoded = picture_encode(data=_read(upload))
    return Picture.objects.create(
        owner=owner,
        content_type=encoded.content_type,
        data=encoded.data,
        width=encoded.width,
        height=encoded.height,
        alt_text=alt_text,
    )
