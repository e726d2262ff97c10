"""The last phase: this morning's long-term daily report (长效管理日报), as the job `reports.longterm_report`
makes it at 01:30 after the grades and the month's draw — its figures are today's state (grades, queues,
self-inspections, patrols, points), which is why it comes after tonight's grades.

Only today's report can be made (`reports.longterm_report.generate_longterm_report` refuses another day:
its figures have no history to recompute from), so a demo loaded for another day (`--today`) has none.
`LongtermReport` has no way to say who made it but a person (`generated_by`): the demo's is left blank, as
the job's is.
"""

from __future__ import annotations

from django.utils import timezone

from firegrid.reports.longterm_report import generate_longterm_report

from .context import Context


def run(ctx: Context) -> int:
    if ctx.today != timezone.localdate():
        return 0
    generate_longterm_report(ctx.today)
    return 1
