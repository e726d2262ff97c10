"""Pages of patrols (巡查), by topic: teams.py (巡查队), patrols.py (list, plan, detail, moves), records.py
(scans, findings, fabrication flags), phone.py (my patrols, the phone patrol page, the building plate's
scan URL), plates.py (QR plates to print), coverage.py (weekly coverage figures and their list)."""
