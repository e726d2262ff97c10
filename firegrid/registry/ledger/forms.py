"""The upload form and the mapping form (one select per sheet column, the proposal preselected)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from firegrid.areas.models import Area, User
from firegrid.core.tables import enumerate_items

from .choices import ImportKind
from .fields import KIND_FIELDS, missing_required
from .services import (
    can_publish,
    import_areas,
    importable_kinds,
    scope_grids,
    value_entry_label,
    value_options,
)
from .value_map import AREA, MATCH_RANK, area_targets

if TYPE_CHECKING:
    from firegrid.registry.models import ImportJob


class AreaChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An area, indented under its parent (the choices are in tree order, the user's own areas flush)."""

    top_depth = 1

    def label_from_instance(self, obj: Area) -> str:
        return "\u3000" * max(0, len(obj.ancestor_ids) - self.top_depth) + obj.name


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("台账类型"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("台账文件"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"})
    )
    # The import area limits the rows: a row of a grid outside it is an error, even inside the scope.
    area = AreaChoiceField(
        label=_("导入区域"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("— 整个辖区 —"),
        help_text=_("只导入此区域内的行；其他区域的行会被列为错误。不选则为您的整个辖区。"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码），不超过 %(mb)s MB。") % {
            "mb": settings.FIREGRID_LEDGER_MAX_MB
        }
        allowed = set(importable_kinds(user))
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # declared above
        kind.choices = [(k, label) for k, label in ImportKind.choices if k in allowed]
        area = self.fields["area"]
        assert isinstance(area, AreaChoiceField)  # declared above
        area.queryset = import_areas(user)
        area.top_depth = min((len(p.strip("/").split("/")) for p in user.scope_paths), default=1)


class MappingForm(forms.Form):
    """`col_<i>` for each column of the sheet: the Firegrid field it holds, or nothing."""

    # Saving is a choice, off by default: a saved mapping is offered to everyone in the saver's area.
    remember = forms.BooleanField(label=_("保存此对应关系供本辖区下次使用"), required=False, initial=False)

    def __init__(self, *args: Any, job: ImportJob, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        add_publish_field(self, user)
        self.fields["remember"].initial = bool((job.mapping or {}).get("remember"))
        choices = [("", _("— 不导入 —")), *((f.key, f.label) for f in KIND_FIELDS[job.kind])]
        columns = (job.mapping or {}).get("columns", {})
        self.column_fields: list[str] = []
        for index, header in enumerate(job.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or get_column_letter(index + 1), choices=choices, required=False
            )
            self.fields[name].initial = columns.get(str(index), "")
            self.column_fields.append(name)
        grids = scope_grids(user, job.area)  # within the import area: rows may not land outside it
        self.fields["default_grid"] = forms.TypedChoiceField(
            label=_("默认网格"),
            help_text=_("没有网格列、或网格单元格为空的行，登记到这个网格。"),
            choices=[("", _("— 不设 —"))]
            + [(g.pk, f"{g.parent.name if g.parent else ''} {g.name}") for g in grids],
            coerce=int,
            empty_value=None,
            required=False,
            initial=(job.mapping or {}).get("default_grid"),
        )

    def rows(self) -> Iterator[dict[str, Any]]:
        """(column letter, header, samples, bound field, proposal reason) per sheet column."""
        reasons = (self.job.mapping or {}).get("reasons", {})
        samples = self.job.samples or []
        for index, name in enumerate(self.column_fields):
            yield {
                "letter": get_column_letter(index + 1),
                "header": self.job.headers[index],
                "samples": samples[index] if index < len(samples) else [],
                "field": self[name],
                "reason": reasons.get(str(index), ""),
            }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        chosen: dict[str, list[str]] = {}
        for index, name in enumerate(self.column_fields):
            key = cleaned.get(name)
            if key:
                chosen.setdefault(key, []).append(get_column_letter(index + 1))
        labels = {f.key: f.label for f in KIND_FIELDS[self.job.kind]}
        for key, letters in chosen.items():
            if len(letters) > 1:
                self.add_error(
                    None,
                    _("“%(field)s”对应了多列（%(columns)s），每个字段只能对应一列。")
                    % {"field": labels[key], "columns": enumerate_items(letters)},
                )
        missing = missing_required(self.job.kind, set(chosen))
        if missing:
            self.add_error(
                None,
                _("还没有为必填字段选择列：%(fields)s。")
                % {"fields": enumerate_items(str(f.label) for f in missing)},
            )
        return cleaned

    def columns(self) -> dict[int, str]:
        return {
            index: self.cleaned_data[name]
            for index, name in enumerate(self.column_fields)
            if self.cleaned_data.get(name)
        }


def add_publish_field(form: forms.Form, user: User) -> None:
    """District roles may publish what they save for every community in the district."""
    if can_publish(user):
        form.fields["publish"] = forms.BooleanField(
            label=_("发布为全区通用（各社区上传相同表头的台账时均可使用）"), required=False
        )


class ValueMappingForm(forms.Form):
    """`v_<entry>_<i>` per distinct value of an area or choice column: the system value it stands for,
    preselected with the proposal. The select offers what the user may use (areas in their scope), plus
    the proposal itself when it is an area outside their scope (its rows are then reported as such)."""

    remember = forms.BooleanField(label=_("保存此对应关系供本辖区下次使用"), required=False, initial=False)

    def __init__(self, *args: Any, job: ImportJob, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        mapping = job.mapping or {}
        self.fields["remember"].initial = bool(mapping.get("remember"))
        add_publish_field(self, user)
        if "publish" in self.fields:
            self.fields["publish"].initial = bool(mapping.get("publish"))
        options = value_options(job, user)
        proposals = mapping.get("value_proposals") or {}
        chosen = mapping.get("values") or {}
        truncated = mapping.get("value_truncated") or {}
        labels = {t.code: t.label for t in area_targets(user)} if AREA in proposals else {}
        self.entries: list[tuple[str, str]] = []  # (entry, field name prefix)
        self.groups: list[dict[str, Any]] = []
        for e, (entry, listed) in enumerate(proposals.items()):
            allowed = options.get(entry, [])
            allowed_values = {value for value, _label in allowed}
            shown = dict(allowed)
            rows = []
            for i, p in enumerate(listed):
                name = f"v_{e}_{i}"
                choices: list[tuple[str, str]] = [("", str(_("— 不对应（按原值）—")))]
                target = p.get("target") or ""
                outside = bool(target) and target not in allowed_values
                if outside:
                    # An area outside the user's scope: kept so its rows are errors that say so.
                    choices.append(
                        (target, str(_("%(area)s（不在您的辖区内）") % {"area": labels.get(target, target)}))
                    )
                choices += allowed
                initial = chosen.get(entry, {}).get(p["value"], target)
                self.fields[name] = forms.ChoiceField(
                    label=p["value"], choices=choices, required=False, initial=initial
                )
                rows.append(
                    {
                        "value": p["value"],
                        "count": p["count"],
                        "match": p["match"],
                        "score": p["score"],
                        "target_label": shown.get(target) or labels.get(target, ""),
                        "outside": outside,
                        "name": name,
                    }
                )
            self.entries.append((entry, f"v_{e}_"))
            self.groups.append(
                {
                    "entry": entry,
                    "label": value_entry_label(job.kind, entry),
                    "truncated": truncated.get(entry, False),
                    "rows": rows,
                    "unmatched": sum(1 for r in rows if MATCH_RANK[r["match"]] == 0),
                }
            )

    def group_rows(self) -> Iterator[dict[str, Any]]:
        """The groups with each row's bound field, for the template."""
        for group in self.groups:
            yield {**group, "rows": [{**r, "field": self[r["name"]]} for r in group["rows"]]}

    def values(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for (entry, _prefix), group in zip(self.entries, self.groups, strict=True):
            result[entry] = {r["value"]: self.cleaned_data.get(r["name"]) or "" for r in group["rows"]}
        return result
