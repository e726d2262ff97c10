"""Inspection photos: checked by content, resized, thumbnailed, metadata read and then stripped.

No database: `process_photo` turns an upload into a `ProcessedPhoto`; `attach` stores its files through
Django's storage API and copies its metadata onto the unsaved row of whichever model keeps it (an
inspection's `Photo`, a plan's `ProofPhoto`, a booking's `WorkPhoto`); the service saves the row. The
served file carries no EXIF, XMP or comment, so a shared picture does not give away where or when it was
taken; the position is kept only in the `Photo` row, as evidence.

What a photo may be (its types, its size limit `FIREGRID_PHOTO_MAX_MB`) is `firegrid.core.uploads`'s rule
for every upload; the bytes are then decoded by Pillow as the type they were recognised as. A refused
photo raises `ValidationError` with one of the codes below and a message in the user's language; the
caller refuses that photo alone and keeps the rest of the inspection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import struct
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageCms, ImageFile

from firegrid.core import uploads
from firegrid.core.uploads import UploadKind

if TYPE_CHECKING:
    from firegrid.core.photos import AbstractPhoto

pillow_heif.register_heif_opener()

LONG_EDGE = 1600
THUMB_EDGE = 320
# Pillow's name for each type core.uploads accepts as a photo: the one format such a file is opened as.
PILLOW_FORMATS = {uploads.JPEG: "JPEG", uploads.PNG: "PNG", uploads.WEBP: "WEBP", uploads.HEIC: "HEIF"}
ACCEPTED_FORMATS = set(PILLOW_FORMATS.values())
# Pillow's own limit (about 89 megapixels): a 64 MP phone photo passes; anything larger is refused
# before it is decoded, as a PNG or WebP that size would take gigabytes to decode.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
JPEG_QUALITY = 82
THUMB_QUALITY = 80
# A JPEG is decoded at a reduced scale (1/2, 1/4, 1/8, done by libjpeg in the DCT) while it stays at
# least this many times the target: Pillow's `thumbnail` default, indistinguishable from a full decode.
DRAFT_GAP = 2

# Formats identified only to name them in the refusal; none of them is ever decoded.
_NAMED_OTHER_FORMATS = ["GIF", "BMP", "TIFF", "PSD", "ICO", "JPEG2000", "AVIF", "PPM", "TGA"]
# Pillow calls a JPEG with a multi-picture (MP) extension, as some phones write, "MPO".
_FORMAT_ALIASES = {"MPO": "JPEG"}
# What a malformed file or EXIF block makes Pillow and its plugins raise.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, TypeError, KeyError)
# EXIF orientation → the turn that shows the picture upright (as ImageOps.exif_transpose does).
_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.createProfile("sRGB")
_ICC_MODES = {"RGB ": "RGB", "GRAY": "L", "CMYK": "CMYK"}


P = TypeVar("P", bound="AbstractPhoto")  # Photo, ProofPhoto, WorkPhoto


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo ready to store: the served JPEG and its thumbnail, and what the record keeps."""

    image: ContentFile  # JPEG, long edge ≤ LONG_EDGE, orientation applied, no EXIF/XMP/comment
    thumbnail: ContentFile  # JPEG, long edge ≤ THUMB_EDGE
    width: int
    height: int
    original_format: str  # one of ACCEPTED_FORMATS
    taken_at: dt.datetime | None  # aware, in the project's time zone (Asia/Shanghai)
    latitude: Decimal | None  # degrees, 6 places, south negative
    longitude: Decimal | None  # degrees, 6 places, west negative
    sha256: str  # of the uploaded bytes, to spot the same photo uploaded twice


