"""The upload form and the mapping form (one select per sheet column, the proposal preselected)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from firegrid.areas.models import User
from firegrid.core.tables import enumerate_items

from .choices import ImportKind
from .fields import KIND_FIELDS, missing_required
from .services import importable_kinds, scope_grids

if TYPE_CHECKING:
    from firegrid.registry.models import ImportJob


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("台账类型"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("台账文件"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"})
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


class MappingForm(forms.Form):
    """`col_<i>` for each column of the sheet: the Firegrid field it holds, or nothing."""

    remember = forms.BooleanField(
        label=_("保存此对应关系，下次上传相同表头的台账时自动使用"), required=False, initial=True
    )

    def __init__(self, *args: Any, job: ImportJob, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
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
        grids = scope_grids(user)
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
