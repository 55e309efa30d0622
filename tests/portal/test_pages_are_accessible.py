"""Every form field a person fills on the main pages has a label, and pages keep working
links (HTMX only enhances them)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TicketFactory
from tests.portal.pages import sign_in, world
from workflow.models import AccessRequest

pytestmark = pytest.mark.django_db

FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)


def unlabelled_fields(html: str) -> list[str]:
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    missing = []
    for tag, attrs in FIELD.findall(html):
        if re.search(r'type="(hidden|submit)"', attrs):
            continue
        field_id = re.search(r'\bid="([^"]+)"', attrs)
        if not field_id or field_id.group(1) not in labelled:
            missing.append(f"<{tag}{attrs[:60]}>")
    return missing


def pages(w):
    ticket = TicketFactory(
        epic=w.payments, created_by=w.alice, request_type="il6_prod_deploy", impact_level="IL6"
    )
    return [
        reverse("home"),
        reverse("ticket_new"),
        reverse("ticket_new") + "?request_type=new_pipeline_ctf",
        reverse("ticket_new") + f"?request_type=prod_deploy&epic={w.logistics.pk}",
        reverse("ticket_detail", args=[ticket.pk]),
        reverse("team_requests", args=[w.alpha.pk]),
        reverse("epic_detail", args=[w.payments.pk]),
        reverse("classified_access"),
    ]


def test_every_field_has_a_label(client):
    w = world()
    alice = sign_in(client, w.alice)
    for url in pages(w):
        response = alice.get(url)
        assert response.status_code == 200, url
        assert unlabelled_fields(response.content.decode()) == [], url


def test_sign_in_and_banner_fields_have_labels(client):
    assert unlabelled_fields(client.get(reverse("consent")).content.decode()) == []
    client.post(reverse("consent"), {"next": "/"})
    assert unlabelled_fields(client.get(reverse("login")).content.decode()) == []


def test_htmx_links_keep_a_real_address(client):
    w = world()
    alice = sign_in(client, w.alice)
    for url in pages(w):
        html = alice.get(url).content.decode()
        for tag in re.findall(r"<a\b[^>]*hx-get[^>]*>", html):
            assert re.search(r'href="[^"#][^"]*"', tag), (url, tag)


def test_the_access_page_lists_my_requests_and_enforces_csrf(client):
    w = world()
    AccessRequest.objects.create(user=w.alice, justification="IL6 work")
    page = sign_in(client, w.alice).get(reverse("classified_access")).content.decode()
    assert "Your access requests" in page and "Pending" in page
    strict = sign_in(Client(enforce_csrf_checks=True), w.bob)
    response = strict.post(reverse("classified_access"), {"justification": "Need it"})
    assert response.status_code == 403
    assert not AccessRequest.objects.filter(user=w.bob).exists()


def test_someone_with_access_is_told_so(client):
    w = world()
    page = sign_in(client, w.cleo).get(reverse("classified_access")).content.decode()
    assert "You have Classified Ops access." in page
    assert 'name="justification"' not in page
