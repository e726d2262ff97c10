"""Photo processing: accepted by content, resized and thumbnailed, orientation applied, when and where
read from EXIF, and the served file stripped of it. Images are made in memory with Pillow."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import re
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms
from PIL.JpegImagePlugin import JpegImageFile
from PIL.TiffImagePlugin import IFDRational

from firegrid.core.uploads import UploadKind, max_bytes
from firegrid.inspections.photos import (
    LONG_EDGE,
    THUMB_EDGE,
    ProcessedPhoto,
    process_photo,
)

MAX_UPLOAD_BYTES = max_bytes(UploadKind.PHOTO)  # FIREGRID_PHOTO_MAX_MB, 15 by default

CJK = re.compile(r"[\u4e00-\u9fff]")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


# --- helpers -------------------------------------------------------------------------------------------


def picture(size=(400, 300), mode="RGB") -> Image.Image:
    """A picture with content: a gradient, and a red block in the top-left corner to follow rotations."""
    im = Image.linear_gradient("L").resize(size).convert(mode)
    corner = Image.new(mode, (size[0] // 4, size[1] // 4), RED if mode != "L" else 0)
    im.paste(corner, (0, 0))
    return im


def encode(im: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **params)
    return buf.getvalue()


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def rational(value: float, denominator: int = 100) -> IFDRational:
    return IFDRational(round(value * denominator), denominator)


def dms(degrees: int, minutes: int, seconds: float) -> tuple[IFDRational, ...]:
    return (IFDRational(degrees, 1), IFDRational(minutes, 1), rational(seconds))


def exif_with(*, orientation=None, taken=None, offset=None, gps=None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if taken or offset:
        exif_ifd = {}
        if taken:
            exif_ifd[ExifTags.Base.DateTimeOriginal] = taken
        if offset:
            exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
        exif[ExifTags.IFD.Exif] = exif_ifd
    if gps:
        exif[ExifTags.IFD.GPSInfo] = gps
    return exif


QUZHOU_LAT, QUZHOU_LNG = dms(28, 58, 48), dms(118, 55, 48)  # 28.98 N, 118.93 E


def china_gps(lat=QUZHOU_LAT, lat_ref="N", lng=QUZHOU_LNG, lng_ref="E") -> dict:
    """GPS tags in degrees, minutes, seconds; by default a point in Quzhou."""
    return {
        ExifTags.GPS.GPSLatitudeRef: lat_ref,
        ExifTags.GPS.GPSLatitude: lat,
        ExifTags.GPS.GPSLongitudeRef: lng_ref,
        ExifTags.GPS.GPSLongitude: lng,
    }


def reopened(file) -> Image.Image:
    file.seek(0)
    im = Image.open(io.BytesIO(file.read()))
    im.load()
    return im


def assert_clean_jpeg(file) -> Image.Image:
    """The served file: a JPEG in RGB with no EXIF, GPS, XMP, comment or colour profile."""
    im = reopened(file)
    assert im.format == "JPEG"
    assert im.mode == "RGB"
    assert "exif" not in im.info
    assert not im.getexif()
    assert not im.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    for key in ("xmp", "comment", "icc_profile"):
        assert not im.info.get(key), key
    return im


def refusal(data: bytes | None = None, name: str = "photo.jpg", *, file=None, code: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        process_photo(file if file is not None else upload(data, name))
    error = caught.value
    assert error.code == code
    assert error.error_list[0].code == code
    assert CJK.search(error.messages[0]), error.messages[0]
    return error


# --- accepted photos -----------------------------------------------------------------------------------


def test_plain_jpeg():
    data = encode(picture(), "JPEG", quality=90)
    result = process_photo(upload(data))
    assert isinstance(result, ProcessedPhoto)
    assert (result.width, result.height) == (400, 300)
    assert result.original_format == "JPEG"
    assert result.taken_at is result.latitude is result.longitude is None
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.image.name.endswith(".jpg") and result.thumbnail.name.endswith(".jpg")
    im = assert_clean_jpeg(result.image)
    assert im.size == (400, 300)
    assert im.info.get("progressive") or im.info.get("progression")
    assert assert_clean_jpeg(result.thumbnail).size == (THUMB_EDGE, 240)


def test_exif_orientation_is_applied():
    """Orientation 6: the stored 400×200 picture is shown turned 90° clockwise, 200×400."""
    data = encode(picture((400, 200)), "JPEG", quality=95, exif=exif_with(orientation=6))
    result = process_photo(upload(data))
    assert (result.width, result.height) == (200, 400)
    im = assert_clean_jpeg(result.image)
    assert im.size == (200, 400)
    # The red block, top left as stored, is top right once turned clockwise.
    r, g, b = im.getpixel((190, 10))
    assert r > 200 and g < 60 and b < 60
    assert reopened(result.thumbnail).size == (160, THUMB_EDGE)


# How a camera stores an upright picture under each EXIF orientation (each undoes its own turn).
STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", STORED_AS)
def test_every_orientation_comes_out_upright(orientation):
    upright = picture((400, 200))
    stored = upright.transpose(STORED_AS[orientation]) if STORED_AS[orientation] else upright
    data = encode(stored, "JPEG", quality=95, exif=exif_with(orientation=orientation))
    im = reopened(process_photo(upload(data)).image)
    assert im.size == (400, 200)
    r, g, b = im.getpixel((10, 10))  # the red block is top left again
    assert r > 200 and g < 60 and b < 60
    assert max(im.getpixel((390, 190))) > 200  # and the light end of the gradient bottom right


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_malformed_exif_does_not_refuse_the_photo():
    data = encode(picture(), "JPEG", exif=b"Exif\x00\x00II*\x00\xff\xff\xff\x7fbroken")
    result = process_photo(upload(data))
    assert (result.width, result.height) == (400, 300)
    assert result.taken_at is result.latitude is None
    assert_clean_jpeg(result.image)


def test_gps_position_is_read_and_stripped():
    data = encode(picture(), "JPEG", exif=exif_with(gps=china_gps()))
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it was there
    result = process_photo(upload(data))
    assert isinstance(result.latitude, Decimal) and isinstance(result.longitude, Decimal)
    assert abs(result.latitude - Decimal("28.98")) < Decimal("0.00001")
    assert abs(result.longitude - Decimal("118.93")) < Decimal("0.00001")
    assert result.latitude.as_tuple().exponent == -6
    assert_clean_jpeg(result.image)
    assert_clean_jpeg(result.thumbnail)


def test_gps_south_and_west_are_negative():
    gps = china_gps(lat=dms(33, 51, 54), lat_ref="S", lng=dms(151, 12, 36), lng_ref="W")
    result = process_photo(upload(encode(picture(), "JPEG", exif=exif_with(gps=gps))))
    assert result.latitude == Decimal("-33.865000")
    assert result.longitude == Decimal("-151.210000")


@pytest.mark.parametrize(
    "gps",
    [
        china_gps(lat=(IFDRational(28, 0), IFDRational(0, 1), IFDRational(0, 1))),  # x/0
        china_gps(lat=dms(95, 0, 0)),  # past the pole
        china_gps(lat=dms(0, 0, 0), lng=dms(0, 0, 0)),  # what a phone without a fix writes
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: dms(28, 58, 48)},  # no longitude
    ],
    ids=["zero-denominator", "out-of-range", "null-island", "latitude-only"],
)
def test_unusable_gps_is_no_position(gps):
    result = process_photo(upload(encode(picture(), "JPEG", exif=exif_with(gps=gps))))
    assert result.latitude is None and result.longitude is None


def test_taken_at_from_date_time_original():
    data = encode(picture(), "JPEG", exif=exif_with(taken="2024:05:06 14:30:15"))
    result = process_photo(upload(data))
    assert result.taken_at == dt.datetime(2024, 5, 6, 14, 30, 15, tzinfo=SHANGHAI)
    assert result.taken_at.utcoffset() == dt.timedelta(hours=8)
    assert str(result.taken_at.tzinfo) == "Asia/Shanghai"
    assert_clean_jpeg(result.image)


def test_taken_at_respects_the_recorded_offset():
    data = encode(picture(), "JPEG", exif=exif_with(taken="2024:05:06 06:30:00", offset="+00:00"))
    result = process_photo(upload(data))
    assert result.taken_at == dt.datetime(2024, 5, 6, 14, 30, tzinfo=SHANGHAI)
    assert str(result.taken_at.tzinfo) == "Asia/Shanghai"


@pytest.mark.parametrize("value", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday"])
def test_blank_or_bad_date_is_no_date(value):
    result = process_photo(upload(encode(picture(), "JPEG", exif=exif_with(taken=value))))
    assert result.taken_at is None


def test_large_photo_is_resized_and_thumbnailed():
    data = encode(picture((4000, 3000)), "JPEG", quality=85)
    result = process_photo(upload(data))
    assert (result.width, result.height) == (LONG_EDGE, 1200)
    assert assert_clean_jpeg(result.image).size == (LONG_EDGE, 1200)
    assert assert_clean_jpeg(result.thumbnail).size == (THUMB_EDGE, 240)
    assert result.image.size < len(data)


def test_large_portrait_photo_with_orientation():
    """A 4000×3000 sensor picture shot upright (orientation 8): 1200×1600, still upright after draft decoding."""
    data = encode(picture((4000, 3000)), "JPEG", quality=85, exif=exif_with(orientation=8))
    result = process_photo(upload(data))
    assert (result.width, result.height) == (1200, LONG_EDGE)
    im = reopened(result.image)
    # Turned anticlockwise, the red block (top left as stored) is bottom left.
    r, g, b = im.getpixel((20, LONG_EDGE - 20))
    assert r > 200 and g < 60 and b < 60


def test_very_large_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    """A 48 MP phone JPEG (8000×6000) is decoded at half scale, still twice the served size."""
    drafts = []
    draft = JpegImageFile.draft

    def spy(self, mode, size):
        result = draft(self, mode, size)
        drafts.append(self.size)
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    data = encode(Image.new("RGB", (8000, 6000), BLUE), "JPEG", quality=70)
    result = process_photo(upload(data))
    assert drafts[0] == (4000, 3000)  # (thumbnail() asks again, too late to matter)
    assert (result.width, result.height) == (LONG_EDGE, 1200)


def test_png_with_transparency_becomes_rgb_on_white():
    im = picture(mode="RGBA")
    im.paste((0, 0, 0, 0), (200, 150, 400, 300))  # the bottom-right quarter fully transparent
    result = process_photo(upload(encode(im, "PNG"), "photo.png"))
    assert result.original_format == "PNG"
    out = assert_clean_jpeg(result.image)
    assert all(channel > 245 for channel in out.getpixel((350, 250)))


def test_palette_png_with_transparent_colour():
    im = Image.new("P", (100, 100), 0)
    im.putpalette([0, 0, 0, *RED])
    im.paste(1, (0, 0, 50, 100))
    data = encode(im, "PNG", transparency=0)
    out = assert_clean_jpeg(process_photo(upload(data, "a.png")).image)
    assert all(channel > 245 for channel in out.getpixel((80, 50)))  # transparent black → white
    r, g, b = out.getpixel((20, 50))
    assert r > 200 and g < 60 and b < 60


def test_sixteen_bit_grey_png_is_scaled_not_clipped():
    data = encode(Image.new("I;16", (64, 64), 32768), "PNG")
    out = assert_clean_jpeg(process_photo(upload(data, "grey.png")).image)
    assert all(120 <= channel <= 136 for channel in out.getpixel((32, 32)))


def test_cmyk_jpeg_becomes_rgb():
    data = encode(Image.new("CMYK", (100, 80), (0, 255, 255, 0)), "JPEG")  # red in CMYK
    result = process_photo(upload(data))
    r, g, b = assert_clean_jpeg(result.image).getpixel((50, 40))
    assert r > 200 and g < 60 and b < 60


def test_colour_profile_is_applied_not_copied():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(picture(), "JPEG", icc_profile=srgb)
    assert Image.open(io.BytesIO(data)).info.get("icc_profile")
    assert_clean_jpeg(process_photo(upload(data)).image)


def test_webp_is_accepted():
    data = encode(picture(), "WEBP", quality=90, exif=exif_with(gps=china_gps()))
    result = process_photo(upload(data, "photo.webp"))
    assert result.original_format == "WEBP"
    assert (result.width, result.height) == (400, 300)
    assert abs(result.latitude - Decimal("28.98")) < Decimal("0.00001")
    assert_clean_jpeg(result.image)


def test_heic_is_accepted():
    exif = exif_with(taken="2024:05:06 14:30:00", gps=china_gps())
    data = encode(picture(), "HEIF", quality=90, exif=exif.tobytes())
    result = process_photo(upload(data, "IMG_0001.HEIC"))
    assert result.original_format == "HEIF"
    assert (result.width, result.height) == (400, 300)
    assert result.taken_at == dt.datetime(2024, 5, 6, 14, 30, tzinfo=SHANGHAI)
    assert abs(result.longitude - Decimal("118.93")) < Decimal("0.00001")
    assert_clean_jpeg(result.image)
    assert_clean_jpeg(result.thumbnail)


def test_multi_picture_jpeg_is_a_jpeg():
    """Some phones write JPEGs with a multi-picture extension, which Pillow calls MPO."""
    buf = io.BytesIO()
    picture().save(buf, format="MPO", save_all=True, append_images=[picture()])
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"
    result = process_photo(upload(buf.getvalue()))
    assert result.original_format == "JPEG"
    assert (result.width, result.height) == (400, 300)


def test_extension_is_ignored():
    result = process_photo(upload(encode(picture(), "PNG"), "photo.jpg"))
    assert result.original_format == "PNG"


def test_comment_and_xmp_are_stripped():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>28,58.8N</exif:GPSLatitude></x:xmpmeta>'
    data = encode(picture(), "JPEG", comment=b"Zhang San, 13800138000", xmp=xmp)
    assert Image.open(io.BytesIO(data)).info.get("comment")
    assert_clean_jpeg(process_photo(upload(data)).image)


def test_upload_already_read_is_read_from_the_start():
    """A form's ImageField reads the file to check it; the photo is still read whole."""
    data = encode(picture(), "JPEG")
    file = upload(data)
    file.read()
    result = process_photo(file)
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_plain_file_object_without_size():
    result = process_photo(io.BytesIO(encode(picture(), "WEBP")))
    assert result.original_format == "WEBP"


