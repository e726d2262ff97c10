"""Uploaded files, checked by their content before anything keeps them: the one place that says what
each kind of upload may be and how large it may be.

Three kinds (`UploadKind`), each with its accepted types and a size limit in settings:

- photos (an inspection's, a plan's proof, a booking's work photos; `FIREGRID_PHOTO_MAX_MB`): JPEG, PNG,
  WebP, HEIC; `firegrid.inspections.photos` then decodes and re-encodes them, so only a JPEG is stored;
- attachments (an enforcement step's scans, a task reply's file; `FIREGRID_ATTACHMENT_MAX_MB`): PDF,
  JPEG, PNG, HEIC, Word, Excel;
- ledgers (台账; `FIREGRID_LEDGER_MAX_MB`): .xlsx or CSV text, then read by `firegrid.registry.ledger`.

The type is read from the bytes (magic numbers, the parts of a zip or an OLE file, Pillow for images),
never from the file name or the Content-Type the client sent. HTML and SVG are accepted nowhere: served
from our origin, their script would run as the site (issue 10: an "attachment" x.pdf that was HTML).
Forms, API serializers and services all call `check_upload`; the checked type goes into the stored
file's name (`stored_name`), and the file is served with the type read back from it
(`stored_content_type`, used by `firegrid.core.responses.uploaded_file_response`).
"""

from __future__ import annotations

import codecs
import io
import math
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from firegrid.core.tables import enumerate_items

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
CSV = "text/csv"
# Recognised only to be refused (by name where it helps the user).
HTML = "text/html"
SVG = "image/svg+xml"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
OCTET_STREAM = "application/octet-stream"

# The extension a stored file gets for its checked type, and the label a refusal lists it under.
EXTENSIONS = {
    JPEG: "jpg",
    PNG: "png",
    WEBP: "webp",
    HEIC: "heic",
    PDF: "pdf",
    DOCX: "docx",
    DOC: "doc",
    XLSX: "xlsx",
    XLS: "xls",
    CSV: "csv",
}
LABELS = {
    JPEG: "JPEG",
    PNG: "PNG",
    WEBP: "WebP",
    HEIC: "HEIC",
    PDF: "PDF",
    DOCX: "Word",
    DOC: "Word",
    XLSX: "Excel",
    XLS: "Excel",
    CSV: "CSV",
}
_BY_EXTENSION = {extension: content_type for content_type, extension in EXTENSIONS.items()} | {"jpeg": JPEG}

# HEIF brands of phone photos (iPhone: heic, mif1); "avif" is another format, refused as such.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream names (UTF-16 in the OLE directory) that tell an old Word file from an old Excel one.
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_HEAD_BYTES = 64 * 1024
_MIB = 1024 * 1024


class UploadKind(StrEnum):
    PHOTO = "photo"
    ATTACHMENT = "attachment"
    LEDGER = "ledger"


@dataclass(frozen=True)
class UploadRule:
    """What one kind of upload may be: its accepted types, and the setting holding its limit in MB."""

    types: tuple[str, ...]  # in the order a refusal lists them
    setting: str


RULES: dict[UploadKind, UploadRule] = {
    UploadKind.PHOTO: UploadRule((JPEG, PNG, WEBP, HEIC), "FIREGRID_PHOTO_MAX_MB"),
    UploadKind.ATTACHMENT: UploadRule(
        (PDF, JPEG, PNG, HEIC, DOCX, DOC, XLSX, XLS), "FIREGRID_ATTACHMENT_MAX_MB"
    ),
    UploadKind.LEDGER: UploadRule((XLSX, CSV), "FIREGRID_LEDGER_MAX_MB"),
}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed its kind's checks: the type read from its content, and its size."""

    content_type: str
    size: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def max_mb(kind: UploadKind) -> int:
    return int(getattr(settings, RULES[kind].setting))


def max_bytes(kind: UploadKind) -> int:
    return max_mb(kind) * _MIB


