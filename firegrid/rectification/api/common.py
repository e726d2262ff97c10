"""What the rectification API views share: the base action permissions and the documented errors."""

from drf_spectacular.utils import OpenApiResponse

from firegrid.core.api.base import ScopedViewSetMixin
from firegrid.core.api.schema import ERRORS

__all__ = ["ACTIONS", "CONFLICT", "ERRORS"]

ACTIONS = ScopedViewSetMixin.action_permissions
CONFLICT = {409: OpenApiResponse(description="version 已过期：他人已修改该方案，请重新读取")}
