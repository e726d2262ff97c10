"""`firegrid areas …`: the area tree from a script.

    firegrid areas import-outlines FILE.geojson [--match-property code|name] [--user U] [--dry-run] [--json]

Imports area outlines (区域边界) from a GeoJSON FeatureCollection, all or nothing, through the same
service as the page (firegrid.areas.outlines). With --user the user's rights and scope apply; without it
the command acts as the system (whoever runs it has the server) and may set every area's outline.

Exit codes: 0 written (or a clean dry run); 2 feature problems (the report, every problem with its
feature number and area, on stdout; nothing written); 1 anything else (an unreadable file, not a
FeatureCollection, an unknown user, no right to change areas), with the reason on stderr.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from firegrid.areas import outlines
from firegrid.areas.models import User

OK, BROKEN, ROW_ERRORS = 0, 1, 2


class Command(BaseCommand):
    help = "The area tree: import area outlines (GeoJSON)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        load = sub.add_parser("import-outlines", help="Set area outlines from a GeoJSON FeatureCollection.")
        load.add_argument("file", help="GeoJSON file (WGS-84 longitude/latitude)")
        load.add_argument(
            "--match-property",
            dest="match",
            choices=outlines.MATCH_PROPERTIES,
            default="code",
            help="the feature property naming the area: its administrative code (default) or its name",
        )
        load.add_argument("--user", help="username the import runs as (their rights and scope)")
        load.add_argument("--dry-run", action="store_true", help="check every feature, write nothing")
        load.add_argument("--json", dest="as_json", action="store_true", help="machine report on stdout")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        actor = _user(options["user"]) if options["user"] else None
        try:
            with open(options["file"], "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc}", returncode=BROKEN) from None
        try:
            data = outlines.read_feature_collection(content)
            report = outlines.import_outlines(
                data, actor=actor, match=options["match"], dry_run=options["dry_run"], source=options["file"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=BROKEN) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=BROKEN) from None
        result = report.as_dict()
        if options["as_json"] or report.error_count:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            verb = "checked (dry run)" if report.dry_run else "written"
            self.stdout.write(
                f"{len(report.rows)} features, {report.written or len(report.rows)} outlines {verb}"
            )
        if report.error_count:
            raise CommandError(
                f"{report.error_count} feature(s) with problems, nothing written", returncode=ROW_ERRORS
            )


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}", returncode=BROKEN)
    return user