def accepted_labels(kind: UploadKind) -> str:
    """What a refusal or a help text says the kind accepts: PDF、JPEG、PNG、HEIC、Word、Excel."""
    return enumerate_items(dict.fromkeys(LABELS[t] for t in RULES[kind].types))


def upload_name(upload: object) -> str:
    """The name the client gave the file, without any folder: for messages and downloads only."""
    name = str(getattr(upload, "name", "") or "")
    return name.replace("\\", "/").rsplit("/", 1)[-1]


# --- checking ------------------------------------------------------------------------------------------


def check_upload(upload: IO[bytes], kind: UploadKind) -> CheckedUpload:
    """Check an upload of `kind` by its size and content; raise ValidationError naming the file if refused.

    Reads the file's head (and, for a zip or an old Office file, its directory); leaves it at the start.
    """
    size = measure(upload, kind)
    head = upload.read(_HEAD_BYTES)
    content_type = sniff(head)
    if content_type == ZIP:
        content_type = _zip_type(upload)
    elif content_type == OLE:
        content_type = _ole_type(upload)
    upload.seek(0)
    if content_type not in RULES[kind].types:
        raise _wrong_type(kind, upload, content_type)
    if content_type in (JPEG, PNG, WEBP, HEIC) and not _image_opens(upload, content_type):
        raise _damaged(kind, upload)
    upload.seek(0)
    return CheckedUpload(content_type, size)


def check_uploads(
    uploads: Sequence[IO[bytes]], kind: UploadKind, *, most: int | None = None
) -> list[CheckedUpload]:
    """Check several uploads of `kind` (at most `most`); one ValidationError listing every refusal, one
    message per refused file."""
    if most is not None and len(uploads) > most:
        raise ValidationError(_("最多上传 %(n)s 个附件。"), code="too_many_uploads", params={"n": most})
    checked: list[CheckedUpload] = []
    refusals: list[ValidationError] = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload, kind))
        except ValidationError as exc:
            refusals.extend(exc.error_list)
    if refusals:
        raise ValidationError(refusals)
    return checked


def measure(upload: IO[bytes], kind: UploadKind) -> int:
    """The upload's size in bytes, refused over the kind's limit: first by the size it states (without
    reading it), then by its real size. Leaves the file at the start."""
    limit = max_bytes(kind)
    stated = getattr(upload, "size", None)
    if isinstance(stated, int) and stated > limit:
        raise too_large(kind, upload, stated)
    # Every upload Django hands over can seek (in memory, or a temporary file): its real size.
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    if size > limit:
        raise too_large(kind, upload, size)
    return size


def read_upload(upload: IO[bytes], kind: UploadKind) -> bytes:
    """The upload's bytes, refused over the kind's limit before reading it when its size is known, and
    after reading at most the limit otherwise (the size an upload claims is not trusted)."""
    limit = max_bytes(kind)
    stated = getattr(upload, "size", None)
    if isinstance(stated, int) and stated > limit:
        raise too_large(kind, upload, stated)
    try:
        upload.seek(0)  # a form's field may have read it already
    except (AttributeError, OSError, ValueError):
        pass
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(kind, upload, stated if isinstance(stated, int) and stated > limit else len(data))
    return data


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes: ZIP and OLE for containers (`check_upload` looks inside),
    HTML or SVG for markup, CSV for other text; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    if head.startswith(_OLE_MAGIC):
        return OLE
    text = _text(head)
    if text is None:
        return None
    stripped = text.lstrip("\ufeff \t\r\n").lower()
    if stripped.startswith("<"):  # no ledger row starts with "<"; every HTML, XML and SVG file does
        return SVG if "<svg" in stripped[:4096] else HTML
    return CSV


def _text(head: bytes) -> str | None:
    """The head as text (UTF-8, else GB18030, as the ledger reader tries them), or None for binary."""
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            # Not final: the head may end inside a character.
            return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
    return None


