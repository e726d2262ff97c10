"""Portal tests send SMS through the in-memory backend and read the code from its outbox."""

from __future__ import annotations

import pytest

from firegrid.core import sms

from .helpers import T0


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def clock(time_machine):
    """Time stands still at T0 until the test moves it (clock.shift(seconds))."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def scene(checklist, district, personas):
    """张建国 as the demo has him: every portal page has something on it (tests/scene.py)."""
    from .scene import landlord_scene

    return landlord_scene(district, personas)
