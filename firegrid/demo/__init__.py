"""The demo district (衢江区): `python manage.py demo` / `firegrid demo`, and `demo_logins`.

Not a Django app: a generator (`generator`), the fixed data it draws on (`data`), the loader that writes it
(`loader`) and a small progress bar (`progress`).
"""

from .data import DEMO_PASSWORD, DISTRICT_CODE, SITE_URL
from .generator import MAX_SCALE
from .loader import DEFAULT_SEED, DEMO_USERS, demo_counts, demo_loaded, load_demo

__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DISTRICT_CODE",
    "MAX_SCALE",
    "SITE_URL",
    "demo_counts",
    "demo_loaded",
    "load_demo",
]
