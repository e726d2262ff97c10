"""SMS backends: chosen by FIREGRID_SMS_BACKEND like Django's EMAIL_BACKEND."""

from __future__ import annotations

import io
import json

import pytest

from firegrid.core import sms
from firegrid.portal.checks import sms_backend_configured


def test_locmem_backend_keeps_the_messages():
    sms.send_sms("13800138000", "您好")
    assert [(m.mobile, m.text) for m in sms.outbox] == [("13800138000", "您好")]


def test_file_backend_appends_one_readable_json_line_per_message(settings, tmp_path):
    path = tmp_path / "logs" / "sms.log"
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.FileBackend"
    settings.FIREGRID_SMS_FILE_PATH = str(path)
    sms.send_sms("13800138000", "【消防网格】您的登录验证码为 123456")
    sms.send_sms("13900139000", "第二条")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "验证码为 123456" in lines[0]  # Chinese kept readable, not \\u-escaped
    first, second = (json.loads(line) for line in lines)
    assert (first["mobile"], first["text"]) == ("13800138000", "【消防网格】您的登录验证码为 123456")
    assert second["mobile"] == "13900139000" and "T" in second["time"]


def test_console_backend_prints_the_message():
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send("13800138000", "验证码 654321")
    assert "13800138000: 验证码 654321" in stream.getvalue()


def test_console_is_the_development_default(capsys, settings):
    from firegrid import settings as project_settings

    settings.FIREGRID_SMS_BACKEND = project_settings.FIREGRID_SMS_BACKEND
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)
    sms.send_sms("13800138000", "验证码 111222")
    assert "验证码 111222" in capsys.readouterr().out


def test_no_backend_configured_fails_loudly(settings):
    settings.FIREGRID_SMS_BACKEND = ""
    with pytest.raises(sms.SmsError):
        sms.send_sms("13800138000", "x")


def test_the_base_class_must_be_implemented():
    with pytest.raises(NotImplementedError):
        sms.BaseSmsBackend().send("13800138000", "x")


def test_check_warns_when_production_has_no_backend(settings):
    settings.FIREGRID_SMS_BACKEND = ""
    assert [w.id for w in sms_backend_configured(None)] == ["firegrid.portal.W001"]
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.LocmemBackend"
    assert sms_backend_configured(None) == []


def test_the_check_runs_with_manage_py_check():
    from django.core.checks import registry

    assert sms_backend_configured in registry.registry.get_checks()
