"""Bad input answers 400 (or 422 for unmet gates) with a field error, and stores nothing."""

import pytest

from tests.api.helpers import rows, transition, url
from tests.factories import EpicFactory, StoryFactory, TicketFactory, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db


def file_ticket(client, **body):
    before = rows()
    response = client.post(url("tickets"), body, format="json")
    assert rows() == before, "a refused filing stored something"
    return response


def test_unknown_request_type(api, member, epic):
    response = file_ticket(
        api(member), team=epic.team_id, request_type="teleport", impact_level="IL4", epic=epic.pk
    )
    assert response.status_code == 400
    assert response.json()["request_type"] == [
        "“teleport” is not a request type; choose one of pipeline, new_pipeline_ctf, "
        "prod_deploy, il6_prod_deploy."
    ]


def test_unknown_impact_level(api, member, epic):
    response = file_ticket(
        api(member), team=epic.team_id, request_type="pipeline", impact_level="IL3", epic=epic.pk
    )
    assert response.status_code == 400
    assert "not “IL3”" in response.json()["impact_level"][0]


def test_an_impact_level_the_type_does_not_take(api, member, epic):
    response = file_ticket(
        api(member),
        team=epic.team_id,
        request_type="il6_prod_deploy",
        impact_level="IL4",
        epic=epic.pk,
    )
    assert response.status_code == 400
    assert response.json()["impact_level"] == ["IL6 production deploy takes IL6, not “IL4”."]


def test_a_missing_impact_level(api, member, epic):
    response = file_ticket(api(member), team=epic.team_id, request_type="pipeline", epic=epic.pk)
    assert response.status_code == 400
    assert response.json()["impact_level"][0].endswith("choose one.")


def test_an_epic_of_another_team_is_not_found_for_the_caller(api, member, epic, bravo_epic):
    response = file_ticket(
        api(member),
        team=epic.team_id,
        request_type="pipeline",
        impact_level="IL4",
        epic=bravo_epic.pk,
    )
    assert response.status_code == 400
    assert response.json()["epic"] == [f"No epic {bravo_epic.pk} that you can see."]


def test_another_team_is_not_found_for_the_caller(api, member, epic, bravo):
    response = file_ticket(
        api(member), team=bravo.pk, request_type="pipeline", impact_level="IL4", epic=epic.pk
    )
    assert response.status_code == 400
    assert response.json()["team"] == [f"No team {bravo.pk} that you can see."]


def test_an_epic_of_another_of_the_callers_teams_fails_the_epic_of_team_gate(
    api, member, epic, bravo
):
    bravo.members.add(member)
    other = EpicFactory(team=bravo)
    response = file_ticket(
        api(member), team=epic.team_id, request_type="pipeline", impact_level="IL4", epic=other.pk
    )
    assert response.status_code == 422
    assert [g["code"] for g in response.json()["unmet"]] == ["epic_of_team"]


@pytest.mark.parametrize("value", ["twelve", True, [1]])
def test_an_id_that_is_not_a_number(api, member, epic, value):
    response = file_ticket(
        api(member), team=epic.team_id, request_type="pipeline", impact_level="IL4", epic=value
    )
    assert response.status_code == 400
    assert response.json()["epic"][0].startswith("Give the epic's id (a number)")


def test_a_title_longer_than_the_column(api, member, epic):
    response = file_ticket(
        api(member),
        team=epic.team_id,
        request_type="pipeline",
        impact_level="IL4",
        epic=epic.pk,
        title="x" * 201,
    )
    assert response.status_code == 400
    assert "title" in response.json()


def test_a_pm_may_not_file_for_a_team(api, pm, epic):
    response = file_ticket(
        api(pm), team=epic.team_id, request_type="pipeline", impact_level="IL4", epic=epic.pk
    )
    assert response.status_code == 403


# Documents ------------------------------------------------------------------------------------


def upload(client, epic, **overrides):
    body = {
        "epic": epic.pk,
        "kind": "ctf_letter",
        "signed_on": "2026-01-05",
        "impact_levels": ["IL4"],
        "file": pdf_upload(),
        **overrides,
    }
    before = rows()
    response = client.post(url("documents"), body, format="multipart")
    if response.status_code != 201:
        assert rows() == before, "a refused upload stored something"
    return response


def stored_files(settings):
    root = settings.MEDIA_ROOT / "documents"
    return list(root.iterdir()) if root.exists() else []


