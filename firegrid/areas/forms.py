"""Forms of the organisation pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .outlines import MATCH_CHOICES


class OutlineImportForm(forms.Form):
    """区域边界导入: a GeoJSON file whose features name their areas by code or by name."""

    file = forms.FileField(
        label=_("GeoJSON 文件"),
        help_text=_("要素集合（FeatureCollection），WGS-84 经纬度；shapefile 请先转换为 GeoJSON。"),
    )
    match = forms.ChoiceField(label=_("按哪个属性对应区域"), choices=MATCH_CHOICES, initial="code")
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)
