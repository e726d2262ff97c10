"""The demo district (衢江区): `python manage.py demo` / `firegrid demo`, and `demo_logins`.

An installed app only for its management commands (`management/commands/`): a generator (`generator`),
the fixed data it draws on (`data`), the loader that writes it (`loader`), the 2019 campaign replay
(`campaign`), the years since carried to today (`longterm`) and a small progress bar (`progress`). Django imports this package before the models are ready, so it re-exports only the fixed
data; take the loader's names from `firegrid.demo.loader`.
"""

from .data import DEMO_PASSWORD, DISTRICT_CODE, SITE_URL

__all__ = ["DEMO_PASSWORD", "DISTRICT_CODE", "SITE_URL"]
