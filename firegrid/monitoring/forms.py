"""The close form of an alert case (outcome and note; the version read)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CaseOutcome


class CloseCaseForm(forms.Form):
    # A drop-down: the shared field template (core/_field.html) lays out one input per field, not radio lists.
    outcome = forms.ChoiceField(label=_("核查结论"), choices=[("", "—"), *CaseOutcome.choices])
    note = forms.CharField(label=_("处置说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