def _zip_type(upload: IO[bytes]) -> str:
    """A zip is a Word or Excel file when it holds their main part; only its directory is read."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ZIP
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return ZIP


def _ole_type(upload: IO[bytes]) -> str:
    """An old Office file (OLE compound file) is Word or Excel by the streams its directory names."""
    upload.seek(0)
    data = upload.read()
    if _WORD_STREAM in data:
        return DOC
    if any(stream in data for stream in _EXCEL_STREAMS):
        return XLS
    return OLE


def _image_opens(upload: IO[bytes], content_type: str) -> bool:
    """Pillow recognises the image as the type its first bytes claim and finds nothing broken in it."""
    # Imported here: Pillow and the HEIF decoder load only in processes that take images.
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    formats = {JPEG: ["JPEG", "MPO"], PNG: ["PNG"], WEBP: ["WEBP"], HEIC: ["HEIF"]}[content_type]
    upload.seek(0)
    try:
        with Image.open(io.BytesIO(upload.read()), formats=formats) as image:
            image.verify()
    except Exception:  # Pillow and its plugins raise many kinds on a broken or oversized image
        return False
    return True


# --- refusals ------------------------------------------------------------------------------------------


def _mb(size: int) -> str:
    # Rounded up, so a file just over the limit never reads as the limit ("15.0 MB").
    return f"{math.ceil(size * 10 / _MIB) / 10:.1f}"


def too_large(kind: UploadKind, upload: object, size: int) -> ValidationError:
    limit, name = max_mb(kind), upload_name(upload)
    if kind == UploadKind.PHOTO:
        return ValidationError(
            _("照片不能超过%(limit)s MB（此文件 %(size)s MB）。"),
            code="photo_too_large",
            params={"limit": limit, "size": _mb(size)},
        )
    if kind == UploadKind.LEDGER:
        return ValidationError(
            _("文件超过 %(mb)s MB，请拆分后分批导入。"), code="ledger_too_large", params={"mb": limit}
        )
    return ValidationError(
        _("%(name)s 超过 %(mb)s MB。"), code="attachment_too_large", params={"name": name, "mb": limit}
    )


def _wrong_type(kind: UploadKind, upload: object, content_type: str | None) -> ValidationError:
    name = upload_name(upload)
    if kind == UploadKind.LEDGER:
        # The ledger reader's own messages, so the page says the same whichever check found it.
        if content_type in (DOC, XLS, OLE):
            message = _("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 或 .csv 后上传。")
        elif content_type in (ZIP, DOCX):
            message = _("文件不是 Excel 工作簿（.xlsx）。")
        else:
            message = _("文件不是 .xlsx 或 .csv 表格。")
        return ValidationError(message, code="ledger_type")
    return ValidationError(
        _("%(name)s 的格式不支持（可上传 %(kinds)s）。"),
        code=f"{kind}_type",
        params={"name": name, "kinds": accepted_labels(kind)},
    )


def _damaged(kind: UploadKind, upload: object) -> ValidationError:
    return ValidationError(
        _("%(name)s 已损坏，无法读取。"), code=f"{kind}_damaged", params={"name": upload_name(upload)}
    )


# --- storing and serving -------------------------------------------------------------------------------


def stored_name(checked: CheckedUpload) -> str:
    """The name to store a checked upload under: its extension is the checked type (the upload_to
    functions keep only the extension), whatever the client called the file."""
    return f"upload.{checked.extension}"


def stored_content_type(stored: str) -> str:
    """The type of a stored upload, from the extension `stored_name` gave it; a file stored before the
    checks (another extension) is plain bytes, so it is downloaded, never shown."""
    extension = stored.rsplit(".", 1)[-1].lower() if "." in stored else ""
    return _BY_EXTENSION.get(extension, OCTET_STREAM)


def download_name(name: str, content_type: str) -> str:
    """The client's file name, ending in the extension of the type it is served as (x.html that is a PDF
    downloads as x.html.pdf)."""
    extension = EXTENSIONS.get(content_type)
    if not extension:
        return name
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if _BY_EXTENSION.get(suffix) == content_type:
        return name
    return f"{name}.{extension}"
