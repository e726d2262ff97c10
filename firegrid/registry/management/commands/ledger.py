"""`firegrid ledger …`: ledger import (台账导入) from a script, as a named user.

    firegrid ledger import PATH --type T --area CODE --user U [--mapping FILE] [--dry-run] [--json]
    firegrid ledger export-mapping --type T --area CODE --user U > mapping.yaml
    firegrid ledger import-mapping FILE --user U [--publish]

The same services as the pages (upload → mapping → check → commit), the same scope and permission
checks for the user named: a district's IT staff can import twenty communities' ledgers in one script,
each as the officer it belongs to. The job runs here (no worker needed); its progress goes to stderr.

Exit codes: 0 committed (or a clean dry run); 2 row errors (the JSON report, every problem with its row,
column, header and message, on stdout); 1 anything else (an unreadable or wrongly formatted file, an
incomplete mapping, an unknown user or area), with the reason on stderr.
"""

from __future__ import annotations

import json
import os
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError

from firegrid.areas.models import Area, User
from firegrid.registry.ledger import batch, mapping_file, runner, services
from firegrid.registry.ledger.choices import ImportKind, ImportStatus
from firegrid.registry.models import ImportJob

OK, BROKEN, ROW_ERRORS = 0, 1, 2
PROGRESS_EVERY = 0.5  # seconds between progress lines on stderr


class Command(BaseCommand):
    help = "Ledger import (台账导入): import a ledger, export or import a column mapping (YAML)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        kinds = ImportKind.values

        run = sub.add_parser("import", help="Check a ledger and import it (all or nothing).")
        run.add_argument("path", help=".xlsx or .csv file")
        run.add_argument("--type", dest="kind", required=True, choices=kinds, help="kind of ledger")
        run.add_argument(
            "--area", required=True, help="code of the area imported into (inside the user's scope)"
        )
        run.add_argument("--user", required=True, help="username the import runs as (their scope and rights)")
        run.add_argument("--mapping", help="YAML column mapping (firegrid ledger export-mapping)")
        run.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        run.add_argument("--json", dest="as_json", action="store_true", help="machine report on stdout")

        export = sub.add_parser("export-mapping", help="Print the saved mapping of an area as YAML.")
        export.add_argument("--type", dest="kind", required=True, choices=kinds)
        export.add_argument("--area", required=True)
        export.add_argument("--user", required=True)

        load = sub.add_parser("import-mapping", help="Save a YAML mapping for the user's area.")
        load.add_argument("file")
        load.add_argument("--user", required=True)
        load.add_argument("--publish", action="store_true", help="district-wide (district roles only)")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        user = _user(options.pop("user"))
        try:
            if subcommand == "import":
                self.import_ledger(user, **options)
            elif subcommand == "export-mapping":
                self.export_mapping(user, kind=options["kind"], area_code=options["area"])
            else:
                self.import_mapping(user, path=options["file"], publish=options["publish"])
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(_reason(exc), returncode=BROKEN) from None

    # --- import ---------------------------------------------------------------------------------------

    def import_ledger(
        self,
        actor: User,
        *,
        path: str,
        kind: str,
        area: str,
        mapping: str | None,
        dry_run: bool,
        as_json: bool,
        **options: Any,
    ) -> None:
        user = actor
        services.require_import(user, kind)
        place = batch.area_in_scope(user, area)
        from_file = _read_mapping(mapping, user, kind) if mapping else None
        job = _upload(user, kind, path, place)
        self.stderr.write(
            f"job {job.pk}: {job.original_name}, sheet {job.sheet_name!r}, header row {job.header_row}"
        )
        batch.apply_mapping(job, user, from_file)
        self._run(job, user, services.start_validation, "check")
        job.refresh_from_db()
        if job.status == ImportStatus.VALIDATED and job.error_count == 0 and not dry_run:
            self._run(job, user, services.start_commit, "commit")
            job.refresh_from_db()
        report = batch.job_report(job)
        report["dry_run"] = dry_run
        code = _exit_code(job, dry_run)
        if as_json or code == ROW_ERRORS:
            self.stdout.write(_dumps(report))
        else:
            self.stdout.write(_summary(report))
        if code != OK:
            reason = (
                f"{job.error_count} row error(s), nothing written"
                if code == ROW_ERRORS
                else "; ".join(report["notes"]) or job.get_status_display()
            )
            raise CommandError(f"job {job.pk}: {reason}", returncode=code)

    def _run(self, job: ImportJob, user: User, start: Any, label: str) -> None:
        """Run a check or commit here, with its progress on stderr from a watcher thread (the run reports
        it to the cache, as it does for the job page)."""
        done = threading.Event()

        def watch() -> None:
            last = None
            while not done.wait(PROGRESS_EVERY):
                seen = cache.get(runner.progress_key(job.pk))
                if seen and seen != last:
                    last = seen
                    self.stderr.write(f"{label}: {seen[0]}/{seen[1]} rows")

        watcher = threading.Thread(target=watch, name=f"ledger-progress-{job.pk}", daemon=True)
        watcher.start()
        try:
            start(job, actor=user, inline=True)
        finally:
            done.set()
            watcher.join()
        job.refresh_from_db()
        self.stderr.write(f"{label}: {job.get_status_display()} ({job.progress_total} rows)")

    # --- mappings -------------------------------------------------------------------------------------

    def export_mapping(self, user: User, *, kind: str, area_code: str) -> None:
        services.require_import(user, kind)
        self.stdout.write(mapping_file.to_yaml(batch.mapping_for_area(user, kind, area_code)), ending="")

    def import_mapping(self, user: User, *, path: str, publish: bool) -> None:
        saved = batch.save_mapping_file(
            mapping_file.from_yaml(_read_text(path), user), actor=user, publish=publish
        )
        where = (
            "district-wide"
            if saved.published
            else f"area {saved.owner_area.code if saved.owner_area else ''}"
        )
        self.stdout.write(f"saved mapping {saved.pk} ({saved.kind}) for {where}")


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}", returncode=BROKEN)
    return user


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: {exc}", returncode=BROKEN) from None


