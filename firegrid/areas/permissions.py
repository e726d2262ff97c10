"""Who may do what: the one table of role × model × action.

Roles belong to this app (it owns users), so the table naming them lives here; the mechanism that reads
it — `Action` and `can(user, action, model)` — is groundwork in `firegrid.core.permissions`, which sits
below this app and receives the table from `AreasConfig.ready()` (`register_role_actions`). Scope (which
rows) is answered by each model's `visible_to(user, action)`; this table answers only whether the role
may perform the action on that kind of object at all.

Models are named by their label (`registry.premises`), not imported: the table covers every app, and
most of them sit above this one.
"""

from __future__ import annotations

from firegrid.core.permissions import Action

from .choices import Role

ALL = frozenset(Action)
READ = frozenset({Action.VIEW, Action.EXPORT})
EDIT = frozenset({Action.VIEW, Action.EXPORT, Action.ADD, Action.CHANGE, Action.REVEAL})

BUILDING = "registry.building"
PREMISES = "registry.premises"
ROOM = "registry.room"
LANDLORD = "registry.landlord"
TENANT = "registry.tenanthousehold"
AREA = "areas.area"
DEPARTMENT = "areas.department"
UNIT = "areas.unit"
USER = "areas.user"
AUDIT = "core.auditentry"
LOGIN = "core.loginrecord"

TEMPLATE = "inspections.checklisttemplate"
INSPECTION = "inspections.inspection"
HAZARD = "inspections.hazard"
PHOTO = "inspections.photo"

CAMPAIGN = "campaigns.campaign"
# A campaign's parts: work groups, target premises and milestones are set by the command; claims of
# four-category landlords are made by a unit's liaison for their own unit or by the command for any unit.
# Area roles read claims (they follow the landlords in their grids) but do not claim: a claim is the
# employer unit's commitment, so only the unit or the command makes it.
WORK_GROUP = "campaigns.workgroup"
CLAIM = "campaigns.claim"
TARGET = "campaigns.campaigntarget"
MILESTONE = "campaigns.milestone"
CAMPAIGN_PARTS = (WORK_GROUP, TARGET, MILESTONE)
PLAN = "rectification.plan"
DOCUMENT = "rectification.document"
ENFORCEMENT = "rectification.enforcementaction"
PROOF = "rectification.proofphoto"
# Notes in a premises file (一户一档): officers write and read them; a landlord or a unit liaison sees
# only the notes marked public (firegrid.rectification.premises_file).
NOTE = "rectification.premisesnote"
# The district's overdue escalation ladder: configured by system administrators, read by the command.
ESCALATION = "rectification.escalationstep"

CONTRACTOR = "outreach.contractor"
SLOT = "outreach.slot"
BOOKING = "outreach.booking"
# Outreach records (宣传): kept by the areas that held the meeting or handed out the leaflets.
OUTREACH_RECORD = "outreach.outreachrecord"
# Tasks (任务) routed down the area chain and joint-team tasks; who may act on one is the holder's
# business (firegrid.tasks.services.acts_for), these grants say who works with tasks at all.
TASK = "tasks.task"
# Risk grades (风险等级) and their history are computed by the system: nobody adds or changes them by hand.
# The district's risk rule sets (风险规则) are edited (as drafts) and published by the system admin.
GRADE = "risk.premisesgrade"
GRADE_CHANGE = "risk.gradechange"
RULE_SET = "risk.riskruleset"
# 重点区域: designated, changed and ended by the district command (and the system admin); read by everyone
# who reads grades.
KEY_AREA = "risk.keyarea"
KEY_AREA_DESIGNATE = READ | {Action.ADD, Action.CHANGE}
GRADES = (GRADE, GRADE_CHANGE)
# Landlord self-inspection (房东自查): landlords submit their own, area and district roles read; nobody
# edits one (a verification visit's result is the system's, recorded from the inspection).
SELF_INSPECTION = "longterm.selfinspection"
VERIFICATION_DRAW = "longterm.verificationdraw"
VERIFICATION = "longterm.verification"
# A self-inspection's photos (added with it, by the landlord) and the misses the monthly job records.
SELF_INSPECTION_PHOTO = "longterm.selfinspectionphoto"
SELF_INSPECTION_MISS = "longterm.selfinspectionmiss"
SELF_INSPECTIONS = (
    SELF_INSPECTION,
    VERIFICATION_DRAW,
    VERIFICATION,
    SELF_INSPECTION_PHOTO,
    SELF_INSPECTION_MISS,
)

