"""factory_boy factories. Objects in a given status are built directly (the status field is
protected once set, but a new instance may be born in any status); moving an object between
statuses in a test always goes through workflow/services.py."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from epics.models import Document, Epic, Pipeline, Release, Story, Team
from requests_app.models import RequestType, Ticket
from workflow.documents import plain_pdf

PASSWORD = "test-pass-123"


def pdf_bytes(body: bytes = b"signed") -> bytes:
    """A real one-page PDF that the upload check takes, with `body` in a comment."""
    return plain_pdf(body)


def pdf_upload(name: str = "letter.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, "application/pdf")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            # get_or_create: a transactional test flushes the groups the migration made.
            self.groups.add(Group.objects.get_or_create(name=name)[0])

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        for team in extracted or ():
            team.members.add(self)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    funded = True
    onboarded = True


class EpicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epic

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Epic {n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    epic = factory.SubFactory(EpicFactory)
    kind = Document.Kind.CTF_LETTER
    file = factory.django.FileField(filename="letter.pdf", data=pdf_bytes())
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    impact_levels = factory.LazyFunction(lambda: ["IL2", "IL4", "IL5"])
    status = Document.Status.VERIFIED
    uploaded_by = factory.SubFactory(UserFactory)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    team = factory.LazyAttribute(lambda t: t.epic.team if t.epic else TeamFactory())
    epic = factory.SubFactory(EpicFactory)
    request_type = RequestType.PIPELINE
    impact_level = "IL4"
    title = factory.Sequence(lambda n: f"Request {n}")
    created_by = factory.SubFactory(UserFactory)


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    ticket = factory.SubFactory(TicketFactory, status=Ticket.Status.TRIAGED)
    epic = factory.LazyAttribute(lambda s: s.ticket.epic)
    title = factory.Sequence(lambda n: f"Story {n}")


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline

    epic = factory.SubFactory(EpicFactory)
    impact_level = "IL4"


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    epic = factory.SubFactory(EpicFactory)
    tag = factory.Sequence(lambda n: f"v1.{n}.0")


class AccessRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workflow.AccessRequest"

    user = factory.SubFactory(UserFactory)
    justification = "Works IL6 deploys with the Classified Ops team."
    status = "pending"
    # An approval gives access through its last day: 90 days from today unless told.
    expires_on = factory.LazyAttribute(
        lambda access: (
            timezone.localdate() + dt.timedelta(days=90) if access.status == "approved" else None
        )
    )
