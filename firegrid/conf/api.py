"""The API's settings: Django REST framework and the OpenAPI schema (drf-spectacular)."""

REST_FRAMEWORK = {
    # Token first: an anonymous API call then answers 401 with `WWW-Authenticate: Token` (not 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "firegrid.core.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "firegrid.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "firegrid.core.api.errors.exception_handler",
    # JSON nested too deeply is a 400, not a RecursionError (firegrid.core.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "firegrid.core.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Firegrid API",
    "DESCRIPTION": "消防网格 — rental-housing fire-safety campaign platform. All lists are limited to the "
    "caller's scope; out-of-scope objects answer 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes government data: only signed-in users may read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names clash across models (kind, use) get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "PremisesKindEnum": "firegrid.registry.choices.PremisesKind",
        # Ledger import API: the kind of ledger beside the premises kind.
        "LedgerKindEnum": "firegrid.registry.ledger.choices.ImportKind",
        "DepartmentKindEnum": "firegrid.areas.choices.DepartmentKind",
        "UnitKindEnum": "firegrid.areas.choices.UnitKind",
        "BuildingUseEnum": "firegrid.registry.choices.BuildingUse",
        "RoomUseEnum": "firegrid.registry.choices.RoomUse",
        "PersonalFieldEnum": "firegrid.core.api.serializers.PERSONAL_FIELD_CHOICES",
        # Inspections API: status, kind and role clash with the registry's and the user's. Premises and
        # users keep the names their enums had before (StatusEnum, RoleEnum): existing clients see no change.
        "StatusEnum": "firegrid.registry.choices.PremisesStatus",
        "RoleEnum": "firegrid.areas.choices.Role",
        "TemplateStatusEnum": "firegrid.inspections.choices.TemplateStatus",
        "InspectionStatusEnum": "firegrid.inspections.choices.InspectionStatus",
        "HazardStatusEnum": "firegrid.inspections.choices.HazardStatus",
        "InspectionKindEnum": "firegrid.inspections.choices.InspectionKind",
        "PhotoRoleEnum": "firegrid.inspections.choices.PhotoRole",
        # Risk API: a grade appears as grade, old_grade and new_grade.
        "RiskGradeEnum": "firegrid.risk.choices.RiskGrade",
        # Work queue API: an item's kind (its reason) beside the inspection kind it starts.
        "QueueKindEnum": "firegrid.longterm.choices.QueueKind",
        # Monitoring API: a device's kind and an alert case's outcome clash with the premises' and the
        # visit's; visits keep the name their outcome had before (OutcomeEnum).
        "DeviceKindEnum": "firegrid.monitoring.choices.DeviceKind",
        "CaseOutcomeEnum": "firegrid.monitoring.choices.CaseOutcome",
        "OutcomeEnum": "firegrid.inspections.choices.VisitOutcome",
        # Self-inspection API: a landlord's yes/no beside the inspection answer's result, which keeps the
        # name it had before (ResultEnum).
        "ResultEnum": "firegrid.inspections.choices.AnswerResult",
        "SelfCheckResultEnum": "firegrid.longterm.choices.SelfCheckResult",
        "SelfInspectionStatusEnum": "firegrid.longterm.choices.SelfInspectionStatus",
        # Rectification API: kind and status clash with the inspections' and the registry's; a plan's
        # state and moves appear under several field names (state, from_state, to_state, name, move).
        "PlanStateEnum": "firegrid.rectification.choices.PlanState",
        "MoveNameEnum": "firegrid.rectification.choices.MoveName",
        "PlanMoveEnum": "firegrid.rectification.api.serializers.API_MOVES",
        "LadderMoveEnum": "firegrid.rectification.api.serializers.LADDER_MOVES",
        "DocumentKindEnum": "firegrid.rectification.choices.DocumentKind",
        "DocumentStatusEnum": "firegrid.rectification.choices.DocumentStatus",
        "EnforcementKindEnum": "firegrid.rectification.choices.EnforcementKind",
        "OutreachKindEnum": "firegrid.outreach.models.OutreachKind",
        "TaskKindEnum": "firegrid.tasks.choices.TaskKind",
        "TaskStatusEnum": "firegrid.tasks.choices.TaskStatus",
        "ReplyKindEnum": "firegrid.tasks.choices.ReplyKind",
        # Daily reports: a snapshot's status clashes with every other status.
        "SnapshotStatusEnum": "firegrid.reports.models.SnapshotStatus",
        # Campaigns: a campaign's status, writable since the API creates and edits campaigns.
        "CampaignStatusEnum": "firegrid.campaigns.choices.CampaignStatus",
        # Patrols (巡查): kinds and states of teams, patrols, scans, findings and fabrication flags.
        "PatrolTeamKindEnum": "firegrid.patrols.choices.TeamKind",
        "PatrolKindEnum": "firegrid.patrols.choices.PatrolKind",
        "PatrolStatusEnum": "firegrid.patrols.choices.PatrolStatus",
        "ScanSourceEnum": "firegrid.patrols.choices.ScanSource",
        "FindingKindEnum": "firegrid.patrols.choices.FindingKind",
        "FindingStatusEnum": "firegrid.patrols.choices.FindingStatus",
        "FlagKindEnum": "firegrid.patrols.choices.FlagKind",
        "FlagStatusEnum": "firegrid.patrols.choices.FlagStatus",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The docs page's Swagger UI served from our own static files: intranets are offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
