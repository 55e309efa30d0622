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


# Every answer is JSON: addresses that name no endpoint, malformed pages ---------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/tickets/abc/"),
        ("get", "/api/v1/tickets/abc/history/"),
        ("get", "/api/v1/tickets/0.5/"),
        ("get", "/api/v1/tickets/0.5/history/"),
        ("post", "/api/v1/tickets/-4.6e-202/transitions/reject/"),
        ("post", "/api/v1/tickets/abc/transitions/reject/"),
        ("get", "/api/v1/documents/0.5/file/"),
        ("get", "/api/v1/nothing/here/"),
        ("post", "/api/v1/nothing/here/"),
        ("get", "/api/v1/tickets"),
        ("post", "/api/v1/tickets/1/transitions/%1A%0Areject/"),
        ("get", "/api/v1/tickets/%0A/"),
    ],
)
def test_404_is_json_for_any_address_under_the_api(api, pm, method, path):
    response = getattr(api(pm), method)(path, {}, format="json")
    assert response.status_code == 404, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_an_address_that_names_nothing_asks_who_calls_first(api):
    response = api().get("/api/v1/nothing/here/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    "query, field",
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
    ],
)
def test_400_for_a_malformed_page_of_a_list_or_a_history(api, pm, epic, query, field):
    ticket = TicketFactory(epic=epic)
    for path in (url("tickets"), url("tickets", ticket.pk, "history")):
        response = api(pm).get(path, query)
        assert response.status_code == 400, (path, query)
        body = response.json()
        assert body["detail"] == "Some fields need fixing."
        assert list(body) == ["detail", field]


def test_a_page_size_of_200_is_taken(api, pm, epic):
    TicketFactory.create_batch(3, epic=epic)
    response = api(pm).get(url("tickets"), {"page_size": "200", "page": "1"})
    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize("value", ["", "open"])
def test_400_for_an_empty_or_unknown_filter(api, pm, value):
    response = api(pm).get(url("tickets"), {"status": value, "team": ""})
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "status", "team"}


# The schema says what the code enforces ---------------------------------------------------------


@pytest.fixture
def schema(api, pm):
    return api(pm).get("/api/v1/schema/", {"format": "json"}).json()


def test_the_schema_documents_the_page_parameters_and_their_errors(schema):
    for path in ("/api/v1/tickets/", "/api/v1/tickets/{id}/history/"):
        get = schema["paths"][path]["get"]
        parameters = {p["name"]: p["schema"] for p in get["parameters"]}
        assert parameters["page"] == {"type": "integer", "minimum": 1}
        assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}
        assert {"200", "400", "401", "404"} <= set(get["responses"])


def test_the_schema_documents_text_limits_and_the_single_line_rule(schema):
    components = schema["components"]["schemas"]
    one_line = {"type": "string", "pattern": r"^[^\r\n]*$"}
    blank = {"type": "string", "maxLength": 0}  # allow_blank: the service says what is missing
    for component, field, limit in (
        ("TicketInputRequest", "title", {"maxLength": 200}),
        ("TicketInputRequest", "application_name", {"maxLength": 200}),
        ("EpicInputRequest", "title", {"maxLength": 200}),
        ("ReleaseInputRequest", "tag", {"maxLength": 120}),
        ("TransitionInputRequest", "reason", {}),
    ):
        shown = components[component]["properties"][field]["oneOf"]
        assert shown == [{**one_line, **limit}, blank], (component, field)


def test_request_bodies_are_documented_as_json(schema):
    body = schema["paths"]["/api/v1/tickets/{id}/transitions/{name}/"]["post"]["requestBody"]
    assert list(body["content"]) == ["application/json"]
    upload = schema["paths"]["/api/v1/documents/"]["post"]["requestBody"]
    assert list(upload["content"]) == ["multipart/form-data"]
