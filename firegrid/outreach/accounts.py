"""Contractors sign in like landlords: mobile + one-time code through the portal (firegrid.portal).

`contractor_accounts(mobile, create_user=…)` answers the portal's question "who is this mobile?" for
contractors, in the shape of the portal's `PortalAccount` (an object with `ensure_user(mobile)`), so
`portal.services.find_portal_account` can add them to the landlords it finds. The portal sits above
this app, so it hands in its own `create_portal_user` for a contractor's first sign-in rather than
this module importing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.areas.models import User

from .models import Contractor


class CreateUser(Protocol):
    """The portal's `create_portal_user`: the account of someone signing in for the first time."""

    def __call__(
        self, *, username_base: str, role: str, full_name: str, mobile: str, reason: str, **links: Any
    ) -> User: ...


@dataclass
class ContractorAccount:
    """Who a mobile signs in as. `user` is None until the contractor first signs in."""

    contractor: Contractor
    create_user: CreateUser
    user: User | None = None

    def ensure_user(self, mobile: str) -> User:
        if self.user is None:
            self.user = _create_contractor_user(self.contractor, mobile, self.create_user)
        return self.user


def contractor_accounts(mobile: str, *, create_user: CreateUser) -> list[ContractorAccount]:
    """Active contractors registered with this (normalised) mobile, with their account if they have one;
    `create_user` opens the account of one signing in for the first time.

    A contractor whose account an administrator switched off (inactive, or given another role) is left
    out: it stays off.
    """
    found: list[ContractorAccount] = []
    for contractor in Contractor.objects.active().filter(mobile=mobile).select_related("user"):
        user = getattr(contractor, "user", None)
        if user is None:
            found.append(ContractorAccount(contractor=contractor, create_user=create_user))
        elif user.is_active and user.role == Role.CONTRACTOR:
            found.append(ContractorAccount(contractor=contractor, create_user=create_user, user=user))
    return found


def _create_contractor_user(contractor: Contractor, mobile: str, create_user: CreateUser) -> User:
    """The account of a listed contractor signing in for the first time."""
    return create_user(
        username_base=f"contractor-{contractor.pk}",
        role=Role.CONTRACTOR,
        full_name=contractor.name,
        mobile=mobile,
        reason=_("施工单位首次用手机验证码登录，自动开通施工单位账号"),
        contractor=contractor,
    )
