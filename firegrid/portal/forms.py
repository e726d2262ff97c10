from django import forms
from django.utils.translation import gettext_lazy as _


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