def process_photo(upload: IO[bytes]) -> ProcessedPhoto:
    """Check an uploaded photo by its content and produce the files and metadata to store.

    `upload` is a Django `UploadedFile` or any file-like object with `read()` (`size`, `name` and
    `seek()` are used when present; the name's extension is ignored). Raises `ValidationError` with
    code `photo_too_large`, `photo_unreadable`, `photo_format` or `photo_too_many_pixels`.
    """
    data = uploads.read_upload(upload, UploadKind.PHOTO)
    content_type = uploads.sniff(data[:64])
    if content_type not in uploads.RULES[UploadKind.PHOTO].types:
        raise _not_accepted(data)
    pillow_format = PILLOW_FORMATS[content_type]
    # Decoded only as the type its bytes said: never by another format's plugin.
    formats = [pillow_format, *(alias for alias, fmt in _FORMAT_ALIASES.items() if fmt == pillow_format)]
    try:
        im = Image.open(io.BytesIO(data), formats=formats)
    except Image.DecompressionBombError as exc:  # over twice MAX_PIXELS: refused by Pillow on opening
        raise _too_many_pixels() from exc
    except _DECODE_ERRORS as exc:
        raise _not_accepted(data) from exc
    with im:
        if im.format is None:  # Image.open names the format it recognised
            raise _unreadable()
        original_format = _FORMAT_ALIASES.get(im.format, im.format)
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise _too_many_pixels()
        if im.format in ("JPEG", "MPO"):
            scale = LONG_EDGE * DRAFT_GAP / max(width, height)
            if scale < 1:
                im.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        # WeasyPrint, once imported in this process (printing a notice), turns Pillow's
        # LOAD_TRUNCATED_IMAGES on for everyone; an upload must still be refused when it is cut short.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            im.load()  # a truncated or corrupt image fails here
        except _DECODE_ERRORS as exc:
            raise _unreadable() from exc
        orientation, taken_at, latitude, longitude = _read_exif(im)
        icc_profile = im.info.get("icc_profile")
        picture = _resizable(im)

    picture.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
    # Turned upright after resizing (the box is square, so the result is the same) because turning the
    # full-size picture took a quarter of the time. HEIF arrives upright (pillow-heif resets the tag).
    if orientation is not None and (transpose := _ORIENTATION_TRANSPOSE.get(orientation)):
        picture = picture.transpose(transpose)
    picture = _to_srgb(picture, icc_profile)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    sha256 = hashlib.sha256(data).hexdigest()
    return ProcessedPhoto(
        image=ContentFile(_jpeg(picture, JPEG_QUALITY, progressive=True), name=f"{sha256[:16]}.jpg"),
        thumbnail=ContentFile(
            _jpeg(thumb, THUMB_QUALITY, progressive=False), name=f"{sha256[:16]}-thumb.jpg"
        ),
        width=picture.width,
        height=picture.height,
        original_format=original_format,
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
        sha256=sha256,
    )


def attach(photo: P, processed: ProcessedPhoto) -> P:
    """Store `processed`'s image and thumbnail for the unsaved `photo` row and copy the metadata every photo
    model keeps (original format, when taken, hash). Returns `photo`; the caller saves it.

    The row's `uploaded_at` must be set first: the models' upload paths are dated by it. Where the photo
    was taken is left to the caller: only an inspection's `Photo` keeps it, as evidence.
    """
    photo.original_format = processed.original_format
    photo.taken_at = processed.taken_at
    photo.sha256 = processed.sha256
    # The names are placeholders: every photo model's upload_to makes its own.
    photo.image.save("photo.jpg", processed.image, save=False)
    photo.thumbnail.save("thumb.jpg", processed.thumbnail, save=False)
    return photo


# --- reading and checking ----------------------------------------------------------------------------


