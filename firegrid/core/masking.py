"""Masking of personal data (PIPL). Unmasked values are shown only after a recorded reveal."""


def mask_id_number(value: str) -> str:
    """330802********1234: region and last four kept, birth date hidden."""
    if not value:
        return ""
    if len(value) <= 2:
        return "*" * len(value)
    if len(value) <= 10:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


# Every personal field's masker, by field name (`Model.personal_fields`).
MASKERS = {"id_number": mask_id_number, "mobile": mask_mobile, "contact_mobile": mask_mobile}
