"""What a row of each kind of ledger does: find the records it names by their natural keys, check its
values with the models' rules, and upsert (create new, update changed, leave equal ones alone).

Natural keys: building = (grid, address); landlord = ID number; premises = (building, unit label);
room = (premises, number); tenant household = (premises, ID number, moved-in date). A blank cell means
"not given": an existing record keeps its value, a new one gets the model default.
"""

from __future__ import annotations

from .base import KindImporter
from .people import LandlordImporter, TenantHouseholdImporter
from .places import BuildingImporter, RoomImporter
from .premises import PremisesImporter
from .rental import RentalLedgerImporter

IMPORTERS: dict[str, type[KindImporter]] = {
    "premises": PremisesImporter,
    "building": BuildingImporter,
    "landlord": LandlordImporter,
    "room": RoomImporter,
    "tenant_household": TenantHouseholdImporter,
    "rental_ledger": RentalLedgerImporter,
}
