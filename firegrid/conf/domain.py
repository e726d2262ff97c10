"""Firegrid's own knobs (FIREGRID_*) for the domain: ledger import limits, landlord self-inspection, the
daily report's time, rectification documents, tenant moves and the fabrication checks. Each is read from the
environment with its default; a bad value stops start-up with a message naming it."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

from firegrid.conf.env import env_bool, env_int

# --- ledger import (台账导入; docs/architecture.md "Ledger import") ---
# Largest upload (MB). An .xlsx is also refused before parsing when its zip directory says it unpacks
# to more than FIREGRID_LEDGER_MAX_UNPACKED_MB (an ordinary sheet packs 5–13:1), or when a large part
# of it packs better than FIREGRID_LEDGER_MAX_RATIO:1 (a zip bomb).
FIREGRID_LEDGER_MAX_MB = env_int("FIREGRID_LEDGER_MAX_MB", 20)
FIREGRID_LEDGER_MAX_UNPACKED_MB = env_int("FIREGRID_LEDGER_MAX_UNPACKED_MB", 15 * FIREGRID_LEDGER_MAX_MB)
FIREGRID_LEDGER_MAX_RATIO = env_int("FIREGRID_LEDGER_MAX_RATIO", 100)
# Files up to this many rows are checked and committed inside the request; larger ones as a job.
FIREGRID_LEDGER_INLINE_ROWS = env_int("FIREGRID_LEDGER_INLINE_ROWS", 1000)
# Every file inside the request (tests).
FIREGRID_LEDGER_INLINE = env_bool("FIREGRID_LEDGER_INLINE", default=False)

# Landlord self-inspection (房东自查): the share of each period's self-inspections drawn for a verification
# visit (per risk grade, rounded up), the months between self-inspections, and how long a premises whose
# self-inspection was contradicted has every self-inspection drawn.
FIREGRID_SELF_INSPECTION_SAMPLE_RATE = float(os.environ.get("FIREGRID_SELF_INSPECTION_SAMPLE_RATE") or 0.10)
if not 0 <= FIREGRID_SELF_INSPECTION_SAMPLE_RATE <= 1:
    raise ImproperlyConfigured("FIREGRID_SELF_INSPECTION_SAMPLE_RATE must be between 0 and 1 (e.g. 0.10)")
FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS = env_int("FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS", 1)
if FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS not in (1, 2, 3, 4, 6, 12):
    raise ImproperlyConfigured(
        "FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS must divide a year: 1, 2, 3, 4, 6 or 12"
    )
FIREGRID_SELF_INSPECTION_WATCH_MONTHS = env_int("FIREGRID_SELF_INSPECTION_WATCH_MONTHS", 6)
# Landlords still owing a self-inspection are reminded this many days before the period ends.
FIREGRID_SELF_INSPECTION_REMIND_DAYS = env_int("FIREGRID_SELF_INSPECTION_REMIND_DAYS", 5)
if FIREGRID_SELF_INSPECTION_REMIND_DAYS < 0:
    raise ImproperlyConfigured("FIREGRID_SELF_INSPECTION_REMIND_DAYS must be 0 or more (0: on the last day)")
# The daily report (日报) is generated every day at this time (HH:MM, Asia/Shanghai): the cron line of the
# job reports.daily_snapshot is made from it when the job registry loads.
FIREGRID_DAILY_REPORT_TIME = os.environ.get("FIREGRID_DAILY_REPORT_TIME", "17:00")
if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", FIREGRID_DAILY_REPORT_TIME):
    raise ImproperlyConfigured(
        f"FIREGRID_DAILY_REPORT_TIME must be HH:MM (e.g. 17:00), not {FIREGRID_DAILY_REPORT_TIME!r}"
    )

# --- rectification documents ---
# The site's public address: QR codes on printed documents lead landlords to their plan here.
FIREGRID_SITE_URL = os.environ.get("FIREGRID_SITE_URL", "http://127.0.0.1:8000")
FIREGRID_ISSUER = os.environ.get("FIREGRID_ISSUER", "衢州市衢江区消防安全专项整治工作指挥部")
FIREGRID_ISSUER_PHONE = os.environ.get("FIREGRID_ISSUER_PHONE", "")
# Serial prefixes per document kind: 衢江消整〔2019〕第0001号.
FIREGRID_DOCUMENT_SERIALS = {
    "notice": os.environ.get("FIREGRID_SERIAL_NOTICE", "衢江消整"),
    "order": os.environ.get("FIREGRID_SERIAL_ORDER", "衢江消责"),
    "pledge": os.environ.get("FIREGRID_SERIAL_PLEDGE", "衢江消诺"),
    "acceptance": os.environ.get("FIREGRID_SERIAL_ACCEPTANCE", "衢江消验"),
    # 单位—房东承诺书 (firegrid.campaigns.pledges)
    "unit_pledge": os.environ.get("FIREGRID_SERIAL_UNIT_PLEDGE", "衢江消认"),
    # 文明家庭 / 文明商户 certificates (firegrid.points.evaluation), numbered per evaluated year
    "certificate": os.environ.get("FIREGRID_SERIAL_CERTIFICATE", "衢江文明"),
}
FIREGRID_LEGAL_BASIS = {
    "notice": [
        "《中华人民共和国消防法》第十六条、第十八条",
        "《浙江省消防条例》第二十六条",
        "《浙江省出租房屋消防安全管理办法》",
    ],
    "order": [
        "《中华人民共和国消防法》第十六条、第六十条",
        "《消防监督检查规定》（公安部令第120号）第十九条",
    ],
    "pledge": ["《中华人民共和国消防法》第十六条", "《浙江省消防条例》第二十六条"],
    "acceptance": ["《中华人民共和国消防法》第十六条"],
}
# Render a document's PDF as soon as it is issued (after the commit); otherwise on first download.
FIREGRID_RENDER_ON_ISSUE = env_bool("FIREGRID_RENDER_ON_ISSUE", default=True)

# A tenant move-in the landlord reports more than this many days after it happened (or that a grid worker
# finds at a visit) is reported late (流管通): the rule that will cost landlord points.
FIREGRID_TENANT_REPORT_DAYS = env_int("FIREGRID_TENANT_REPORT_DAYS", 3)
# Fabrication checks of patrols and inspections (疑似造假提示, firegrid.patrols.checks): hints for a
# supervisor, never penalties. A photo whose perceptual hash is within this many bits of a photo of another
# inspection or finding in the same grid in the last FIREGRID_PHOTO_REUSE_DAYS is "the same photo used
# twice"; two scans by one person farther apart than FIREGRID_PATROL_MAX_SPEED_KMH allows (40 km/h: an
# e-bike in town) are impossible; an inspection submitted in less than this many seconds per answered item
# was not answered at the door.
FIREGRID_PHOTO_REUSE_DISTANCE = env_int("FIREGRID_PHOTO_REUSE_DISTANCE", 4)
FIREGRID_PHOTO_REUSE_DAYS = env_int("FIREGRID_PHOTO_REUSE_DAYS", 180)
FIREGRID_PATROL_MAX_SPEED_KMH = env_int("FIREGRID_PATROL_MAX_SPEED_KMH", 40)
FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM = env_int("FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM", 3)
