from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    """积分: a landlord's points ledger (every entry a rule, an amount, a reason and what caused it), the
    district's points rules, and the year-end evaluation with its 文明家庭 / 文明商户 nominations. Sits
    above longterm, patrols and outreach (it listens to what they record) and reaches risk grades through
    risk's fact-provider and rule hooks."""

    name = "firegrid.points"
    label = "points"
    verbose_name = _("积分")
