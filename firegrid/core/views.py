"""The handful of base views every page is built from: list, detail, create, edit, delete, history.

Scope is applied here, once: every object lookup goes through `Model.objects.visible_to(user)`, so an
object outside the user's scope is 404; inside the scope but not allowed for the role is 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseForm, HiddenInput, IntegerField, ModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from . import services
from .area_tree import area_tree
from .bulk import SELECTED, BulkAction, selected_ids
from .exports import xlsx_response
from .models import AuditEntry
from .permissions import Action, can
from .querysets import scoped_rows
from .responses import no_store
from .tables import Column

if TYPE_CHECKING:
    from django.views.generic.base import ContextMixin, TemplateResponseMixin

    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User

    from .http import AuthedHttpRequest

    class _ContextView(TemplateResponseMixin, ContextMixin, View):
        """What the mixins below are mixed into: a Django view with a template and its context."""

else:

    class _ContextView:
        """Nothing at runtime: the views the mixins go into bring the real bases."""


_M = TypeVar("_M", bound=Model)
_F = TypeVar("_F", bound="VersionedForm")


def _reverse_or_blank(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def url_name(model: type[Model], action: str) -> str:
    """registry:premises_list, registry:building_edit … — one naming rule for every model."""
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def add_errors(form: BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: each field's messages on that field when the form
    has it, the rest (and a message without a field) as the form's own errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ScopedMixin(LoginRequiredMixin, _ContextView, Generic[_M]):
    if TYPE_CHECKING:
        model: type[_M]
    else:
        model = None  # set by each view (or as_view(model=...))
    action: str = Action.VIEW
    request: AuthedHttpRequest  # LoginRequiredMixin lets only signed-in users through

    def get_queryset(self) -> QuerySet[_M]:
        return scoped_rows(self.model).visible_to(self.request.user, Action.VIEW)

    def check_action(self, obj: Model | type[Model]) -> None:
        if not can(self.request.user, self.action, obj):
            raise PermissionDenied(_("您的角色无权执行此操作。"))

    def get_object(self, queryset: QuerySet[_M] | None = None) -> _M:
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_action(obj)
        return obj

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        user = self.request.user
        context.update(
            verbose_name=meta.verbose_name,
            verbose_name_plural=meta.verbose_name_plural,
            can_add=can(user, Action.ADD, self.model),
            can_change=can(user, Action.CHANGE, self.model),
            can_delete=can(user, Action.DELETE, self.model),
            can_export=can(user, Action.EXPORT, self.model),
            can_reveal=can(user, Action.REVEAL, self.model),
            list_url=reverse(url_name(self.model, "list")),
            add_url=_reverse_or_blank(url_name(self.model, "add"))
            if can(user, Action.ADD, self.model)
            else "",
        )
        return context


# Django's generic views are generic only in the stubs (not subscriptable at runtime): ScopedMixin carries
# the model.
class ObjectListView(ScopedMixin[_M], ListView):  # type: ignore[type-arg]
    """A searchable, sortable, paginated list with an area tree, a column chooser and .xlsx export."""

    model: type[_M]  # one type where ScopedMixin and ListView both declare it
    filterset_class: Any  # a FiregridFilterSet (django-filter is untyped)
    filterset: Any
    columns: list[Column]
    template_name = "core/object_list.html"
    select_related: tuple[str, ...] = ()
    show_area_tree = True
    # The attribute a row's link passes to `detail_url_name` (a list of grade changes opens the premises).
    detail_pk = "pk"

    def get_paginate_by(self, queryset: QuerySet[_M]) -> int:
        try:
            size = int(self.request.GET.get("per_page", settings.FIREGRID_PAGE_SIZE))
        except ValueError:
            size = settings.FIREGRID_PAGE_SIZE
        return max(10, min(size, 200))

    def get_queryset(self) -> QuerySet[_M]:
        base = super().get_queryset().select_related(*self.select_related)
        # Always bound (an empty query string is a valid search) so the FilterSet's default order applies.
        self.filterset = self.filterset_class(self.request.GET, queryset=base, request=self.request)
        if not self.filterset.is_valid():
            return base.none()
        rows: QuerySet[_M] = self.filterset.qs
        return rows

    # Django takes any response from a handler (the export streams a file); the stub says HttpResponse.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        if not can(request.user, Action.VIEW, self.model):
            raise PermissionDenied(_("您的角色无权查看此列表。"))
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self) -> FileResponse:
        if not can(self.request.user, Action.EXPORT, self.model):
            raise PermissionDenied(_("您的角色无权导出此列表。"))
        rows = self.get_queryset().iterator(chunk_size=2000)
        return xlsx_response(
            str(self.model._meta.verbose_name_plural), self.columns, rows, self.model._meta.model_name or ""
        )

    def get_template_names(self) -> list[str]:
        if self.request.htmx and self.request.htmx.target == "list-results":
            return ["core/_list_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop(SELECTED, None)  # ticks kept after a refused bulk action: this page only
        export_params = params.copy()
        export_params["export"] = "xlsx"
        sort = self.request.GET.get("sort", "")
        header: list[dict[str, Any]] = []
        for column in self.columns:
            entry = {"column": column, "sort_link": "", "sorted": ""}
            if column.sort:
                entry["sort_link"] = self._sort_link(params, column.sort, sort)
                entry["sorted"] = (
                    "asc" if sort == column.sort else "desc" if sort == f"-{column.sort}" else ""
                )
            header.append(entry)
        context.update(
            filterset=self.filterset,
            columns=self.columns,
            header=header,
            rows=[
                (obj, [(c, c.get(obj), c.tag_value(obj)) for c in self.columns], getattr(obj, self.detail_pk))
                for obj in context["object_list"]
            ],
            query_string=params.urlencode(),
            export_url=f"?{export_params.urlencode()}",
            current_sort=sort,
            sort_options=self.filterset.sort_options(),
            todo_badge=self._todo_badge(),
            detail_url_name=url_name(self.model, "detail"),
            list_id=self.model._meta.label_lower,
            area_tree=area_tree(self.request.user) if self.show_area_tree else [],
            selected_area=self.request.GET.get("area", ""),
            **self._bulk_context(context["object_list"]),
        )
        return context

    def get_bulk_actions(self) -> list[BulkAction]:
        """Actions on ticked rows (core/bulk.py); a list offers none unless it says so."""
        return []

    def _bulk_context(self, rows: Sequence[_M]) -> dict[str, Any]:
        user = self.request.user
        actions = [a for a in self.get_bulk_actions() if a.allowed(user)]
        selectable: set[int] = set()
        for action in actions:
            selectable |= action.selectable(user, rows)
        ticked = set(selected_ids(self.request.GET.getlist(SELECTED))) & selectable
        return {"bulk_actions": actions, "selectable_ids": selectable, "selected_ids": ticked}

    def _todo_badge(self) -> str:
        """The badge of the rows on top of a 待办优先 list (a landlord's recheck request …), if any."""
        todo = self.filterset.todo_first()
        return str(todo.badge) if todo is not None and todo.flagged is not None else ""

    @staticmethod
    def _sort_link(params: QueryDict, key: str, current: str) -> str:
        p = params.copy()
        p["sort"] = f"-{key}" if current == key else key
        return f"?{p.urlencode()}"


class ObjectDetailView(ScopedMixin[_M], DetailView):  # type: ignore[type-arg]  # as ObjectListView
    """One record: its fields (personal data masked, with a recorded reveal), related lists, actions."""

    template_name = "core/object_detail.html"
    fields: list[Column] = []
    select_related: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet[_M]:
        return super().get_queryset().select_related(*self.select_related)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obj = self.object
        personal = getattr(obj, "personal_fields", ())
        reveal = url_name(self.model, "reveal")
        context["field_rows"] = [
            {
                "label": c.label,
                "value": c.get(obj),
                "key": c.key,
                "reveal_url": reverse(reveal, args=[obj.pk, c.key]) if c.key in personal else "",
            }
            for c in self.fields
        ]
        for action in ("edit", "delete", "history"):
            context[f"{action}_url"] = _reverse_or_blank(url_name(self.model, action), obj.pk)
        return context


class VersionedForm(ModelForm):  # type: ignore[type-arg]  # Django's class is not subscriptable at runtime
    """A ModelForm that carries the version it was loaded at, so a concurrent edit is detected."""

    version = IntegerField(widget=HiddenInput, required=False)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ObjectEditView(ScopedMixin[_M], FormView, Generic[_M, _F]):  # type: ignore[type-arg]  # as ObjectListView
    """Create (no pk) or edit (pk) through the services; errors land on their fields, nothing typed is lost."""

    form_class: type[_F]
    template_name = "core/object_form.html"
    object: _M | None  # None on a create page until the record is saved

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = None
        if "pk" in kwargs:
            self.action = Action.CHANGE
        else:
            self.action = Action.ADD
        return super().dispatch(request, *args, **kwargs)

    def setup_object(self) -> None:
        if self.action == Action.CHANGE:
            self.object = self.get_object()
        else:
            self.check_action(self.model)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.setup_object()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.setup_object()
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        # Create pages accept initial values in the query string (e.g. ?building=12 from a building page).
        if self.object is None:
            fields = self.form_class._meta.fields or ()
            return {k: v for k, v in self.request.GET.items() if k in fields}
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = self.object
        return kwargs

    def form_valid(self, form: _F) -> HttpResponse:
        data = {
            name: form.cleaned_data[name] for name in form._meta.fields or () if name in form.cleaned_data
        }
        reason = form.cleaned_data.get("change_reason", "") or ""
        try:
            if self.object is None:
                self.object = self.create(data, reason=reason)
                messages.success(self.request, self.created_message())
            else:
                expected: int | None = form.cleaned_data.get("version")
                if expected is None:
                    if not isinstance(self.object, services.Versioned):
                        raise ImproperlyConfigured(f"{self.model.__name__} has no version to edit against")
                    expected = self.object.version
                self.object = self.update(data, expected_version=expected, reason=reason)
                messages.success(self.request, _("已保存。"))
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except services.ConcurrentEditError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form, conflict=exc.current))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        return redirect(reverse(url_name(self.model, "detail"), args=[self.object.pk]))

    # The writes, for a model whose service takes more than the generic ones (a subclass overrides them);
    # form_valid keeps the error handling, the conflict page and the redirect for all.
    def create(self, data: dict[str, Any], *, reason: str) -> _M:
        return services.create_record(self.model, data, actor=self.request.user, reason=reason)

    def update(self, data: dict[str, Any], *, expected_version: int, reason: str) -> _M:
        assert self.object is not None  # an update edits the object the page was opened on
        return services.update_record(
            self.object, data, actor=self.request.user, expected_version=expected_version, reason=reason
        )

    def created_message(self) -> str:
        return _("已新增%(name)s：%(obj)s") % {"name": self.model._meta.verbose_name, "obj": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        conflict = kwargs.get("conflict")
        if conflict is not None:
            form = context["form"]
            context["conflict_rows"] = [
                {
                    "label": form.fields[name].label,
                    "current": Column(name, "").get(conflict),
                    "typed": form.data.get(name, ""),
                }
                for name in form._meta.fields
            ]
        if self.object is not None:
            context["cancel_url"] = reverse(url_name(self.model, "detail"), args=[self.object.pk])
        else:
            context["cancel_url"] = reverse(url_name(self.model, "list"))
        return context


class ObjectDeleteView(ScopedMixin[_M], TemplateView):
    template_name = "core/object_delete.html"
    action = Action.DELETE
    object: _M

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["cancel_url"] = reverse(url_name(self.model, "detail"), args=[self.object.pk])
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        reason = request.POST.get("reason", "").strip()
        if not reason:
            return self.render_to_response(self.get_context_data(error=_("请填写删除原因。")))
        try:
            version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
            services.delete_record(
                self.object, actor=self.request.user, reason=reason, expected_version=version
            )
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(error=" ".join(exc.messages), reason=reason))
        except services.ConcurrentEditError as exc:
            self.object = exc.current
            return self.render_to_response(self.get_context_data(error=exc.message, reason=reason))
        messages.success(request, _("已删除：%(obj)s") % {"obj": self.object})
        return redirect(reverse(url_name(self.model, "list")))


