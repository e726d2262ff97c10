"""A ledger job's problems, notes and failure are stored without a language and shown in the reader's:
an English user sees English for a job that ran in Chinese (the background thread's language), and
the reverse — on the job page and in the .xlsx problem report."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from firegrid.conftest import assert_status
from firegrid.registry.ledger import runner, samples, services
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.ledger.messages import deferred, encode_lines, render, render_lines
from firegrid.registry.models import ImportJob

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True


def checked_job(user, data_rows):
    job = services.create_import_job(
        actor=user, kind="premises", upload=SimpleUploadedFile("台账.xlsx", samples.write_xlsx(data_rows))
    )
    columns = {int(i): key for i, key in job.mapping["columns"].items()}
    services.confirm_mapping(job, actor=user, columns=columns, default_grid=job.mapping.get("default_grid"))
    services.start_validation(job, actor=user)
    job.refresh_from_db()
    return job


def bad_rows():
    """Three problems of three origins: the grid resolver (a message with a parameter), a cell converter,
    and a model's own clean() (a lazy message, wrapped with its field's lazy label)."""
    data_rows = [samples.community_row(i, "樟树潭一网格") for i in range(3)]
    data_rows[0][1] = "浮石一网格"  # the outsider's grid
    data_rows[1][10] = "八十"  # not a number
    data_rows[2][8] = "121"  # on floor 121: its new building would have 121 floors (at most 120)
    return data_rows


def expected(language: str) -> list[str]:
    """The three messages as gettext gives them in that language, built from their msgids."""
    with translation.override(language):
        return [
            gettext("网格「%(grid)s」不在您的管辖范围内，不能导入。") % {"grid": "浮石一网格"},
            gettext("应填写数字，而不是「%(value)s」。") % {"value": "八十"},
            gettext("%(field)s：%(message)s")
            % {
                "field": gettext("地上层数"),
                "message": gettext("Ensure this value is less than or equal to %(limit_value)s.")
                % {"limit_value": 120},
            },
        ]


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_an_english_user_reads_a_chinese_run_in_english(login, district, personas):
    user = personas.grid_worker
    job = checked_job(user, bad_rows())  # run while Chinese is active, as the background thread runs
    assert job.error_count == 3
    english_messages, chinese_messages = expected("en"), expected("zh-hans")
    # The translations exist, so a Chinese string stored by the run would show here.
    assert all(CJK.search(m.replace("浮石一网格", "").replace("八十", "")) is None for m in english_messages)
    assert english_messages != chinese_messages

    page = english(login(user)).get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    for message in english_messages:
        assert f">{message}</td>" in page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    for message in chinese_messages:
        assert message not in page

    # The same job to a Chinese user: Chinese.
    page = login(user).get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    for message in chinese_messages:
        assert message in page


def test_the_problem_report_speaks_the_downloaders_language(login, district, personas):
    user = personas.grid_worker
    job = checked_job(user, bad_rows())
    response = english(login(user)).get(reverse("registry:ledger_report", args=[job.pk]))
    assert_status(response, 200)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    listing = list(book.worksheets[1].values)
    # The problems, then the rows skipped as not records (totals, sign-off).
    assert sorted(row[4] for row in listing[1:4]) == sorted(expected("en"))
    sheet = list(book.worksheets[0].values)
    assert any(expected("en")[0] in str(cell) for row in sheet for cell in row if cell)


def test_a_run_in_english_is_read_in_chinese(login, district, personas):
    """Inline jobs run inside the request, in the uploader's language: nothing of it is stored."""
    user = personas.grid_worker
    with translation.override("en"):
        job = checked_job(user, bad_rows())
    page = login(user).get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    for message in expected("zh-hans"):
        assert message in page
    assert expected("en")[0] not in page


def test_notes_and_failures_are_shown_in_the_readers_language(login, district, personas):
    user = personas.grid_worker
    data_rows = [samples.community_row(i, "樟树潭一网格") for i in range(2)]
    job = checked_job(user, data_rows)
    assert job.status == ImportStatus.VALIDATED and job.error_count == 0
    note = "台账没有“层数”列：新登记的建筑按其各户所在的最高楼层登记层数（至少1层）。"
    with translation.override("en"):
        assert services.job_notes(job)[0] == gettext(note)
        assert CJK.search(services.job_notes(job)[0]) is None
    assert services.job_notes(job)[0] == note

    # A job that failed (the runner's own message) reads in English to an English user.
    runner._fail(
        ImportJob.objects.filter(pk=job.pk),
        deferred("导入时有人同时登记了其中的记录，未导入任何数据。请重新检查后再导入。"),
    )
    job.refresh_from_db()
    page = english(login(user)).get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    with translation.override("en"):
        failure = gettext("导入时有人同时登记了其中的记录，未导入任何数据。请重新检查后再导入。")
    assert CJK.search(failure) is None and failure in page


def test_stored_messages_keep_their_parameters_and_older_text_still_shows():
    spec = (deferred("与第 %(row)s 行重复：同一建筑内相同的门牌/户号。") % {"row": 9}).spec
    assert spec == {"msgid": "与第 %(row)s 行重复：同一建筑内相同的门牌/户号。", "params": {"row": 9}}
    with translation.override("en"):
        assert render(spec) == gettext("与第 %(row)s 行重复：同一建筑内相同的门牌/户号。") % {"row": 9}
    # Reports and notes written before messages were stored this way are plain text.
    assert render("旧的问题说明") == "旧的问题说明"
    assert render_lines("第一行\n\n第二行") == ["第一行", "第二行"]
    assert render_lines(encode_lines([deferred("错误")])) == ["错误"]
    assert render_lines("") == []
