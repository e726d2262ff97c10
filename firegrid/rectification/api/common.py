"""What the rectification API views share: the base action permissions and the documented errors."""

from drf_spectacular.utils import OpenApiResponse

from firegrid.core.api.base import ScopedViewSetMixin

ACTIONS = ScopedViewSetMixin.action_permissions

ERRORS = {
    400: OpenApiResponse(description="字段错误（按字段名返回），或 non_field_errors"),
    403: OpenApiResponse(description="角色无权执行此操作"),
    404: OpenApiResponse(description="不在管辖范围内"),
}
CONFLICT = {409: OpenApiResponse(description="version 已过期：他人已修改该方案，请重新读取")}
