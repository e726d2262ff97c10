"""Every endpoint of the /api/v1/ router is walked through the personas by an `ApiScopeMatrix` subclass
(anonymous 401 → outsider 404 → a role without the right 403 → allowed). A viewset registered without a
walk fails here, whichever tests this run collected."""

from __future__ import annotations

from firegrid.api_testing import walked_prefixes
from firegrid.api_urls import router


def test_every_router_endpoint_has_a_scope_walk():
    registered = {prefix for prefix, _viewset, _basename in router.registry}
    walked = walked_prefixes()
    assert sorted(registered - walked) == [], "endpoints without an ApiScopeMatrix walk"
    assert sorted(walked - registered) == [], "walks of prefixes the router does not have"
