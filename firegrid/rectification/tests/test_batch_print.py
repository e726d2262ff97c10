"""Batch printing from the plan list: the notices of the listed plans, joined into one PDF by a job
whose progress the user follows; only the user who started it may fetch it."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from firegrid import testing as t
from firegrid.conftest import assert_status
from firegrid.jobs.models import JobRun
from firegrid.rectification import services as s
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db


def notified(premises, actor):
    return s.notify_plan(plan_with_hazards(premises, actor=actor), actor=actor)


def test_the_listed_plans_notices_print_as_one_pdf(login, checklist, district, personas):
    gw = personas.grid_worker
    second = t.make_premises(district.building_a, district.landlord_a, unit_label="3楼")
    plans = [notified(district.premises_a, gw), notified(second, gw)]
    notified(district.premises_b, personas.outsider)  # another grid: not in the worker's list
    client = login(gw)
    response = client.post(reverse("rectification:batch_print_start"), {"query": "state=notified"})
    run = JobRun.objects.get(name="rectification.print_documents")
    assert response["Location"] == reverse("rectification:batch_print", args=[run.pk])
    assert sorted(run.params["document_ids"]) == sorted(p.documents.get().pk for p in plans)
    page = client.get(response["Location"])
    assert_status(page, 200)
    assert "2 / 2" in page.content.decode()
    pdf = client.get(reverse("rectification:batch_print_file", args=[run.pk]))
    assert_status(pdf, 200)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    for plan in plans:
        assert plan.documents.get().serial in text
    # Someone else's batch is not theirs to follow or fetch.
    other = login(personas.community_officer)
    assert_status(other.get(reverse("rectification:batch_print", args=[run.pk])), 404)
    assert_status(other.get(reverse("rectification:batch_print_file", args=[run.pk])), 404)


def test_a_list_without_notices_prints_nothing(login, checklist, district, personas):
    plan_with_hazards(district.premises_a, actor=personas.grid_worker)  # a draft: no notice yet
    response = login(personas.grid_worker).post(reverse("rectification:batch_print_start"), {"query": ""})
    assert response.status_code == 302 and "plans" in response["Location"]
    assert not JobRun.objects.exists()
