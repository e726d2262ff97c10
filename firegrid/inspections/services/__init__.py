"""Inspection operations: templates (load, new version, parameters, publish), inspections (start,
autosave, idempotent submit with outcomes and on-the-spot fixes), hazards (created, moved and closed
by inspections; voided by a supervisor). Each checks the actor, runs in one transaction and audits."""

from __future__ import annotations

from .hazards import set_hazards_status, void_hazard
from .inspections import (
    AnswerInput,
    Suggestion,
    save_answers,
    start_inspection,
    submit_inspection,
    suggestions,
)
from .photos import add_photo
from .templates import (
    DEFAULT_TEMPLATE_FILE,
    create_template_version,
    default_template,
    load_template,
    publish_template,
    update_template_parameters,
)

__all__ = [
    "DEFAULT_TEMPLATE_FILE",
    "AnswerInput",
    "Suggestion",
    "add_photo",
    "create_template_version",
    "default_template",
    "load_template",
    "publish_template",
    "save_answers",
    "set_hazards_status",
    "start_inspection",
    "submit_inspection",
    "suggestions",
    "update_template_parameters",
    "void_hazard",
]
