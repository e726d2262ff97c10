from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "firegrid.campaigns"
    label = "campaigns"
    verbose_name = _("专项整治行动")

    def ready(self) -> None:
        from firegrid.rectification.hooks import register_campaign_resolver

        from .models import Campaign

        # Rectification sits below campaigns: it asks through this hook which campaign a new plan joins
        # (the one running today, for every premises).
        register_campaign_resolver(lambda premises: Campaign.objects.current())
