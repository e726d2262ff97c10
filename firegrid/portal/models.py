"""One-time sign-in codes for the landlord portal and the lock that follows too many wrong ones."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import CodePurpose


class OneTimeCode(models.Model):
    """A code asked for one mobile number (验证码). Stored only as a keyed hash, never in clear.

    A row is written for every accepted request, also when no account has that mobile (then nothing is
    sent and `sent_at` stays empty): the rate limits and the answers are the same either way, so the
    page never tells whether a number is registered.
    """

    mobile = models.CharField(_("手机号码"), max_length=11)
    purpose = models.CharField(
        _("用途"), max_length=16, choices=CodePurpose.choices, default=CodePurpose.LOGIN
    )
    code_hash = models.CharField(_("验证码摘要"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("获取时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("失效时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("输错次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(
        _("作废时间"), null=True, blank=True, help_text=_("获取了新的验证码后，旧的即作废。")
    )
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("验证码")
        verbose_name_plural = pgettext_lazy("plural", "验证码")
        indexes = [
            # The latest code of a mobile, and its requests within the last hour.
            models.Index(fields=["mobile", "purpose", "-created_at"], name="otc_mobile_created"),
            # Requests from one address within the last hour.
            models.Index(fields=["ip", "created_at"], name="otc_ip_created"),
        ]

    def __str__(self) -> str:
        from firegrid.core.masking import mask_mobile

        return f"{mask_mobile(self.mobile)} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M:%S}"


class MobileLock(models.Model):
    """Wrong codes typed for one mobile and, after too many, the time it stays locked until.

    One row per mobile that ever asked for a code; its row lock also serialises the requests and
    checks of that mobile, so two requests at once cannot both slip under a limit.
    """

    mobile = models.CharField(_("手机号码"), max_length=11, unique=True)
    failures = models.PositiveSmallIntegerField(_("连续输错次数"), default=0)
    last_failure_at = models.DateTimeField(_("最近输错时间"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        ordering = ["mobile"]
        verbose_name = _("手机号锁定")
        verbose_name_plural = pgettext_lazy("plural", "手机号锁定")

    def __str__(self) -> str:
        from firegrid.core.masking import mask_mobile

        return mask_mobile(self.mobile)
