"""What a probe of the demo found, each reproduced and kept fixed: no 500 from a format suffix or from
deep JSON, production security defaults, uploaded files only through scope-checked views, revealed
personal data never cached, and personal data masked everywhere (API, pages, Django admin)."""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from firegrid.conftest import assert_status

pytestmark = pytest.mark.django_db


# --- 1. format suffixes -------------------------------------------------------------------------------


def api_suffix_routes() -> list[tuple[str, URLPattern]]:
    """Every GET route of /api/v1/ that takes a format suffix, as (URL name, pattern), from the resolver."""
    suffix = api_settings.FORMAT_SUFFIX_KWARG
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif prefix.startswith("api/v1/") and suffix in pattern.pattern.regex.groupindex:
                actions = getattr(pattern.callback, "actions", None)
                if actions is None or "get" in actions:  # the API root has no action map
                    found.append((pattern.name, pattern))

    walk(get_resolver().url_patterns, "")
    return found


# Sample values of the URL arguments other than `pk`: none of them exists, so the answer is a 404
# from the handler itself (which is where the TypeError used to come from).
ARGUMENT_SAMPLES = {"photo_id": 0, "attachment_id": 0, "slot_id": 0, "variant": "image"}


def route_kwargs(pattern: URLPattern) -> dict:
    kwargs = {}
    for name in pattern.pattern.regex.groupindex:
        if name == "pk":
            model = getattr(getattr(pattern.callback.cls, "queryset", None), "model", None)
            first = model.objects.order_by("pk").first() if model is not None else None
            kwargs["pk"] = first.pk if first is not None else 0
        elif name != api_settings.FORMAT_SUFFIX_KWARG:
            kwargs[name] = ARGUMENT_SAMPLES[name]
    return kwargs


def test_the_walk_finds_every_router_get_route():
    names = [name for name, _pattern in api_suffix_routes()]
    assert len(names) > 80
    assert {"landlords-history", "landlords-list", "landlords-detail", "plan-documents-pdf"} <= set(names)


def test_every_get_route_with_a_json_suffix_answers_like_the_route_without_it(personas, district):
    client = APIClient()
    client.force_authenticate(personas.admin)
    failures = []
    for name, pattern in api_suffix_routes():
        kwargs = route_kwargs(pattern)
        plain = reverse(name, kwargs=kwargs)
        suffixed = reverse(name, kwargs={**kwargs, api_settings.FORMAT_SUFFIX_KWARG: "json"})
        assert suffixed != plain and ".json" in suffixed
        response = client.get(suffixed)
        if response.status_code >= 500:
            failures.append(f"{suffixed}: {response.status_code}")
        elif response.status_code == 200:
            if not response["Content-Type"].startswith("application/json"):
                failures.append(f"{suffixed}: 200 as {response['Content-Type']}, not JSON")
            elif client.get(plain).status_code != 200:
                failures.append(f"{suffixed}: 200 where {plain} is not")
        elif response.status_code != 404 and response.status_code != client.get(plain).status_code:
            failures.append(f"{suffixed}: {response.status_code} unlike {plain}")
    assert not failures, "\n".join(failures)


def test_landlord_history_with_a_json_suffix_is_the_history(personas, district):
    client = APIClient()
    client.force_authenticate(personas.admin)
    response = client.get(f"/api/v1/landlords/{district.landlord_a.pk}/history.json")
    assert_status(response, 200)
    assert response.json() == client.get(f"/api/v1/landlords/{district.landlord_a.pk}/history/").json()


def test_a_file_endpoint_with_a_json_suffix_is_not_found(personas):
    client = APIClient()
    client.force_authenticate(personas.admin)
    # A PDF under a JSON name would be a lie: the suffix is an unknown format there, as DRF answers it.
    assert client.get("/api/v1/plan-documents/1/pdf.json").status_code == 404
    assert client.get("/api/v1/plan-documents/1/pdf/?format=json").status_code == 404


def test_an_unknown_suffix_is_not_found(personas, district):
    client = APIClient()
    client.force_authenticate(personas.admin)
    assert client.get(f"/api/v1/landlords/{district.landlord_a.pk}/history.xml").status_code == 404


# --- 2. request bodies: nesting and size ------------------------------------------------------------