REGISTRY = (BUILDING, PREMISES, ROOM, LANDLORD, TENANT)
# Plans change only through their moves (each with its own role check in rectification.machine);
# these grants say who may make, edit, read and export them at all.
RECTIFICATION = (PLAN, ENFORCEMENT)
RECTIFICATION_READ = (PLAN, DOCUMENT, ENFORCEMENT, PROOF)
FIELDWORK = (INSPECTION, PHOTO)
ORGANISATION = (AREA, DEPARTMENT, UNIT)


def _grant(models_: tuple[str, ...], actions: frozenset[Action]) -> dict[str, frozenset[Action]]:
    return dict.fromkeys(models_, actions)


# Hazards are created and closed by inspections; people only view them, export them and — with a
# supervisor's role — void them.
HAZARD_READ = frozenset({Action.VIEW, Action.EXPORT})
HAZARD_SUPERVISE = HAZARD_READ | {Action.VOID}
NOTE_WRITE = READ | {Action.ADD}
# The contractor directory is public to every signed-in role (a reveal of a mobile is still recorded);
# community and subdistrict officers keep it for the contractors serving their areas.
DIRECTORY_READ = frozenset({Action.VIEW, Action.EXPORT, Action.REVEAL})
DIRECTORY_KEEP = EDIT | {Action.DELETE}
# A landlord books a contractor for their own plan and may cancel; a contractor marks work done.
BOOKING_LANDLORD = frozenset({Action.VIEW, Action.EXPORT, Action.ADD, Action.CHANGE})
BOOKING_CONTRACTOR = frozenset({Action.VIEW, Action.EXPORT, Action.CHANGE})

