"""Every error is JSON with a human `detail`, in the shape API.md gives its status."""

import pytest

from requests_app.models import Ticket
from tests.api.helpers import rows, transition, unmet_codes, url
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_400_field_errors_from_the_input(api, member):
    response = api(member).post(url("tickets"), {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Some fields need fixing."
    assert body["team"] == ["This field is required."]
    assert body["request_type"] == ["This field is required."]


def test_400_field_errors_from_the_service(api, member, epic):
    response = api(member).post(
        url("tickets"),
        {"team": epic.team_id, "request_type": "pipeline", "impact_level": "IL6", "epic": epic.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some fields need fixing.",
        "impact_level": ["Additional IL2/IL4/IL5 pipeline takes IL2, IL4, IL5, not “IL6”."],
    }


def test_400_malformed_json(api, member):
    response = api(member).post(url("tickets"), data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_401_not_signed_in(api):
    response = api().post(url("tickets"), {}, format="json")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_403_role_may_not(api, member, epic):
    ticket = TicketFactory(epic=epic)
    response = api(member).post(transition("tickets", ticket.pk, "triage"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only MDO PMs triage tickets."}
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED


def test_404_says_what_is_missing(api, pm):
    response = api(pm).get(url("tickets", 999))
    assert response.status_code == 404
    assert response.json() == {"detail": "No ticket 999 that you can see."}


def test_404_for_an_id_that_is_not_a_number(api, pm):
    response = api(pm).get(url("tickets", "abc"))
    assert response.status_code == 404
    assert response.json()["detail"]


def test_404_for_an_unknown_transition(api, pm, epic):
    ticket = TicketFactory(epic=epic)
    before = rows()
    response = api(pm).post(transition("tickets", ticket.pk, "launch"))
    assert response.status_code == 404
    assert response.json() == {"detail": f"Ticket {ticket.pk} has no transition “launch”."}
    assert rows() == before


def test_404_for_a_transition_of_a_resource_without_any(api, pm, team):
    response = api(pm).post(transition("teams", team.pk, "triage"))
    assert response.status_code == 404
    assert response.json()["detail"]


def test_405_method_not_allowed(api, pm, epic):
    ticket = TicketFactory(epic=epic)
    response = api(pm).delete(url("tickets", ticket.pk))
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_409_names_the_current_status(api, member, epic):
    ticket = TicketFactory(epic=epic, status=Ticket.Status.TRIAGED)
    response = api(member).post(transition("tickets", ticket.pk, "withdraw"))
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"detail", "status"}
    assert body["status"] == "triaged"
    assert "only Submitted tickets can be withdrawn" in body["detail"]


def test_422_lists_every_unmet_gate(api, unfunded_member):
    team = unfunded_member.teams.get()
    response = api(unfunded_member).post(
        url("tickets"),
        {
            "team": team.pk,
            "request_type": "new_pipeline_ctf",
            "impact_level": "IL2",
            "application_name": "Atlas",
        },
        format="json",
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "unmet"}
    assert unmet_codes(response) == ["team_funded", "team_onboarded", "team_has_epic"]
    assert all(gate["message"] for gate in body["unmet"])
    assert body["detail"].startswith("Not allowed yet:")
    assert not Ticket.objects.exists()


def test_400_for_a_filter_value_of_the_wrong_type(api, pm):
    response = api(pm).get(url("tickets"), {"team": "abc", "status": "open"})
    assert response.status_code == 400
    body = response.json()
    assert body["team"] == ["A valid integer is required."]
    assert body["status"] == ['"open" is not a valid choice.']


def test_404_for_a_page_past_the_end(api, pm):
    response = api(pm).get(url("tickets"), {"page": 5})
    assert response.status_code == 404
    assert response.json()["detail"]
