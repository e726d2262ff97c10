"""The close form of an alert case (outcome and note; the version read)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CaseOutcome


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("核查结论"), choices=[("", "—"), *CaseOutcome.choices], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("处置说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["outcome"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(CaseOutcome.choices)