ROLE_ACTIONS: dict[str, dict[str, frozenset[Action]]] = {
    Role.SYSTEM_ADMIN: {
        **_grant((*REGISTRY, *ORGANISATION, *FIELDWORK, USER, AUDIT, LOGIN, TEMPLATE), ALL),
        **_grant((*RECTIFICATION_READ, CAMPAIGN, ESCALATION), ALL),
        **_grant((*CAMPAIGN_PARTS, CLAIM), ALL),
        **_grant((CONTRACTOR, SLOT, BOOKING), ALL),
        **_grant((OUTREACH_RECORD, TASK), ALL),
        NOTE: ALL,
        HAZARD: HAZARD_SUPERVISE,
        **_grant(GRADES, READ),
        RULE_SET: READ | {Action.ADD, Action.CHANGE},
        KEY_AREA: KEY_AREA_DESIGNATE,
        **_grant(SELF_INSPECTIONS, READ),
        # A draw by hand (the monthly job draws without an actor).
        VERIFICATION_DRAW: READ | {Action.ADD},
    },
    # The command sees everything and may confirm identities, but records are kept by the field.
    Role.DISTRICT_COMMANDER: {
        **_grant(REGISTRY, READ | {Action.REVEAL}),
        **_grant((*ORGANISATION, *FIELDWORK, TEMPLATE, *RECTIFICATION_READ, ESCALATION), READ),
        CAMPAIGN: ALL,
        **_grant(CAMPAIGN_PARTS, ALL),
        CLAIM: ALL,
        TASK: EDIT,
        OUTREACH_RECORD: READ,
        CONTRACTOR: DIRECTORY_READ,
        **_grant((SLOT, BOOKING), READ),
        NOTE: READ,
        HAZARD: HAZARD_SUPERVISE,
        **_grant((*GRADES, RULE_SET, KEY_AREA), READ),
        KEY_AREA: KEY_AREA_DESIGNATE,
        **_grant(SELF_INSPECTIONS, READ),
    },
    # Departments inspect too (joint inspections): the fire service above all.
    Role.DEPARTMENT_OFFICER: {
        **_grant(REGISTRY, READ),
        **_grant((*ORGANISATION, TEMPLATE, CAMPAIGN, DOCUMENT, PROOF), READ),
        **_grant((*CAMPAIGN_PARTS, CLAIM), READ),
        **_grant((*FIELDWORK, *RECTIFICATION), EDIT),
        TASK: EDIT,
        OUTREACH_RECORD: READ,
        CONTRACTOR: DIRECTORY_READ,
        SLOT: READ,
        BOOKING: EDIT,
        NOTE: NOTE_WRITE,
        HAZARD: HAZARD_SUPERVISE,
        **_grant((*GRADES, RULE_SET, KEY_AREA), READ),
        **_grant(SELF_INSPECTIONS, READ),
    },
    Role.SUBDISTRICT_OFFICER: {
        **_grant(REGISTRY, ALL),
        **_grant((*ORGANISATION, TEMPLATE, CAMPAIGN, DOCUMENT, PROOF), READ),
        **_grant((*CAMPAIGN_PARTS, CLAIM), READ),
        **_grant((*FIELDWORK, *RECTIFICATION), EDIT),
        **_grant((CONTRACTOR, SLOT), DIRECTORY_KEEP),
        **_grant((OUTREACH_RECORD,), DIRECTORY_KEEP),
        TASK: EDIT,
        BOOKING: EDIT,
        NOTE: NOTE_WRITE,
        HAZARD: HAZARD_SUPERVISE,
        **_grant((*GRADES, RULE_SET, KEY_AREA), READ),
        **_grant(SELF_INSPECTIONS, READ),
    },
    Role.COMMUNITY_OFFICER: {
        **_grant(REGISTRY, ALL),
        **_grant((*ORGANISATION, TEMPLATE, CAMPAIGN, DOCUMENT, PROOF), READ),
        **_grant((*CAMPAIGN_PARTS, CLAIM), READ),
        **_grant((*FIELDWORK, *RECTIFICATION), EDIT),
        **_grant((CONTRACTOR, SLOT), DIRECTORY_KEEP),
        **_grant((OUTREACH_RECORD,), DIRECTORY_KEEP),
        TASK: EDIT,
        BOOKING: EDIT,
        NOTE: NOTE_WRITE,
        HAZARD: HAZARD_SUPERVISE,
        **_grant((*GRADES, RULE_SET, KEY_AREA), READ),
        **_grant(SELF_INSPECTIONS, READ),
    },
    # Grid workers register, correct and inspect; removing a record or voiding a hazard is an
    # officer's decision.
    Role.GRID_WORKER: {
        **_grant(REGISTRY, EDIT),
        **_grant((*ORGANISATION, TEMPLATE, CAMPAIGN, DOCUMENT, PROOF), READ),
        **_grant((*CAMPAIGN_PARTS, CLAIM), READ),
        **_grant(FIELDWORK, EDIT),
        PLAN: EDIT,
        ENFORCEMENT: READ,
        TASK: EDIT,
        OUTREACH_RECORD: EDIT,
        CONTRACTOR: DIRECTORY_READ,
        SLOT: READ,
        BOOKING: EDIT,
        NOTE: NOTE_WRITE,
        HAZARD: HAZARD_READ,
        **_grant((*GRADES, RULE_SET, KEY_AREA), READ),
        **_grant(SELF_INSPECTIONS, READ),
    },
    # A unit liaison follows the landlords their unit employs; tenants are none of their business.
    Role.UNIT_LIAISON: {
        **_grant((BUILDING, PREMISES, ROOM, LANDLORD, HAZARD, PLAN, CAMPAIGN), READ),
        **_grant((UNIT,), READ),
        **_grant(CAMPAIGN_PARTS, READ),
        CLAIM: READ | {Action.ADD},
        **_grant((CONTRACTOR, SLOT, BOOKING), READ),
    },
    # A landlord sees their own premises and keeps their own tenant register.
    Role.LANDLORD: {
        **_grant((BUILDING, PREMISES, ROOM, LANDLORD), READ | {Action.REVEAL}),
        # Enforcement on their own premises is served on them; they see it in their file.
        **_grant((HAZARD, INSPECTION, PHOTO, PLAN, DOCUMENT, PROOF, ENFORCEMENT), READ),
        TENANT: ALL,
        CONTRACTOR: DIRECTORY_READ,
        SLOT: READ,
        BOOKING: BOOKING_LANDLORD,
        # Their own premises' grades and why, so they know what lowers them.
        **_grant(GRADES, frozenset({Action.VIEW})),
        SELF_INSPECTION: frozenset({Action.VIEW, Action.ADD}),
        SELF_INSPECTION_PHOTO: frozenset({Action.VIEW, Action.ADD}),
        **_grant((VERIFICATION, SELF_INSPECTION_MISS), frozenset({Action.VIEW})),
    },
    # A contractor reads the directory, keeps their own availability and marks their own work done.
    Role.CONTRACTOR: {
        CONTRACTOR: DIRECTORY_READ,
        SLOT: DIRECTORY_KEEP,
        BOOKING: BOOKING_CONTRACTOR,
    },
}