class ObjectHistoryView(ScopedMixin[_M], DetailView):  # type: ignore[type-arg]  # as ObjectListView
    """Every recorded change to one object, newest first."""

    template_name = "core/object_history.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entries"] = AuditEntry.objects.for_object(self.object).select_related("content_type")[:500]
        context["detail_url"] = reverse(url_name(self.model, "detail"), args=[self.object.pk])
        return context


class RevealView(ScopedMixin[_M], View):
    """POST: show one unmasked personal value; the look is recorded (PIPL)."""

    action = Action.REVEAL
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, field: str) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        if field not in getattr(obj, "personal_fields", ()):
            raise Http404
        value = services.reveal_personal_data(obj, field, actor=self.request.user)
        return no_store(
            HttpResponse(format_html('<span class="revealed">{}</span>', value) if value else "—")
        )


def crud_urls(
    model: type[Model],
    *,
    list_view: type[ObjectListView[Any]],
    detail_view: type[ObjectDetailView[Any]],
    form_class: type[VersionedForm],
    prefix: str | None = None,
) -> list[URLPattern]:
    """The seven URLs every registry model has, named by `url_name`: list, add, detail, edit, delete,
    history, reveal."""
    name = model._meta.model_name
    prefix = prefix or f"{name}s"
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(
            f"{prefix}/new/", ObjectEditView.as_view(model=model, form_class=form_class), name=f"{name}_add"
        ),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(
            f"{prefix}/<int:pk>/edit/",
            ObjectEditView.as_view(model=model, form_class=form_class),
            name=f"{name}_edit",
        ),
        path(f"{prefix}/<int:pk>/delete/", ObjectDeleteView.as_view(model=model), name=f"{name}_delete"),
        path(f"{prefix}/<int:pk>/history/", ObjectHistoryView.as_view(model=model), name=f"{name}_history"),
        path(
            f"{prefix}/<int:pk>/reveal/<str:field>/", RevealView.as_view(model=model), name=f"{name}_reveal"
        ),
    ]
