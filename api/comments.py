"""`/api/v1/tickets/{id}/comments/`: a ticket's conversation, oldest first, and a new comment
(JSON, or multipart with attachments); `/api/v1/tickets/{id}/attachments/{attachment}/`: one
attachment's file. Whoever may see the ticket reads its thread (internal notes only staff and
auditors); another team's ticket, or an attachment of a note the caller may not read, is a
404 like an id that names nothing (audited). Writing goes through
workflow/services/comments.py."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import idempotency
from api.responses import PAGE_ERRORS, READ_ERRORS, REFUSALS
from api.serializers.comments import (
    CommentInputSerializer,
    CommentSerializer,
    CommentUploadSerializer,
)
from requests_app.comments import attachment_for_user, attachment_response, comments_for
from requests_app.models import Comment
from workflow import services
from workflow.selectors import ticket_for_user

TICKET_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The ticket's id.")
ATTACHMENT_ID = OpenApiParameter(
    "attachment", int, OpenApiParameter.PATH, description="The attachment's id."
)
# An attachment is served as its content says it is (workflow/attachments.py).
FILE_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/plain")


@extend_schema_view(
    get=extend_schema(
        summary="A ticket's conversation, oldest first",
        parameters=[TICKET_ID],
        responses={200: CommentSerializer(many=True), **PAGE_ERRORS},
    ),
    post=extend_schema(
        summary="Comment on a ticket (whoever sees it; internal notes: staff)",
        parameters=[TICKET_ID],
        request={
            "application/json": CommentInputSerializer,
            "multipart/form-data": CommentUploadSerializer,
        },
        responses={201: CommentSerializer, **{c: r for c, r in REFUSALS.items() if c != 409}},
    ),
)
class TicketCommentsView(idempotency.IdempotentPosts, generics.ListCreateAPIView):
    serializer_class = CommentSerializer
    queryset = Comment.objects.none()  # for the schema: the thread is read per ticket

    def ticket(self, action: str):
        return ticket_for_user(self.request.user, self.kwargs["pk"], action)

    def get_queryset(self):
        return comments_for(self.request.user, self.ticket("comments"))

    def create(self, request, *args, **kwargs):
        ticket = self.ticket("comment")
        multipart = request.content_type.startswith("multipart/")
        given = (CommentUploadSerializer if multipart else CommentInputSerializer)(
            data=request.data, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        comment = services.ticket_comment(by=request.user, ticket=ticket, **given.validated_data)
        shown = comments_for(request.user, ticket).get(pk=comment.pk)
        return Response(self.get_serializer(shown).data, status=status.HTTP_201_CREATED)


class AttachmentView(APIView):
    @extend_schema(
        summary="Download a comment's attachment",
        parameters=[TICKET_ID, ATTACHMENT_ID],
        responses={
            **{
                (200, kind): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for kind in FILE_TYPES
            },
            **READ_ERRORS,
        },
    )
    def get(self, request, pk=None, attachment=None):
        return attachment_response(attachment_for_user(request.user, pk, attachment))

    def perform_content_negotiation(self, request, force=False):
        # The file is not rendered by DRF: any Accept is answered with it.
        return super().perform_content_negotiation(request, force=True)
