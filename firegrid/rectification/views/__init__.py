"""Staff pages of rectification (整改), by sub-domain:

    plans          the plan list, the plan page and its moves, the rectification part of a premises page
    editing        making a plan from a premises page, editing a plan
    drafting       起草整改方案 from hazards ticked in the hazard list
    documents      document PDF and reissue, proof photos, batch printing of notices
    enforcement    enforcement steps with attachments, the escalation ladder
    premises_file  the premises file (一户一档), its notes and the dossier PDF

`urls.py` names each view by its module; the names other apps use are importable from here.
"""

from .plans import PlanListView, premises_rectification, state_tag

__all__ = ["PlanListView", "premises_rectification", "state_tag"]