# Patrols (巡查, firegrid.patrols): teams are kept by the area roles (a grid worker organises their grid's
# landlord volunteers); patrols are planned by area roles and started and finished by their team's members
# (landlord volunteers too: CHANGE here, membership checked by the service); scans and findings are added by
# members, never changed (a finding is closed by an area role). Fabrication flags (疑似造假提示) are for
# supervisors only — community and subdistrict officers and the district roles — never the flagged
# worker's peers: grid workers and landlords have no grant on them.
PATROL_TEAM = "patrols.patrolteam"
PATROL = "patrols.patrol"
PATROL_SCAN = "patrols.patrolscan"
PATROL_FINDING = "patrols.patrolfinding"
FINDING_PHOTO = "patrols.findingphoto"
FABRICATION_FLAG = "patrols.fabricationflag"
PHOTO_FINGERPRINT = "patrols.photofingerprint"
PATROL_RECORDS = (PATROL_TEAM, PATROL, PATROL_SCAN, PATROL_FINDING, FINDING_PHOTO)
_OFFICER_PATROLS = {
    PATROL_TEAM: READ | {Action.ADD, Action.CHANGE, Action.DELETE},
    PATROL: READ | {Action.ADD, Action.CHANGE},
    PATROL_SCAN: READ | {Action.ADD},
    PATROL_FINDING: READ | {Action.ADD, Action.CHANGE},
    FINDING_PHOTO: frozenset({Action.VIEW, Action.ADD}),
}
_SUPERVISE_FLAGS = {FABRICATION_FLAG: READ | {Action.CHANGE}, PHOTO_FINGERPRINT: frozenset({Action.VIEW})}
_READ_FLAGS = {FABRICATION_FLAG: READ, PHOTO_FINGERPRINT: frozenset({Action.VIEW})}
PATROL_ACTIONS: dict[str, dict[str, frozenset[Action]]] = {
    Role.SYSTEM_ADMIN: {**_grant(PATROL_RECORDS, READ), PATROL_TEAM: ALL, PATROL: ALL, **_READ_FLAGS},
    Role.DISTRICT_COMMANDER: {**_grant(PATROL_RECORDS, READ), **_SUPERVISE_FLAGS},
    Role.DEPARTMENT_OFFICER: {**_grant(PATROL_RECORDS, READ), **_READ_FLAGS},
    Role.SUBDISTRICT_OFFICER: {**_OFFICER_PATROLS, **_SUPERVISE_FLAGS},
    Role.COMMUNITY_OFFICER: {**_OFFICER_PATROLS, **_SUPERVISE_FLAGS},
    Role.GRID_WORKER: {**_OFFICER_PATROLS, PATROL_TEAM: READ | {Action.ADD, Action.CHANGE}},
    Role.LANDLORD: {
        PATROL_TEAM: frozenset({Action.VIEW}),
        PATROL: frozenset({Action.VIEW, Action.CHANGE}),
        **_grant((PATROL_SCAN, PATROL_FINDING, FINDING_PHOTO), frozenset({Action.VIEW, Action.ADD})),
    },
}
for _role, _grants in PATROL_ACTIONS.items():
    ROLE_ACTIONS[_role].update(_grants)

# Monitoring (物联感知, firegrid.monitoring): devices are registered and kept by the area roles (a grid worker
# records what the installer fitted; officers also delete) and the system admin; device events are the
# devices' own, read only. Alert cases (报警处置) are moved — acknowledged, visited, closed — by the area
# roles and the district command; departments read them; a unit liaison and a landlord see their own.
DEVICE = "monitoring.device"
DEVICE_EVENT = "monitoring.deviceevent"
ALERT_CASE = "monitoring.alertcase"
_DEVICE_KEEP = READ | {Action.ADD, Action.CHANGE}
_DEVICE_ALL = _DEVICE_KEEP | {Action.DELETE}
_CASE_MOVE = READ | {Action.CHANGE}
_SEE = frozenset({Action.VIEW})
MONITORING_ACTIONS: dict[str, dict[str, frozenset[Action]]] = {
    Role.SYSTEM_ADMIN: {DEVICE: _DEVICE_ALL, DEVICE_EVENT: READ, ALERT_CASE: READ},
    Role.DISTRICT_COMMANDER: {DEVICE: READ, DEVICE_EVENT: READ, ALERT_CASE: _CASE_MOVE},
    Role.DEPARTMENT_OFFICER: {DEVICE: READ, DEVICE_EVENT: READ, ALERT_CASE: READ},
    Role.SUBDISTRICT_OFFICER: {DEVICE: _DEVICE_ALL, DEVICE_EVENT: READ, ALERT_CASE: _CASE_MOVE},
    Role.COMMUNITY_OFFICER: {DEVICE: _DEVICE_ALL, DEVICE_EVENT: READ, ALERT_CASE: _CASE_MOVE},
    Role.GRID_WORKER: {DEVICE: _DEVICE_KEEP, DEVICE_EVENT: READ, ALERT_CASE: _CASE_MOVE},
    Role.UNIT_LIAISON: _grant((DEVICE, DEVICE_EVENT, ALERT_CASE), _SEE),
    Role.LANDLORD: _grant((DEVICE, DEVICE_EVENT, ALERT_CASE), _SEE),
}
for _role, _grants in MONITORING_ACTIONS.items():
    ROLE_ACTIONS[_role].update(_grants)

