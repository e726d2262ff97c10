"""`manage.py flush`, as Django's, with the stored reports' guard open for its transaction: the database
refuses to delete stored reports otherwise (firegrid/reports/immutability.py). pytest-django runs this
flush after every transactional test."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

from firegrid.reports.immutability import deletion_allowed


class Command(DjangoFlush):
    help = DjangoFlush.help + " Stored reports (日报) are removed with everything else."

    def handle(self, **options: Any) -> None:
        database = options["database"]
        with transaction.atomic(using=database), deletion_allowed(connections[database]):
            super().handle(**options)
