"""Profile photos: check what an upload really is, then re-encode it small and clean
(pure logic on Pillow, no Django).

The type is read from the bytes, never from the file name or the browser's claim.
Re-encoding drops everything but the pixels: EXIF (camera, GPS position), ICC
profiles, comments, and anything hidden after the image data.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024  # 5 MB
MAX_SIDE = 512  # pixels, the longer side after resizing
MAX_PIXELS = 40_000_000  # refuse bigger images before decoding them (decompression bombs)
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class PhotoError(ValueError):
    """The upload is not an acceptable photo; the message says why, for people."""


@dataclass(frozen=True)
class Photo:
    content: bytes
    extension: str  # jpg, png or webp
    width: int
    height: int


def process_photo(upload: BinaryIO, *, size: int | None = None) -> Photo:
    """Validate `upload` and return it resized to at most MAX_SIDE pixels a side."""
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_BYTES:
        raise PhotoError(
            f"The photo is too large ({size / 1024 / 1024:.1f} MB): the limit is 5 MB."
        )
    upload.seek(0)
    not_an_image = PhotoError("This file is not a JPEG, PNG or WebP image.")
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below is stricter than Pillow's warning threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
            image_format = image.format
            if image_format not in FORMATS:
                raise not_an_image
            width, height = image.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise PhotoError("The image has too many pixels: use a photo under 40 megapixels.")
            image.load()  # decodes every byte: a truncated or corrupt file fails here
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    # Phones store "rotate me" in EXIF; an animated image keeps its first frame.
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return _encode(image, image_format)


def _encode(image: Image.Image, image_format: str) -> Photo:
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif image_format == "PNG":
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        image.convert(mode).save(out, "PNG", optimize=True)
    else:
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        image.convert(mode).save(out, "WEBP", quality=85)
    return Photo(
        content=out.getvalue(),
        extension=FORMATS[image_format],
        width=image.width,
        height=image.height,
    )