def test_sha256_is_of_the_uploaded_bytes():
    data = encode(picture(), "PNG")
    assert process_photo(upload(data, "p.png")).sha256 == hashlib.sha256(data).hexdigest()


# --- refused photos ------------------------------------------------------------------------------------


class Claims16MB:
    """An upload whose size says 16 MB; reading it would fail the test."""

    name = "big.jpg"
    size = 16 * 1024 * 1024

    def read(self, *args):
        raise AssertionError("read before the size was checked")


def test_too_large_is_refused_before_reading():
    error = refusal(file=Claims16MB(), code="photo_too_large")
    assert "16.0 MB" in error.messages[0]


def test_too_large_upload():
    data = encode(picture(), "JPEG")
    error = refusal(data + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(data)), code="photo_too_large")
    assert "15.1 MB" in error.messages[0]  # rounded up: never "15.0 MB" for a file over the limit


def test_too_large_without_a_size_is_refused_after_reading_the_limit():
    refusal(file=io.BytesIO(b"\xff\xd8" + b"\0" * MAX_UPLOAD_BYTES), code="photo_too_large")


def test_the_limit_is_a_setting(settings):
    settings.FIREGRID_PHOTO_MAX_MB = 1
    data = encode(picture(), "JPEG")
    error = refusal(data + b"\0" * (1024 * 1024 + 1 - len(data)), code="photo_too_large")
    assert error.messages[0].startswith("照片不能超过1 MB（此文件 1.1 MB）")