def test_deeply_nested_json_to_the_token_sign_in_is_a_400_with_a_message():
    body = "[" * 100_000 + "]" * 100_000  # RecursionError in the json module: it was a 500
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert_status(response, 400)
    assert "JSON 嵌套超过 32 层" in response.json()["detail"]


def test_deeply_nested_json_anywhere_in_the_api_is_a_400(personas, district):
    client = APIClient()
    client.force_authenticate(personas.admin)
    body = '{"name": ' * 40 + "1" + "}" * 40
    response = client.patch(
        f"/api/v1/landlords/{district.landlord_a.pk}/", body, content_type="application/json"
    )
    assert_status(response, 400)
    assert "JSON 嵌套超过 32 层" in response.json()["detail"]


def test_the_nesting_refusal_is_in_the_callers_language():
    body = "[" * 50 + "]" * 50
    response = APIClient().post(
        "/api/v1/auth/token/", body, content_type="application/json", HTTP_COOKIE="django_language=en"
    )
    assert_status(response, 400)
    assert response.json()["detail"] == "JSON nested deeper than 32 levels: the request was not processed."


def test_brackets_inside_strings_do_not_count_as_nesting(personas, district):
    from firegrid.core.api.parsers import json_depth

    assert (
        json_depth('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "b": [1, {"c": "\\"]"}]}') == 3
    )
    client = APIClient()
    client.force_authenticate(personas.admin)
    landlord = district.landlord_a
    response = client.patch(
        f"/api/v1/landlords/{landlord.pk}/",
        json.dumps({"version": landlord.version, "address": "[" * 40 + "樟树潭村" + "]" * 40}),
        content_type="application/json",
    )
    assert_status(response, 200)


def test_a_json_body_over_the_limit_is_a_413_with_a_message(settings, personas, district):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.force_authenticate(personas.admin)
    body = json.dumps({"version": 1, "address": "x" * 2000})
    response = client.patch(
        f"/api/v1/landlords/{district.landlord_a.pk}/", body, content_type="application/json"
    )
    assert_status(response, 413)
    assert "请求内容过大" in response.json()["detail"] and "1,000" in response.json()["detail"]


def test_a_form_body_over_the_limit_is_a_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "x" * 2000, "password": "p"}, format="multipart"
    )
    # multipart: Django's parser refuses the oversized field itself
    assert response.status_code in (400, 413)
    response = APIClient().post(
        "/api/v1/auth/token/",
        "username=" + "x" * 2000 + "&password=p",
        content_type="application/x-www-form-urlencoded",
    )
    assert_status(response, 413)


def test_upload_limits_are_set():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2560 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2560 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o640


# --- 3. production defaults ----------------------------------------------------------------------------


def production_env(tmp_path, **env) -> dict:
    """What production sets: a real key, the hosts, an SMS gateway; neither DEBUG nor FIREGRID_DEV."""
    import secrets

    from django.conf import settings

    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "fire.example.gov.cn,testserver",
        # Any backend will do for the check (the development one's dotted path, wherever it lives).
        "FIREGRID_SMS_BACKEND": settings.FIREGRID_SMS_BACKEND,
        **env,
    }


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    from firegrid.core.checks import REQUIRED_STATIC
    from firegrid.core.tests.test_settings import start

    # A deploy has collected the static files (an empty STATIC_ROOT is warning firegrid.W003).
    for name in REQUIRED_STATIC:
        (tmp_path / "data" / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / "static" / name).write_text("/* collected */")
    code = (
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING'); print('clean')"
    )
    result = start(tmp_path, code, **production_env(tmp_path))
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip().endswith("clean")