# The fire incident register (火警火灾, firegrid.incidents): recorded by the fire service (department
# officers), the command and the system admin; area officers confirm or reject address matches in their
# area; grid workers read it.
FIRE_INCIDENT = "incidents.fireincident"
_INCIDENT_RECORD = READ | {Action.ADD, Action.CHANGE}
INCIDENT_ACTIONS: dict[str, dict[str, frozenset[Action]]] = {
    Role.SYSTEM_ADMIN: {FIRE_INCIDENT: _INCIDENT_RECORD},
    Role.DISTRICT_COMMANDER: {FIRE_INCIDENT: _INCIDENT_RECORD},
    Role.DEPARTMENT_OFFICER: {FIRE_INCIDENT: _INCIDENT_RECORD},
    Role.SUBDISTRICT_OFFICER: {FIRE_INCIDENT: READ | {Action.CHANGE}},
    Role.COMMUNITY_OFFICER: {FIRE_INCIDENT: READ | {Action.CHANGE}},
    Role.GRID_WORKER: {FIRE_INCIDENT: READ},
}
for _role, _grants in INCIDENT_ACTIONS.items():
    ROLE_ACTIONS[_role].update(_grants)

# Landlord points (积分, firegrid.points): entries are written by the system when their cause happens;
# community and subdistrict officers and the district's command and departments add attendance and
# corrections by hand (never a change or a deletion: a correction is a new entry). Everyone who follows
# landlords reads the entries in their scope (a unit liaison their unit's landlords, a landlord their
# own). The points rules are published by the system admin; the year-end evaluation is computed and
# confirmed by the district commander (or the system admin), which issues the certificates.
POINTS_ENTRY = "points.pointsentry"
POINTS_RULE_SET = "points.pointsruleset"
POINTS_EVALUATION = "points.yearendevaluation"
POINTS_NOMINATION = "points.nomination"
_POINTS_READ = {POINTS_ENTRY: READ, POINTS_RULE_SET: READ, POINTS_EVALUATION: READ, POINTS_NOMINATION: READ}
_POINTS_KEEP = {**_POINTS_READ, POINTS_ENTRY: READ | {Action.ADD}}
_POINTS_EVALUATE = {POINTS_EVALUATION: READ | {Action.ADD, Action.CHANGE}}
POINTS_ACTIONS: dict[str, dict[str, frozenset[Action]]] = {
    Role.SYSTEM_ADMIN: {
        **_POINTS_READ,
        POINTS_RULE_SET: READ | {Action.ADD, Action.CHANGE},
        **_POINTS_EVALUATE,
    },
    Role.DISTRICT_COMMANDER: {**_POINTS_KEEP, **_POINTS_EVALUATE},
    Role.DEPARTMENT_OFFICER: _POINTS_KEEP,
    Role.SUBDISTRICT_OFFICER: _POINTS_KEEP,
    Role.COMMUNITY_OFFICER: _POINTS_KEEP,
    Role.GRID_WORKER: _POINTS_READ,
    Role.UNIT_LIAISON: _POINTS_READ,
    Role.LANDLORD: _grant((POINTS_ENTRY, POINTS_RULE_SET, POINTS_NOMINATION), frozenset({Action.VIEW})),
}
for _role, _grants in POINTS_ACTIONS.items():
    ROLE_ACTIONS[_role].update(_grants)
