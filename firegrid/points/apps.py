from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    """积分: a landlord's points ledger (every entry a rule, an amount, a reason and what caused it), the
    district's points rules, and the year-end evaluation with its 文明家庭 / 文明商户 nominations. Sits
    above longterm, patrols and outreach (it listens to what they record) and reaches risk grades through
    risk's fact-provider, rule and interval hooks."""

    name = "firegrid.points"
    label = "points"
    verbose_name = _("积分")

    def ready(self) -> None:
        # Entries follow what the layers below record (their signals); see receivers.py.
        from . import receivers, risk_hooks  # noqa: F401

        # Risk sits below this app: the landlord's points reach the grade and the interval through its hooks.
        risk_hooks.register()