def test_production_answers_with_https_headers_and_serves_static_files_with_whitenoise(tmp_path):
    from firegrid.core.tests.test_settings import start

    # A collected file in STATIC_ROOT (collectstatic itself takes a minute: `make run` and deploys run it).
    static = tmp_path / "data" / "static" / "firegrid"
    static.mkdir(parents=True)
    (static / "app.css").write_text("body { color: #1f2329; }")
    code = """
import json
from django.test import Client
c = Client()
plain = c.get("/login/")
page = c.get("/login/", secure=True)
css = c.get("/static/firegrid/app.css", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "page": page.status_code,
    "hsts": page.get("Strict-Transport-Security", ""),
    "csp": page.get("Content-Security-Policy", ""),
    "cookie": page.cookies["csrftoken"].output(),
    "css": [css.status_code, b"".join(css.streaming_content).decode()],
}))
"""
    result = start(tmp_path, code, **production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["plain"] == [301, "https://testserver/login/"]
    assert out["page"] == 200
    assert out["hsts"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in out["csp"] and "frame-ancestors 'none'" in out["csp"]
    assert "Secure" in out["cookie"]
    assert out["css"] == [200, "body { color: #1f2329; }"]


def test_development_stays_on_plain_http(client, db):
    from django.conf import settings

    assert not settings.SECURE_SSL_REDIRECT and settings.SECURE_HSTS_SECONDS == 0
    assert not settings.SESSION_COOKIE_SECURE and not settings.CSRF_COOKIE_SECURE
    response = client.get("/login/")
    assert_status(response, 200)
    assert "Strict-Transport-Security" not in response


def test_every_page_has_a_content_security_policy(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict((part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def test_the_map_tile_server_is_allowed_for_images():
    from firegrid.settings import _tile_origin

    assert _tile_origin("https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png") == [
        "https://*.tiles.example.gov.cn"
    ]
    assert _tile_origin("http://10.0.0.8:8080/tiles/{z}/{x}/{y}.png") == ["http://10.0.0.8:8080"]
    assert _tile_origin("") == []


def test_only_the_api_docs_page_allows_inline_styles(personas, login):
    client = login(personas.admin)
    docs = client.get("/api/docs/")
    assert_status(docs, 200)
    # Directives come in no fixed order: compare them by name.
    policy = dict(d.strip().split(" ", 1) for d in docs["Content-Security-Policy"].split(";") if d.strip())
    assert policy["style-src"] == "'self' 'unsafe-inline'" and policy["script-src"] == "'self'"
    # Swagger UI's start-up script is a file of its own, not inline.
    html = docs.content.decode()
    assert "<script>" not in html
    script = client.get("/api/docs/?script=")
    assert_status(script, 200)
    assert script["Content-Type"].startswith("application/javascript")
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"]


def test_templates_have_no_inline_script_style_or_handler():
    """The policy allows scripts and styles from our files only: keep the templates that way."""
    import re
    from pathlib import Path

    from django.conf import settings

    roots = [Path(settings.PACKAGE_DIR)]
    inline = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|javascript:", re.I)
    found = []
    for root in roots:
        for path in root.rglob("templates/**/*.html"):
            if "documents" in path.parts:  # printed through WeasyPrint, never served as a page
                continue
            text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(root)}: {m.group(0)}" for m in inline.finditer(text)]
    assert not found, "\n".join(found)


def debug_error_page(request) -> str:
    """Django's page for an error in a view under DEBUG (a frame of its own: the test's values are not
    locals of the failing code)."""
    import sys

    from django.views.debug import technical_500_response

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_error_page_under_debug_shows_neither_the_environment_nor_connection_urls(rf, settings, monkeypatch):
    import secrets

    # Values made up here, so that the page's source excerpts of this file cannot contain them.
    word = {name: f"{name}{secrets.token_hex(6)}" for name in ("db", "redis", "other", "token", "env")}
    database_url = f"postgres://firegrid:{word['db']}@{word['db']}.internal:5432/firegrid"
    redis_url = f"redis://:{word['redis']}@{word['redis']}.internal:6379/0"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    settings.DEBUG = True
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    settings.FIREGRID_EXTRA_URL = f"https://user:{word['other']}@files.internal/"
    request = rf.get("/boom/", HTTP_AUTHORIZATION=f"Token {word['token']}")
    # As under runserver: the whole environment in META.
    request.META.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url, word["env"]: "1"})
    html = debug_error_page(request)
    for value in word.values():
        assert value not in html, value
    assert "RuntimeError" in html and "/boom/" in html  # still a useful page


# --- 4. uploaded files ----------------------------------------------------------------------------------


def test_nothing_is_served_from_media_url(client, personas, login):
    from django.views import static

    def callbacks(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from callbacks(pattern.url_patterns)
            else:
                yield pattern.callback

    assert static.serve not in set(callbacks(get_resolver().url_patterns))
    assert login(personas.admin).get("/media/photos/2019/01/x.jpg").status_code == 404


@pytest.mark.parametrize(
    "filename, content_type, disposition",
    [
        ("决定书.pdf", "application/pdf", "inline"),
        ("现场.jpg", "image/jpeg", "inline"),
        ("现场.png", "image/png", "inline"),
        # Types no upload is accepted as (core.uploads): stored before the checks, sent as plain bytes.
        ("page.html", "application/octet-stream", "attachment"),
        ("drawing.svg", "application/octet-stream", "attachment"),  # an SVG can carry script: never inline
        ("名单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
        ("noextension", "application/octet-stream", "attachment"),
    ],
)
def test_an_uploaded_file_is_inline_only_when_an_image_or_a_pdf(filename, content_type, disposition):
    from django.core.files.base import ContentFile

    from firegrid.core.api.files import file_response
    from firegrid.core.responses import uploaded_file_response

    for response in (
        uploaded_file_response(ContentFile(b"x", filename), filename),
        file_response(ContentFile(b"x", filename), filename),
    ):
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith(disposition + ";")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"].startswith("private")


def test_an_enforcement_attachment_is_served_by_the_one_function(district, personas, login):
    import datetime as dt

    from django.core.files.base import ContentFile

    from firegrid.rectification.models import EnforcementAction, EnforcementAttachment

    action = EnforcementAction.objects.create(
        premises=district.premises_a,
        kind="warning",
        department=district.fire,
        date=dt.date(2019, 5, 6),
        recorded_by=personas.fire_officer,
    )
    attachment = EnforcementAttachment(action=action, name="x.html")
    attachment.file.save("x.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    page = login(personas.grid_worker).get(
        reverse("rectification:enforcement_attachment", args=[attachment.pk])
    )
    assert_status(page, 200)
    assert page["Content-Disposition"].startswith("attachment;")
    client = APIClient()
    client.force_authenticate(personas.grid_worker)
    api = client.get(f"/api/v1/enforcement-actions/{action.pk}/attachments/{attachment.pk}/")
    assert_status(api, 200)
    assert api["Content-Disposition"].startswith("attachment;")


# --- 5. revealed personal data is never cached ----------------------------------------------------------


def test_the_web_reveal_is_not_stored_by_any_cache(district, personas, login):
    landlord = district.landlord_a
    response = login(personas.grid_worker).post(
        reverse("registry:landlord_reveal", args=[landlord.pk, "id_number"])
    )
    assert_status(response, 200)
    assert landlord.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_the_api_reveal_is_not_stored_by_any_cache(district, personas):
    client = APIClient()
    client.force_authenticate(personas.grid_worker)
    response = client.post(
        f"/api/v1/landlords/{district.landlord_a.pk}/reveal/", {"field": "mobile"}, format="json"
    )
    assert_status(response, 200)
    assert response["Cache-Control"] == "no-store"


# --- 6. personal data everywhere -----------------------------------------------------------------------


@pytest.fixture
def unit_with_contact(district):
    unit = district.unit
    unit.contact_name, unit.contact_mobile = "周联络", "13905700123"
    unit.save()
    return unit


def test_unit_contact_mobiles_are_masked_in_the_api_and_a_reveal_is_audited(unit_with_contact, personas):
    from firegrid.core.models import AuditEntry

    unit = unit_with_contact
    client = APIClient()
    client.force_authenticate(personas.admin)
    listed = {row["id"]: row for row in client.get("/api/v1/units/").json()["results"]}
    assert listed[unit.pk]["contact_mobile"] == "139****0123"
    assert client.get(f"/api/v1/units/{unit.pk}/").json()["contact_mobile"] == "139****0123"
    assert "13905700123" not in client.get(f"/api/v1/units/{unit.pk}/history/").content.decode()
    response = client.post(f"/api/v1/units/{unit.pk}/reveal/", {"field": "contact_mobile"}, format="json")
    assert_status(response, 200)
    assert response.json() == {"field": "contact_mobile", "value": "13905700123"}
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.for_object(unit).filter(action="reveal").count() == 1


def test_unit_contact_mobile_sent_back_masked_keeps_the_stored_one(unit_with_contact, personas):
    unit = unit_with_contact
    client = APIClient()
    client.force_authenticate(personas.admin)
    read = client.get(f"/api/v1/units/{unit.pk}/").json()
    response = client.patch(
        f"/api/v1/units/{unit.pk}/",
        {"version": read["version"], "contact_mobile": read["contact_mobile"], "contact_name": "周新"},
        format="json",
    )
    assert_status(response, 200)
    unit.refresh_from_db()
    assert unit.contact_mobile == "13905700123" and unit.contact_name == "周新"


def test_unit_contact_mobile_is_masked_on_the_unit_page_with_an_audited_reveal(
    unit_with_contact, personas, login
):
    from firegrid.core.models import AuditEntry

    unit = unit_with_contact
    client = login(personas.admin)
    page = client.get(reverse("areas:unit_detail", args=[unit.pk])).content.decode()
    assert "13905700123" not in page and "139****0123" in page
    reveal = reverse("areas:unit_reveal", args=[unit.pk, "contact_mobile"])
    assert reveal in page
    response = client.post(reveal)
    assert_status(response, 200)
    assert "13905700123" in response.content.decode() and response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.for_object(unit).filter(action="reveal").count() == 1


@pytest.fixture
def superadmin(personas):
    user = personas.admin
    user.is_staff = user.is_superuser = True
    user.mobile = "13705700999"
    user.save()
    return user


@pytest.mark.parametrize(
    "name, obj, values",
    [
        ("registry_landlord", "landlord_a", ("id_number", "mobile")),
        ("registry_tenanthousehold", "tenant_a", ("id_number", "mobile")),
        ("areas_unit", "unit", ("contact_mobile",)),
    ],
)
def test_admin_change_pages_do_not_send_personal_data(
    login, superadmin, unit_with_contact, district, name, obj, values
):
    from firegrid.core.masking import MASKERS

    record = getattr(district, obj)
    client = login(superadmin)
    page = client.get(reverse(f"admin:{name}_change", args=[record.pk])).content.decode()
    for field in values:
        stored = getattr(record, field)
        assert stored and stored not in page, field
        assert MASKERS[field](stored) in page
    listing = client.get(reverse(f"admin:{name}_changelist")).content.decode()
    assert all(getattr(record, field) not in listing for field in values)


def test_admin_user_pages_mask_the_mobile(login, superadmin):
    client = login(superadmin)
    page = client.get(reverse("admin:areas_user_change", args=[superadmin.pk])).content.decode()
    assert "13705700999" not in page and "137****0999" in page


def test_admin_blank_personal_field_keeps_the_stored_value_and_a_typed_one_replaces_it(
    login, superadmin, district
):
    from django.contrib.admin.helpers import AdminForm  # noqa: F401  (the change form is the admin's own)

    from firegrid.registry.models import Landlord

    landlord = district.landlord_a
    client = login(superadmin)
    url = reverse("admin:registry_landlord_change", args=[landlord.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name, value in list(data.items()):
        if isinstance(value, bool):
            data[name] = "on" if value else ""
    data = {k: v for k, v in data.items() if v != ""}
    data["address"] = "樟树潭村1号"
    assert_status(client.post(url, data), 302)
    saved = Landlord.objects.get(pk=landlord.pk)
    assert (saved.id_number, saved.mobile, saved.address) == (
        landlord.id_number,
        landlord.mobile,
        "樟树潭村1号",
    )
    data["mobile"] = "13905701234"
    assert_status(client.post(url, data), 302)
    assert Landlord.objects.get(pk=landlord.pk).mobile == "13905701234"


def test_admin_finds_an_id_number_only_by_the_whole_number(login, superadmin, district):
    landlord = district.landlord_a
    client = login(superadmin)
    url = reverse("admin:registry_landlord_changelist")
    assert landlord.name in client.get(url, {"q": landlord.id_number}).content.decode()
    assert landlord.name not in client.get(url, {"q": landlord.id_number[:10]}).content.decode()


def test_label_fields_are_a_string_or_null_never_a_method_wrapper():
    from types import SimpleNamespace

    from rest_framework import serializers

    from firegrid.core.api.fields import LabelField

    class Labels(serializers.Serializer):
        item_label = LabelField(source="item")
        assignee_name = LabelField(source="assignee", missing="")

    assert Labels(SimpleNamespace(item=None, assignee=None)).data == {"item_label": None, "assignee_name": ""}
    assert Labels(SimpleNamespace(item="EXIT-01 安全出口", assignee="王网格")).data == {
        "item_label": "EXIT-01 安全出口",
        "assignee_name": "王网格",
    }


def test_booking_and_task_labels_use_the_label_field():
    from firegrid.core.api.fields import LabelField
    from firegrid.outreach.api.serializers import BookingSerializer
    from firegrid.tasks.api.views import TaskSerializer

    booking = BookingSerializer().fields
    task = TaskSerializer().fields
    for fields, name, source in [
        (booking, "item_label", "item"),
        (booking, "done_by_name", "done_by"),
        (task, "assignee_name", "assignee"),
        (task, "created_by_name", "created_by"),
    ]:
        assert isinstance(fields[name], LabelField) and fields[name].source == source


def test_an_unassigned_task_has_an_empty_assignee_name(district, personas):
    import datetime as dt

    from firegrid.tasks.models import Task

    task = Task.objects.create(
        title="无人承办", area=district.grid_a, origin_area=district.c1, due_on=dt.date(2030, 1, 1)
    )
    client = APIClient()
    client.force_authenticate(personas.admin)
    data = client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert data["assignee_name"] == "" and data["created_by_name"] == ""


# --- the policy in a browser: no page is broken by it ----------------------------------------------------

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(location.pathname + ": " + e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_run_under_the_policy_without_a_violation(page_for, live_server, district, personas):
    import datetime as dt

    from firegrid.campaigns.models import Campaign, CampaignTarget

    admin = personas.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    campaign = Campaign.objects.create(
        name="铁拳行动",
        code="tq",
        starts_on=dt.date.today() - dt.timedelta(days=5),
        ends_on=dt.date.today() + dt.timedelta(days=50),
        status="running",
    )
    CampaignTarget.objects.create(campaign=campaign, premises=district.premises_a)
    page = page_for(admin)
    page.add_init_script(RECORD_VIOLATIONS)
    landlord = district.landlord_a
    paths = [
        "/",
        reverse("registry:premises_list"),
        reverse("registry:premises_detail", args=[district.premises_a.pk]),
        reverse("rectification:premises_file", args=[district.premises_a.pk]),
        reverse("outreach:contractor_list"),
        reverse("outreach:contractor_cards"),
        reverse("dashboards:campaign", args=[campaign.pk]),
        reverse("admin:registry_landlord_changelist"),
        reverse("admin:registry_landlord_change", args=[landlord.pk]),
    ]
    violations: list[str] = []
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        violations += page.evaluate("window.__csp")
    # A reveal through htmx (the page's own script, the server's fragment swapped in).
    # The dashboard's chart tooltips (ECharts writes them with style attributes, allowed on that page).
    page.goto(live_server.url + reverse("dashboards:campaign", args=[campaign.pk]))
    page.wait_for_selector("[data-chart][data-ready=true]", state="attached")
    for chart in page.query_selector_all("[data-chart]"):
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(200)
    violations += page.evaluate("window.__csp")
    page.goto(live_server.url + reverse("registry:landlord_detail", args=[landlord.pk]))
    page.click("#pd-id_number + button")
    page.wait_for_selector("#pd-id_number .revealed")
    violations += page.evaluate("window.__csp")
    # Behaviours that were inline handlers: the cards' print button, the job list's status filter.
    page.goto(live_server.url + reverse("outreach:contractor_cards"))
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") is True
    page.goto(live_server.url + reverse("jobs:run_list"))
    page.select_option("select[data-autosubmit]", index=1)
    page.wait_for_url("**status=**")
    violations += page.evaluate("window.__csp")
    # Swagger UI draws the API from the schema: its start-up script is a file, its styles allowed there.
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=30000)
    violations += page.evaluate("window.__csp")
    assert not violations, "\n".join(violations)


def test_a_web_form_over_the_limit_is_a_400_page_saying_why(client, settings, db):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/login/", {"username": "x" * 2000, "password": "p"})
    assert response.status_code == 400
    assert "提交的内容过大" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.post("/login/", {"username": "x" * 2000, "password": "p"})
    assert "too large" in response.content.decode()
