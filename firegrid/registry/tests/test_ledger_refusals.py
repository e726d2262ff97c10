"""What a ledger import refuses: a landlord the importer may not see (never linked, never described), and
an .xlsx that would unpack to far more than a ledger (refused from its zip directory, before parsing)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from firegrid import testing as t
from firegrid.core.masking import mask_mobile
from firegrid.registry.ledger import samples, services
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.ledger.messages import render
from firegrid.registry.models import ImportJob, Landlord, Premises

pytestmark = pytest.mark.django_db

GRID_A = "樟树潭一网格"
OUTSIDE = "该证件号码属于您辖区外的房东，请联系上级"
ID_COLUMN = "F"  # 身份证号码 in the community sheet


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True


def checked(user, data_rows: list[list]) -> ImportJob:
    job = services.create_import_job(
        actor=user, kind="premises", upload=SimpleUploadedFile("台账.xlsx", samples.write_xlsx(data_rows))
    )
    columns = {int(i): k for i, k in job.mapping["columns"].items()}
    services.confirm_mapping(job, actor=user, columns=columns, default_grid=None)
    services.start_validation(job, actor=user)
    job.refresh_from_db()
    return job


def problems(job: ImportJob) -> list[tuple]:
    return [(p["row"], p["col"], render(p["message"])) for p in job.report]


def naming(landlord: Landlord, row: int = 0) -> list:
    """A community ledger row whose landlord column names `landlord` by ID number."""
    data = samples.community_row(row, GRID_A)
    data[5] = landlord.id_number
    return data


# --- a landlord outside the importer's scope -------------------------------------------------------------


def test_a_landlord_of_another_grid_is_an_error_and_is_not_linked(district, personas):
    user, victim = personas.grid_worker, district.landlord_b
    job = checked(user, [naming(victim), samples.community_row(3, GRID_A)])
    assert problems(job) == [(3, ID_COLUMN, OUTSIDE)]  # the title and header take rows 1-2
    report = str(job.report) + str(job.counts)
    assert victim.name not in report and mask_mobile(victim.mobile) not in report
    assert job.counts["landlord"] == {"created": 1, "updated": 0, "unchanged": 0}  # row 4's only
    with pytest.raises(ValidationError):
        services.start_commit(job, actor=user)
    assert list(Premises.objects.filter(landlord=victim)) == [district.premises_b]
    assert not Landlord.objects.visible_to(user).filter(pk=victim.pk).exists()


def test_a_landlord_registered_elsewhere_after_the_check_is_refused_at_commit(district, personas):
    user = personas.grid_worker
    job = checked(user, [samples.community_row(0, GRID_A)])
    assert job.status == ImportStatus.VALIDATED and job.error_count == 0
    # Meanwhile grid B registers the same person.
    t.make_landlord("浮石新房东", area=district.grid_b, id_number=samples.landlord_id(0))
    services.start_commit(job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and not job.committed
    assert problems(job) == [(3, ID_COLUMN, OUTSIDE)]
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()


def test_a_district_wide_importer_links_any_landlord(district, personas):
    admin, landlord = personas.admin, district.landlord_b
    job = checked(admin, [naming(landlord)])
    assert job.error_count == 0, problems(job)
    services.start_commit(job, actor=admin)
    assert Premises.objects.filter(landlord=landlord, building__grid=district.grid_a).count() == 1


def test_a_landlord_seen_through_a_premises_in_scope_is_linked(district, personas):
    """Registered in grid B but letting a premises in grid A: the grid A worker sees them."""
    landlord = t.make_landlord("跨网格房东", area=district.grid_b)
    t.make_premises(district.building_a, landlord, unit_label="3楼")
    user = personas.grid_worker
    job = checked(user, [naming(landlord)])
    assert job.error_count == 0, problems(job)
    services.start_commit(job, actor=user)
    assert Premises.objects.filter(landlord=landlord).count() == 2


# --- .xlsx bombs ------------------------------------------------------------------------------------------


def xlsx_bomb(unpacked_mb: int, *, level: int = 1) -> bytes:
    """A small .xlsx whose shared strings unpack to `unpacked_mb` MB of one repeated text. Written through
    a stream, a megabyte at a time: the test never holds the unpacked text."""
    block = ("<si><t>" + "出租房屋消防安全" * 64 + "</t></si>").encode()
    block *= (1 << 20) // len(block)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            written = 0
            while written < unpacked_mb << 20:
                member.write(block)
                written += len(block)
    return buffer.getvalue()


def upload_refused(user, data: bytes, name: str, monkeypatch) -> str:
    """The message refusing the upload; fails if the file was parsed or stored."""

    def parse(*args, **kwargs):
        raise AssertionError("the file was parsed before it was checked")

    monkeypatch.setattr(services, "open_ledger", parse)
    with pytest.raises(ValidationError) as refused:
        services.create_import_job(actor=user, kind="premises", upload=SimpleUploadedFile(name, data))
    assert not ImportJob.objects.exists()
    return " ".join(refused.value.messages)


def test_an_xlsx_that_unpacks_to_hundreds_of_mb_is_refused_before_parsing(district, personas, monkeypatch):
    data = xlsx_bomb(320)
    assert len(data) < 4 << 20  # what arrives is small
    message = upload_refused(personas.grid_worker, data, "樟树潭台账.xlsx", monkeypatch)
    assert (
        message == "「樟树潭台账.xlsx」解压后超过 300 MB，不像是台账，未读取。请检查文件，或拆分后分批导入。"
    )


def test_a_part_that_packs_too_well_is_refused_in_the_users_language(district, personas, monkeypatch):
    data = xlsx_bomb(20, level=9)  # far under the total, 300 : 1 and more
    with translation.override("en"):
        message = upload_refused(personas.grid_worker, data, "ledger.xlsx", monkeypatch)
    assert "ledger.xlsx" in message and "xl/sharedStrings.xml" in message and "100:1" in message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message.replace("ledger.xlsx", ""))


def test_the_limits_are_settings(district, personas, settings, monkeypatch):
    settings.FIREGRID_LEDGER_MAX_RATIO = 1000
    settings.FIREGRID_LEDGER_MAX_UNPACKED_MB = 10
    message = upload_refused(personas.grid_worker, xlsx_bomb(20, level=9), "台账.xlsx", monkeypatch)
    assert "超过 10 MB" in message
    settings.FIREGRID_LEDGER_MAX_MB = 1
    big = SimpleUploadedFile("台账.xlsx", b"PK\x03\x04" + b"\0" * (1 << 20))
    with pytest.raises(ValidationError, match="文件超过 1 MB"):
        services.create_import_job(actor=personas.grid_worker, kind="premises", upload=big)


def test_an_ordinary_ledger_passes_the_checks(district, personas):
    data = samples.write_xlsx(
        (samples.community_row(i, GRID_A) for i in range(3000)), write_only=True, blank_every=1000
    )
    job = services.create_import_job(
        actor=personas.grid_worker, kind="premises", upload=SimpleUploadedFile("台账.xlsx", data)
    )
    assert job.format == "xlsx" and "身份证号码" in job.headers
