from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from firegrid.registry.models import Room


class PortalLoginForm(forms.Form):
    """Holds what was typed; the checks (normalising, limits, the code) are the services' (services.py)."""

    mobile = forms.CharField(label=_("手机号码"), max_length=32, required=False)
    code = forms.CharField(label=_("验证码"), max_length=16, required=False)


class PledgeForm(forms.Form):
    """The landlord's typed name under the pledge (签署承诺书). Holds what was typed; the checks (a pledge
    not yet signed, the name being the landlord's) are the service's, in that order."""

    signed_name = forms.CharField(
        label=_("签名（请输入您的姓名）"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 32, "autocomplete": "name"}),
    )


class TenantMoveInForm(forms.Form):
    """A tenant household moving in (租户入住登记), as the landlord types it on the phone. The checks (ID
    number checksum, mobile, dates, the room being the premises') are the model's, through the service."""

    head_name = forms.CharField(label=_("户主姓名"), max_length=32)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    people = forms.IntegerField(label=_("人数"), min_value=1, initial=1)
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        label=_("房间"), queryset=Room.objects.none(), required=False, empty_label=_("（不指定）")
    )
    moved_in = forms.DateField(
        label=_("入住日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args: Any, rooms: QuerySet[Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        room_field = self.fields["room"]
        assert isinstance(room_field, forms.ModelChoiceField)
        room_field.queryset = rooms


class TenantMoveOutForm(forms.Form):
    """A tenant household moving out (租户搬离登记): the date."""

    moved_out = forms.DateField(
        label=_("搬离日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