def _read_mapping(path: str, user: User, kind: str) -> batch.MappingFile:
    parsed = batch.mapping_file(mapping_file.from_yaml(_read_text(path), user))
    if parsed.kind and parsed.kind != kind:
        raise ValidationError({"mapping": f"{path}: a {parsed.kind} mapping, not {kind}"})
    return parsed


def _upload(user: User, kind: str, path: str, area: Area) -> ImportJob:
    try:
        handle = open(path, "rb")  # closed below, once the service has stored it
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}", returncode=BROKEN) from None
    with handle:
        upload = UploadedFile(handle, name=os.path.basename(path), size=os.path.getsize(path))
        # The area limits the import: rows of grids outside it are errors, even inside the user's scope.
        return services.create_import_job(actor=user, kind=kind, upload=upload, area=area)


def _exit_code(job: ImportJob, dry_run: bool) -> int:
    if job.status == ImportStatus.COMMITTED:
        return OK
    if job.status == ImportStatus.VALIDATED:
        if job.error_count:
            return ROW_ERRORS
        return OK if dry_run else BROKEN
    return BROKEN  # failed: the file could not be read through, or the run stopped


def _reason(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc)


def _dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def _summary(report: dict[str, Any]) -> str:
    lines = [
        f"job {report['job']}: {report['status']} — {report['rows']} rows, {report['errors']} errors, "
        f"{report['warnings']} warnings"
    ]
    for target, counts in report["counts"].items():
        lines.append(f"  {target}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    lines.extend(f"  {note}" for note in report["notes"])
    lines.extend(
        f"  {p['level']} row {p['row']} {p['column']} {p['header']}: {p['message']}"
        for p in report["problems"]
    )
    return "\n".join(lines)
