"""Password rules and the password-change page (我的 › 修改密码).

The rules are `AUTH_PASSWORD_VALIDATORS` in settings: Django's length, common-password, all-digits and
similarity checks, plus the two here — a password must not contain the user's own mobile, name or
username (`wanggy12`, `13812345678`), nor the system's own words (`firegrid2019`). Each refusal names what
it found, so the user knows what to change.

Landlords and contractors sign in with SMS codes (no password); the rules are for officers' accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User


class PersonalDataValidator:
    """Refuses a password containing the user's mobile, name or username.

    Django's similarity check catches `wanggy1` but not `wanggy2019!xx`: containment is checked here. A value
    shorter than `min_length` is skipped (a two-letter username is in too many words), except a Chinese one:
    two characters are a whole name.
    """

    def __init__(
        self, user_attributes: tuple[str, ...] = ("mobile", "full_name", "username"), min_length: int = 3
    ) -> None:
        self.user_attributes = tuple(user_attributes)
        self.min_length = min_length

    def validate(self, password: str, user: User | None = None) -> None:
        if user is None:
            return
        typed = password.lower()
        for attribute in self.user_attributes:
            value = getattr(user, attribute, None)
            if not isinstance(value, str):
                continue
            value = value.strip().lower()
            if len(value) < (self.min_length if value.isascii() else 2):
                continue
            if value in typed:
                raise ValidationError(
                    gettext("密码不能包含您的%(field)s。"),
                    code="password_contains_personal_data",
                    params={"field": _verbose_name(user, attribute)},
                )

    def get_help_text(self) -> str:
        return gettext("密码不能包含您的手机号码、姓名或用户名。")


class ForbiddenWordsValidator:
    """Refuses a password containing one of `words`: the system's name, the demo password's stem, and
    words Chinese users put in passwords that Django's English-sourced common list misses."""

    def __init__(self, words: list[str] | tuple[str, ...] = ("firegrid",)) -> None:
        self.words = tuple(word.lower() for word in words if word)

    def validate(self, password: str, user: User | None = None) -> None:
        typed = password.lower()
        for word in self.words:
            if word in typed:
                raise ValidationError(
                    gettext("密码不能包含常见词或本系统的名称：%(word)s。"),
                    code="password_contains_forbidden_word",
                    params={"word": word},
                )

    def get_help_text(self) -> str:
        return gettext("密码不能包含本系统的名称等常见词。")


def _verbose_name(user: User, attribute: str) -> str:
    try:
        field = user._meta.get_field(attribute)
    except (AttributeError, FieldDoesNotExist):
        return attribute
    # A reverse relation has no verbose name of its own.
    return str(field.verbose_name) if isinstance(field, Field) else attribute


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: Django's view in our look. Clears the must-change flag; other sessions and the user's API
    tokens end (Django's session hash; `core.signals` deletes the tokens when the password is saved)."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("pages:me")
    title = _("修改密码")

    def get_success_url(self) -> str:
        # After a forced change, on to the page the user first asked for.
        target = self.request.POST.get("next") or self.request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return str(self.success_url)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.GET.get("next", "")
        context["forced"] = getattr(self.request.user, "must_change_password", False)
        return context

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        # Set before the form saves the user: one save writes the new password and the cleared flag.
        if hasattr(form.user, "must_change_password"):
            form.user.must_change_password = False
        response = super().form_valid(form)
        messages.success(self.request, gettext("密码已修改。"))
        return response