def _unreadable() -> ValidationError:
    return ValidationError(
        _("无法识别该文件为照片，请上传 JPEG、PNG、WebP 或 HEIC 格式的图片。"), code="photo_unreadable"
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("照片像素过大（超过 %(limit)s 万像素），请缩小后重新上传。"),
        code="photo_too_many_pixels",
        params={"limit": MAX_PIXELS // 10_000},
    )


def _not_accepted(data: bytes) -> ValidationError:
    """The refusal for bytes none of the accepted formats recognised: named if it is another image format."""
    try:
        with Image.open(io.BytesIO(data), formats=_NAMED_OTHER_FORMATS) as other:
            name = other.format
    except (*_DECODE_ERRORS, Image.DecompressionBombError):
        return _unreadable()
    return ValidationError(
        _("不支持 %(format)s 格式，请上传 JPEG、PNG、WebP 或 HEIC。"),
        code="photo_format",
        params={"format": name},
    )


def _read_exif(im: Image.Image) -> tuple[int | None, dt.datetime | None, Decimal | None, Decimal | None]:
    """Orientation, and when and where the photo was taken, from its EXIF; None for what is missing or
    malformed (a broken EXIF block does not refuse the photo)."""
    try:
        exif = im.getexif()
        orientation = exif.get(ExifTags.Base.Orientation)
        orientation = orientation if isinstance(orientation, int) else None
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except _DECODE_ERRORS:
        return None, None, None, None
    taken_at = _exif_datetime(
        exif_ifd.get(ExifTags.Base.DateTimeOriginal), exif_ifd.get(ExifTags.Base.OffsetTimeOriginal)
    )
    latitude = _gps_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S", 90)
    longitude = _gps_degrees(
        gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W", 180
    )
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return orientation, taken_at, None, None  # (0, 0) is what some phones write when they have no fix
    return orientation, taken_at, latitude, longitude


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _exif_datetime(value: object, offset: object) -> dt.datetime | None:
    """EXIF "YYYY:MM:DD HH:MM:SS", local time of the camera: aware, in the project's time zone.

    With an OffsetTimeOriginal ("+08:00") the time is read in that offset; without one it is taken to be
    local time here, which is where inspections happen."""
    try:
        naive = dt.datetime.strptime(_text(value)[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # missing, blank or "0000:00:00 00:00:00"
    local = timezone.get_default_timezone()
    try:
        offset_time = dt.datetime.strptime(_text(offset), "%z")
    except ValueError:
        return timezone.make_aware(naive, local)
    return naive.replace(tzinfo=offset_time.tzinfo).astimezone(local)


def _gps_degrees(value: Any, ref: object, negative_ref: str, limit: int) -> Decimal | None:
    """Degrees from EXIF degrees, minutes, seconds (rationals), negative for S or W; None if invalid."""
    if value is None:
        return None
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    try:
        total = sum(
            (_fraction(part) / 60**i for i, part in enumerate(parts)),
            start=Fraction(0),
        )
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None
    if total > limit:
        return None
    if _text(ref).upper().startswith(negative_ref):
        total = -total
    degrees = Decimal(total.numerator) / Decimal(total.denominator)
    return degrees.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _fraction(value: Any) -> Fraction:
    numerator, denominator = getattr(value, "numerator", None), getattr(value, "denominator", None)
    if isinstance(numerator, int) and isinstance(denominator, int):  # IFDRational, int
        result = Fraction(numerator, denominator)  # ZeroDivisionError for x/0
    else:
        result = Fraction(value)  # float; ValueError for nan and inf
    if result < 0:
        raise ValueError("negative EXIF GPS component")
    return result


# --- producing the files -----------------------------------------------------------------------------


def _resizable(im: Image.Image) -> Image.Image:
    """The picture in RGB, L or CMYK (modes that resize well), transparency flattened onto white."""
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if im.mode in ("RGB", "L", "CMYK"):
        return im
    if im.mode.startswith("I"):  # 16-bit grey (PNG): scale to 8 bits rather than clip at 255
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return im.convert("RGB")


def _to_srgb(im: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB in sRGB: converted through the embedded colour profile (e.g. an iPhone's Display P3) if any."""
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            if _ICC_MODES.get(source.profile.xcolor_space) == im.mode:
                converted = ImageCms.profileToProfile(im, source, _SRGB, outputMode="RGB")
                if converted is not None:  # None only when converting in place, which this is not
                    return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: the colours as stored are close enough
    return im if im.mode == "RGB" else im.convert("RGB")


def _jpeg(im: Image.Image, quality: int, *, progressive: bool) -> bytes:
    im.info = {}  # nothing of the original's metadata (EXIF, XMP, comment) goes into the served file
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=quality, progressive=progressive, optimize=not progressive)
    return out.getvalue()
