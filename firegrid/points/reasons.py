"""The reasons entries give, as msgids with parameters: stored with the entry in Chinese as written and
shown in the reader's language (English through the catalogue). A typed note has no msgid and is shown
as typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop, override

from .choices import PointsRule

REASONS: dict[str, str] = {
    PointsRule.SELF_INSPECTION_ON_TIME: gettext_noop("%(period)s 自查按时提交（%(premises)s）"),
    PointsRule.SELF_INSPECTION_MISSED: gettext_noop("%(period)s 未按时自查，经提醒仍未提交（%(premises)s）"),
    PointsRule.FALSE_SELF_REPORT: gettext_noop("自查申报符合，抽检核实不符：%(items)s（%(premises)s）"),
    PointsRule.FIXED_BEFORE_DEADLINE: gettext_noop("整改期限 %(deadline)s 前验收通过（%(premises)s）"),
    PointsRule.OVERDUE: gettext_noop("整改期限 %(deadline)s 已过仍未整改完毕（%(premises)s）"),
    PointsRule.REPEAT_HAZARD: gettext_noop("%(item)s 隐患一年内再次发现（%(premises)s）"),
    PointsRule.ENFORCEMENT: gettext_noop("逾期不整改，转入执法（%(premises)s）"),
    PointsRule.PATROL_PARTICIPATION: gettext_noop("参加巡查（%(patrol)s）"),
    PointsRule.TRAINING_ATTENDANCE: gettext_noop("参加消防培训（%(record)s）"),
    PointsRule.MEETING_ATTENDANCE: gettext_noop("参加动员会议（%(record)s）"),
    PointsRule.TENANT_ON_TIME: gettext_noop("租户 %(moved_in)s 入住，%(days)s 天内登记（%(premises)s）"),
    PointsRule.TENANT_LATE: gettext_noop("租户 %(moved_in)s 入住，走访时发现未按时登记（%(premises)s）"),
    PointsRule.CORRECTION: gettext_noop("更正 %(date)s 的“%(rule)s”记录"),
}


def render(msgid: str, params: Mapping[str, Any] | None, fallback: str = "") -> str:
    """A stored reason in the active language; the stored text when it has no msgid."""
    if not msgid:
        return fallback
    text = gettext(msgid)
    values = dict(params or {})
    if values.get("rule"):  # gettext("") would be the catalogue's header
        # A correction names the corrected rule by its label, stored in Chinese (a msgid): shown translated.
        values["rule"] = gettext(str(values["rule"]))
    try:
        return text % values if params else text
    except (KeyError, TypeError, ValueError):
        return fallback or text


def chinese(msgid: str, params: Mapping[str, Any] | None) -> str:
    """The reason as stored with the entry: Chinese, whatever the language of the request that wrote it."""
    with override("zh-hans"):
        return render(msgid, params)


def with_note(reason: str, note: str) -> str:
    """A reason followed by an officer's note (a correction's why)."""
    note = note.strip()
    if not note:
        return reason
    return f"{reason}：{note}" if reason else note