def test_exactly_the_limit_is_not_too_large():
    data = encode(picture(), "PNG")
    # PNG ignores bytes after IEND, so padding makes a valid 15 MB PNG.
    result = process_photo(upload(data + b"\0" * (MAX_UPLOAD_BYTES - len(data)), "p.png"))
    assert result.original_format == "PNG"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_format_is_named(fmt):
    error = refusal(encode(picture(), fmt), "photo.jpg", code="photo_format")
    assert fmt in error.messages[0]


def test_random_bytes_are_unreadable():
    data = random.Random(20240506).randbytes(50_000)
    refusal(data, "x.jpg", code="photo_unreadable")


def test_pdf_named_jpg_is_unreadable():
    refusal(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "photo.jpg",
        code="photo_unreadable",
    )


def test_empty_file_is_unreadable():
    refusal(b"", "photo.jpg", code="photo_unreadable")


@pytest.mark.parametrize("size", [(400, 300), (4000, 3000)], ids=["small", "draft-decoded"])
def test_truncated_jpeg_is_unreadable(size):
    data = encode(picture(size), "JPEG")
    refusal(data[: len(data) // 2], code="photo_unreadable")


def test_truncated_png_is_unreadable():
    data = encode(picture(), "PNG")
    refusal(data[: len(data) // 2], "photo.png", code="photo_unreadable")


def test_truncated_heic_is_unreadable():
    data = encode(picture(), "HEIF")
    refusal(data[: len(data) // 2], "photo.heic", code="photo_unreadable")


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size and has no pixels: enough for Pillow to open it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused():
    refusal(png_header(40_000, 40_000), "bomb.png", code="photo_too_many_pixels")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_more_pixels_than_the_limit_is_refused():
    refusal(png_header(12_000, 8_000), "big.png", code="photo_too_many_pixels")


def test_a_truncated_photo_is_refused_even_after_a_pdf_was_printed():
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES globally when it is imported."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    data = encode(picture((800, 600)), "JPEG")
    try:
        with pytest.raises(ValidationError):
            process_photo(upload(data[: len(data) // 2]))
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