def test_a_file_that_is_not_a_pdf(api, member, epic, settings):
    fake = pdf_upload("letter.pdf", b"<html><script>alert(1)</script></html>")
    response = upload(api(member), epic, file=fake)
    assert response.status_code == 400
    assert response.json()["file"] == [
        "The file is not a PDF (its content does not start with %PDF-): upload the PDF."
    ]
    assert stored_files(settings) == []


def test_an_oversized_file(api, member, epic, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    big = pdf_upload("letter.pdf", pdf_bytes(b"x" * 200))
    response = upload(api(member), epic, file=big)
    assert response.status_code == 400
    assert "the limit is" in response.json()["file"][0]
    assert stored_files(settings) == []


def test_a_missing_file_and_date(api, member, epic):
    response = upload(api(member), epic, file="", signed_on="")
    assert response.status_code == 400
    body = response.json()
    assert body["file"] == ["Attach the signed document as a PDF."]
    assert body["signed_on"] == ["Give the date the document was signed."]


def test_unknown_impact_levels_and_kind(api, member, epic):
    response = upload(api(member), epic, impact_levels="IL4, IL9", kind="memo")
    assert response.status_code == 400
    body = response.json()
    assert body["impact_levels"] == ["Unknown impact level: IL9."]
    assert body["kind"] == ["Choose ctf_letter or cisso_document."]


def test_a_ctf_letter_needs_its_levels(api, member, epic):
    response = upload(api(member), epic, impact_levels=[])
    assert response.status_code == 400
    assert response.json()["impact_levels"] == ["Say which impact levels the CtF letter covers."]


def test_a_document_for_another_teams_epic(api, outsider, epic):
    response = upload(api(outsider), epic)
    assert response.status_code == 400
    assert response.json()["epic"] == [f"No epic {epic.pk} that you can see."]


def test_impact_levels_repeated_or_comma_separated(api, member, epic):
    repeated = upload(api(member), epic, impact_levels=["IL2", "IL6"])
    assert repeated.status_code == 201, repeated.json()
    assert repeated.json()["impact_levels"] == ["IL2", "IL6"]
    commas = upload(api(member), epic, impact_levels="IL5, IL2")
    assert commas.status_code == 201, commas.json()
    assert commas.json()["impact_levels"] == ["IL2", "IL5"]


# Transitions -----------------------------------------------------------------------------------


def test_assigning_an_unknown_user(api, pm, epic):
    story = StoryFactory(epic=epic)
    before = rows()
    response = api(pm).post(
        transition("stories", story.pk, "assign"), {"assignee": "nobody"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["assignee"] == ["No user named “nobody”."]
    assert rows() == before


def test_assigning_nobody(api, pm, epic):
    story = StoryFactory(epic=epic)
    response = api(pm).post(transition("stories", story.pk, "assign"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["assignee"] == ["Choose who works this story."]


def test_a_transition_body_that_is_not_an_object(api, pm, epic):
    ticket = TicketFactory(epic=epic)
    response = api(pm).post(transition("tickets", ticket.pk, "reject"), ["because"], format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid data.")


# Malformed JSON: too deep, NUL characters, wrong types (api/parsers.py, api/serializers) -----

DEEP = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"reason": ' * 5000 + "1" + "}" * 5000


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, "[" * 33 + "]" * 33])
def test_json_nested_too_deep_is_a_400_signed_in_or_not(api, member, epic, body):
    ticket = TicketFactory(epic=epic)
    before = rows()
    for client, path in (
        (api(), url("auth", None, "token")),
        (api(member), url("tickets")),
        (api(member), transition("tickets", ticket.pk, "withdraw")),
    ):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, path
        assert response.json() == {"detail": "The JSON body nests deeper than 32 levels."}
    assert rows() == before


def test_json_nested_as_deep_as_allowed_is_read(api, member):
    body = '{"title": "x", "extra": ' + "[" * 31 + "]" * 31 + "}"
    response = api(member).post(url("tickets"), data=body, content_type="application/json")
    assert response.status_code == 400
    assert "team" in response.json()  # parsed: the fields are what is wrong


def test_brackets_inside_strings_do_not_count_as_nesting(api, member, epic):
    body = {"team": epic.team_id, "request_type": "pipeline", "impact_level": "IL4"}
    description = "[" * 100 + '\\"{' * 100
    response = api(member).post(
        url("tickets"), {**body, "epic": epic.pk, "description": description}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["description"] == description


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"title": "a\\u0000b", "team": 1}', "title"),
        ('{"team": 1, "members": ["ok", "n\\u0000"]}', "members"),
        ('{"a\\u0000b": "x"}', "a\\u0000b"),
    ],
)
def test_a_nul_character_anywhere_in_json_is_a_400_naming_the_field(api, member, body, field):
    before = rows()
    response = api(member).post(url("tickets"), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some fields need fixing.",
        field: ["Null characters are not allowed."],
    }
    assert rows() == before


def test_a_nul_character_in_a_json_list_body(api, member):
    response = api(member).post(url("tickets"), data='["\\u0000"]', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Null characters are not allowed.",
        "non_field_errors": ["Null characters are not allowed."],
    }


@pytest.mark.parametrize("reason", [5, True, ["because"], {"why": "because"}, None])
def test_a_reason_that_is_not_text(api, pm, epic, reason):
    ticket = TicketFactory(epic=epic)
    before = rows()
    response = api(pm).post(
        transition("tickets", ticket.pk, "reject"), {"reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["detail", "reason"]
    assert rows() == before


@pytest.mark.parametrize("value", [0, 1, "yes", None])
def test_a_flag_that_is_not_a_boolean(api, pm, value):
    before = rows()
    response = api(pm).post(url("teams"), {"name": "Zulu", "funded": value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["detail", "funded"]
    assert rows() == before


def test_members_given_as_an_object(api, pm):
    response = api(pm).post(url("teams"), {"name": "Zulu", "members": {}}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["detail", "members"]
    assert rows()["teams"] == 0


# One line: titles, tag names, reasons (workflow/text.py) ---------------------------------------

BREAKS = ["Deploy\r\nBcc: everyone@example.mil", "two\nlines", "carriage\rreturn"]
ONE_LINE = ["Keep it on one line: no line breaks."]


@pytest.mark.parametrize("title", BREAKS)
def test_a_ticket_title_on_more_than_one_line(api, member, epic, title):
    body = {"team": epic.team_id, "request_type": "pipeline", "impact_level": "IL4"}
    response = file_ticket(api(member), **body, epic=epic.pk, title=title)
    assert response.status_code == 400
    assert response.json() == {"detail": "Some fields need fixing.", "title": ONE_LINE}


def test_an_application_name_on_more_than_one_line(api, member, team):
    response = file_ticket(
        api(member),
        team=team.pk,
        request_type="new_pipeline_ctf",
        impact_level="IL2",
        application_name="Atlas\nBcc: x@example.mil",
    )
    assert response.status_code == 400
    assert response.json()["application_name"] == ONE_LINE


@pytest.mark.parametrize("title", BREAKS)
def test_an_epic_title_on_more_than_one_line(api, pm, team, title):
    before = rows()
    response = api(pm).post(url("epics"), {"team": team.pk, "title": title}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Some fields need fixing.", "title": ONE_LINE}
    assert rows() == before


@pytest.mark.parametrize("tag", BREAKS)
def test_a_release_tag_on_more_than_one_line(api, member, epic, tag):
    before = rows()
    response = api(member).post(url("releases"), {"epic": epic.pk, "tag": tag}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Some fields need fixing.", "tag": ONE_LINE}
    assert rows() == before


def test_a_trailing_line_break_is_trimmed_not_refused(api, member, epic):
    body = {"team": epic.team_id, "request_type": "pipeline", "impact_level": "IL4"}
    response = api(member).post(
        url("tickets"), {**body, "epic": epic.pk, "title": "Deploy\r\n"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["title"] == "Deploy"


@pytest.mark.parametrize("reason", BREAKS)
def test_a_rejection_reason_on_more_than_one_line(api, pm, epic, reason):
    ticket = TicketFactory(epic=epic)
    before = rows()
    response = api(pm).post(
        transition("tickets", ticket.pk, "reject"), {"reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Some fields need fixing.", "reason": ONE_LINE}
    assert rows() == before
    ticket.refresh_from_db()
    assert ticket.status == "submitted" and ticket.rejection_reason == ""


def test_a_parameter_of_another_transition_is_checked_for_its_type_too(api, pm, epic):
    ticket = TicketFactory(epic=epic)
    before = rows()
    response = api(pm).post(
        transition("tickets", ticket.pk, "reject"),
        {"reason": "Duplicate.", "assignee": None},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["detail", "assignee"]
    assert rows() == before
    taken = api(pm).post(
        transition("tickets", ticket.pk, "reject"),
        {"reason": "Duplicate.", "assignee": "nobody"},
        format="json",
    )
    assert taken.status_code == 200  # well-typed, and not this transition's to look up
