"""Small explicit builders for tests, the demo and benchmarks. Each returns a saved object.

Builders write rows directly (no audit entries): they set the scene; the behaviour under test goes
through services.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from firegrid.areas.choices import DepartmentKind
from firegrid.areas.models import Area, Department, Unit, User
from firegrid.core.validators import id_check_character
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

_seq = itertools.count(1)
PASSWORD = "firegrid-test-pass"


def valid_id_number(serial: int | None = None, region: str = "330803", born: str = "19800101") -> str:
    """A resident ID number with a correct check character (GB 11643-1999); not a real person."""
    serial = next(_seq) if serial is None else serial
    first17 = f"{region}{born}{serial % 1000:03d}"
    return first17 + id_check_character(first17)


def make_area(level: str, name: str, parent: Area | None = None, code: str | None = None) -> Area:
    area = Area.objects.create(
        parent=parent, level=level, name=name, code=code or f"{330803000000 + next(_seq)}"
    )
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    return area


def make_unit(name: str | None = None, **kw) -> Unit:
    return Unit.objects.create(name=name or f"单位{next(_seq)}", **kw)


def make_department(name: str | None = None, kind: str = DepartmentKind.FIRE) -> Department:
    return Department.objects.create(name=name or f"部门{next(_seq)}", kind=kind)


def make_user(username: str, role: str, areas: Sequence[Area] = (), **kw: Any) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, full_name=kw.pop("full_name", username), **kw
    )
    if areas:
        user.areas.set(areas)
    return user


def make_landlord(name: str | None = None, area: Area | None = None, **kw) -> Landlord:
    n = next(_seq)
    kw.setdefault("id_number", valid_id_number(n))
    kw.setdefault("mobile", f"138{n:08d}"[-11:])
    return Landlord.objects.create(name=name or f"房东{n}", area=area, **kw)


def make_building(grid: Area, address: str | None = None, **kw) -> Building:
    kw.setdefault("floors", 4)
    return Building.objects.create(grid=grid, address=address or f"樟潭街道测试路{next(_seq)}号", **kw)


def make_premises(
    building: Building, landlord: Landlord, kind: str = PremisesKind.RESIDENTIAL, **kw
) -> Premises:
    kw.setdefault("unit_label", f"{next(_seq)}室")
    kw.setdefault("floor_area_m2", Decimal("120"))
    if kind != PremisesKind.RESIDENTIAL:
        kw.setdefault("business_name", f"测试商行{next(_seq)}")
    return Premises.objects.create(building=building, landlord=landlord, kind=kind, **kw)


def make_room(premises: Premises, number: str | None = None, **kw) -> Room:
    kw.setdefault("area_m2", Decimal("15"))
    kw.setdefault("occupants", 1)
    return Room.objects.create(premises=premises, number=number or f"{next(_seq)}", **kw)


def make_tenant(premises: Premises, **kw) -> TenantHousehold:
    n = next(_seq)
    kw.setdefault("id_number", valid_id_number(n, born="19950505"))
    kw.setdefault("mobile", f"139{n:08d}"[-11:])
    kw.setdefault("moved_in", dt.date(2019, 3, 1))
    return TenantHousehold.objects.create(premises=premises, head_name=kw.pop("head_name", f"租户{n}"), **kw)


def pdf_text(data: bytes) -> str:
    """The text of a PDF, page after page (one string per page, joined by form feeds). pypdf is a test
    dependency, so it is imported only when this is called: the demo imports this module too."""
    import io

    from pypdf import PdfReader

    return "\f".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- uploaded files: real files of each type core.uploads accepts, made in memory -------------------------

# The smallest well-formed PDF: one empty A4 page.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def sample_image(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small picture encoded as `fmt` (JPEG, PNG, WEBP, HEIF …) by Pillow."""
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=fmt)
    return out.getvalue()


def sample_xlsx() -> bytes:
    """A one-sheet workbook written by openpyxl."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "网格"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sample_docx() -> bytes:
    """A minimal Word document: the parts core.uploads looks for in the zip."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()
