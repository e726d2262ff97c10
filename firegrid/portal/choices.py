from django.db import models
from django.utils.translation import gettext_lazy as _


class CodePurpose(models.TextChoices):
    LOGIN = "login", _("登录")
