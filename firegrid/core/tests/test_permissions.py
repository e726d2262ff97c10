"""`can` reads the one role table, which the areas app (owner of roles) hands to core at start-up."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from firegrid.areas.permissions import ROLE_ACTIONS
from firegrid.core import permissions
from firegrid.core.models import AuditEntry
from firegrid.core.permissions import Action, can, role_actions

GRID_WORKER = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=False, role="grid_worker")


def test_can_reads_the_table_the_areas_app_registers():
    assert role_actions() is ROLE_ACTIONS
    assert not can(GRID_WORKER, Action.VIEW, AuditEntry)


def test_without_a_registered_table_can_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(permissions, "_role_actions", None)
    with pytest.raises(ImproperlyConfigured, match="INSTALLED_APPS"):
        can(GRID_WORKER, Action.VIEW, AuditEntry)
