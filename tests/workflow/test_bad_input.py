"""Malformed input through the services: InvalidInput (400) naming the field, nothing stored
(no row, no file in MEDIA_ROOT), and the refusal audited."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from epics.models import Document
from tests.factories import DocumentFactory, EpicFactory, TicketFactory, pdf_bytes, pdf_upload
from tests.workflow.support import audit_mark, events_since, refused
from workflow import services
from workflow.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list:
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def refused_input(service, action, field, **kwargs):
    mark = audit_mark()
    error = refused(InvalidInput, service, action=action, **kwargs)
    assert field in error.fields and error.fields[field]
    assert all(isinstance(message, str) and message for message in error.fields[field])
    (event,) = events_since(mark)
    assert field in event.detail["fields"]
    return error


# Filing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"request_type": "pipelines", "impact_level": "IL4"}, "request_type"),
        ({"request_type": "", "impact_level": "IL4"}, "request_type"),
        ({"request_type": "pipeline", "impact_level": "IL3"}, "impact_level"),
        ({"request_type": "pipeline", "impact_level": "il4"}, "impact_level"),
        ({"request_type": "pipeline", "impact_level": ""}, "impact_level"),
        ({"request_type": "pipeline", "impact_level": "IL6"}, "impact_level"),
        ({"request_type": "prod_deploy", "impact_level": "IL6"}, "impact_level"),
        ({"request_type": "il6_prod_deploy", "impact_level": "IL4"}, "impact_level"),
        ({"request_type": "pipeline", "impact_level": "IL4", "epic": None}, "epic"),
    ],
    ids=[
        "unknown type",
        "no type",
        "unknown level",
        "lowercase level",
        "no level",
        "IL6 for a pipeline",
        "IL6 for a prod deploy",
        "IL4 for an IL6 deploy",
        "no epic",
    ],
)
def test_filing_with_bad_type_or_level(kwargs, field, member, team, epic):
    error = refused_input(
        services.ticket_file, "file", field, by=member, team=team, **{"epic": epic, **kwargs}
    )
    assert list(error.fields) == [field]


@pytest.mark.parametrize("application_name", ["", "   ", None])
def test_new_ctf_needs_an_application_name(application_name, member, team, epic):
    error = refused_input(
        services.ticket_file,
        "file",
        "application_name",
        by=member,
        team=team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name=application_name,
    )
    assert list(error.fields) == ["application_name"]


def test_new_ctf_application_name_may_not_clash_with_an_epic(member, team, epic):
    refused_input(
        services.ticket_file,
        "file",
        "application_name",
        by=member,
        team=team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="PAYMENTS",
    )


def test_new_ctf_takes_no_epic(member, team, epic):
    error = refused_input(
        services.ticket_file,
        "file",
        "epic",
        by=member,
        team=team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        epic=epic,
        application_name="Payroll",
    )
    assert list(error.fields) == ["epic"]


def test_every_bad_field_at_once(member, team, epic):
    error = refused(
        InvalidInput,
        services.ticket_file,
        action="file",
        by=member,
        team=team,
        request_type="new_pipeline_ctf",
        impact_level="IL6",
        epic=epic,
    )
    assert sorted(error.fields) == ["application_name", "epic", "impact_level"]


def test_triage_of_a_new_ctf_whose_name_was_taken_meanwhile_is_a_conflict(member, pm, team, epic):
    ticket = services.ticket_file(
        by=member,
        team=team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="Payroll",
    )
    EpicFactory(team=team, title="payroll")
    refused(Conflict, services.ticket_triage, action="triage", by=pm, ticket=ticket)


# Documents ------------------------------------------------------------------------------------


def upload(member, epic, **overrides):
    kwargs = {
        "by": member,
        "epic": epic,
        "kind": Document.Kind.CTF_LETTER,
        "file": pdf_upload(),
        "signed_on": timezone.localdate() - dt.timedelta(days=1),
        "impact_levels": ["IL4"],
        **overrides,
    }
    return services.document_upload, kwargs


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"file": SimpleUploadedFile("letter.pdf", HTML, "application/pdf")}, "file"),
        ({"file": pdf_upload(content=pdf_bytes(HTML))}, "file"),
        ({"file": pdf_upload(content=pdf_bytes(b"<SVG onload=alert(1)>"))}, "file"),
        ({"file": pdf_upload(content=b"%PDF-1.4\n1 0 obj << >> endobj\n")}, "file"),
        ({"file": pdf_upload(content=b"")}, "file"),
        ({"file": None}, "file"),
        # Two days ahead is in the future everywhere on Earth (tomorrow may be today somewhere).
        ({"signed_on": timezone.localdate() + dt.timedelta(days=2)}, "signed_on"),
        ({"signed_on": None}, "signed_on"),
        ({"impact_levels": []}, "impact_levels"),
        ({"impact_levels": ["IL4", "IL7"]}, "impact_levels"),
        ({"kind": "letter"}, "kind"),
    ],
    ids=[
        "HTML named .pdf",
        "PDF/HTML polyglot",
        "PDF/SVG polyglot",
        "truncated PDF",
        "empty file",
        "no file",
        "signed two days ahead",
        "no signing date",
        "CtF letter without levels",
        "unknown level",
        "unknown kind",
    ],
)
def test_bad_documents_are_refused_and_not_stored(overrides, field, member, epic, settings):
    service, kwargs = upload(member, epic, **overrides)
    error = refused_input(service, "upload", field, **kwargs)
    assert list(error.fields) == [field]
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_an_oversized_document_is_refused(member, epic, settings):
    settings.DOCUMENT_MAX_BYTES = 400
    service, kwargs = upload(member, epic, file=pdf_upload(content=pdf_bytes(b"x" * 400)))
    error = refused_input(service, "upload", "file", **kwargs)
    assert "limit" in error.fields["file"][0]
    assert not Document.objects.exists()
    assert stored_files(settings) == []
    # At the limit exactly, it is taken.
    content = pdf_bytes(b"x" * (400 - len(pdf_bytes(b""))))
    assert len(content) == 400
    service, kwargs = upload(member, epic, file=pdf_upload(content=content))
    assert service(**kwargs).size == 400


def test_every_bad_document_field_at_once(member, epic, settings):
    service, kwargs = upload(
        member,
        epic,
        file=SimpleUploadedFile("letter.pdf", HTML),
        signed_on=timezone.localdate() + dt.timedelta(days=30),
        impact_levels=[],
    )
    error = refused(InvalidInput, service, action="upload", **kwargs)
    assert sorted(error.fields) == ["file", "impact_levels", "signed_on"]
    assert stored_files(settings) == []


# Reasons and names ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", " \n ", None])
def test_rejecting_a_ticket_needs_a_reason(reason, pm, epic):
    ticket = TicketFactory(epic=epic)
    refused_input(services.ticket_reject, "reject", "reason", by=pm, ticket=ticket, reason=reason)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_rejecting_a_document_needs_a_reason(reason, cyber, epic):
    document = DocumentFactory(epic=epic, status="uploaded")
    refused_input(
        services.document_reject, "reject", "reason", by=cyber, document=document, reason=reason
    )


@pytest.mark.parametrize("tag", ["", "  ", "v" * 121])
def test_a_release_needs_a_sensible_tag(tag, member, team):
    epic = EpicFactory(team=team, status="prod_deploy_complete", production_at=timezone.now())
    refused_input(services.release_create, "create", "tag", by=member, epic=epic, tag=tag)


def test_a_team_and_an_epic_need_a_name(pm, team):
    refused_input(services.team_create, "create", "name", by=pm, name="  ")
    refused_input(services.team_create, "create", "name", by=pm, name="team alpha")
    refused_input(services.epic_create, "create", "title", by=pm, team=team, title="")
    EpicFactory(team=team, title="Payments")
    refused_input(services.epic_create, "create", "title", by=pm, team=team, title="PAYMENTS")


def test_text_longer_than_its_column_is_a_field_error_not_a_database_error(member, pm, team):
    refused_input(services.team_create, "create", "name", by=pm, name="T" * 121)
    refused_input(services.epic_create, "create", "title", by=pm, team=team, title="E" * 201)
    for field, value in (("title", "R" * 201), ("application_name", "A" * 201)):
        refused_input(
            services.ticket_file,
            "file",
            field,
            by=member,
            team=team,
            request_type="new_pipeline_ctf",
            impact_level="IL4",
            **{"application_name": "App", field: value},
        )


def test_triage_is_not_offered_for_a_new_ctf_whose_name_was_taken(member, pm, team, epic):
    from workflow.actions import transitions_for

    ticket = services.ticket_file(
        by=member,
        team=team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="Payroll",
    )
    EpicFactory(team=team, title="Payroll")
    (triage,) = [t for t in transitions_for(ticket, pm) if t["name"] == "triage"]
    assert not triage["allowed"] and "already has an epic named" in triage["detail"]


@pytest.mark.parametrize(
    "content",
    [
        pdf_bytes(b"x" * 9000 + b"<script>alert(1)</script>"),  # deep inside, past any header
        pdf_bytes() + b"<html><body>hello</body></html>\n",  # appended after %%EOF
        pdf_bytes() + b"\n%%EOF trailing-garbage",
    ],
    ids=["script deep inside", "html after the end", "data after the end"],
)
def test_markup_anywhere_or_data_after_the_end_is_refused(content, member, epic, settings):
    service, kwargs = upload(member, epic, file=_pdf(content))
    error = refused_input(service, "upload", "file", **kwargs)
    assert "PDF" in error.fields["file"][0]
    assert not stored_files(settings)


def _pdf(content):
    return SimpleUploadedFile("letter.pdf", content, "application/pdf")
