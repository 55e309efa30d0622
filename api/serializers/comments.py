"""A ticket's conversation as the API shows it and takes it (API.md,
`/api/v1/tickets/{id}/comments/`): plain text of at most 10,000 characters, attachments by
multipart upload. Shape only: who may write what, and which files are taken, is the
service's (workflow/services/comments.py), which names what is wrong."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.urls import reverse
from rest_framework import serializers

from api.serializers.fields import BooleanInput, TextField, UTCDateTimeField, username_field
from requests_app.models import Comment, CommentAttachment
from workflow.attachments import KINDS, MAX_ATTACHMENTS


class CommentAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where to download it (same visibility).")

    class Meta:
        model = CommentAttachment
        fields = ["id", "name", "size", "content_type", "url"]

    def get_url(self, attachment) -> str:
        path = reverse(
            "api:ticket-attachment", args=[attachment.comment.ticket_id, attachment.pk]
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CommentSerializer(serializers.ModelSerializer):
    author = username_field()
    attachments = CommentAttachmentSerializer(many=True, read_only=True)
    created_at = UTCDateTimeField()
    kind = serializers.CharField(
        read_only=True,
        help_text="`comment`; `question` and `answer` were added by `ask_for_info` and "
        "`provide_info`.",
    )

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "internal", "kind", "attachments", "created_at"]


class CommentInputSerializer(serializers.Serializer):
    """A comment in JSON: text only (attachments come by multipart)."""

    body = TextField(
        max_length=Comment.MAX_LENGTH,
        validators=[RegexValidator(r"\S", message="Write the comment.")],
        help_text="Plain text; `@username` tells someone who may see the ticket.",
    )
    internal = BooleanInput(
        required=False,
        default=False,
        help_text="An internal note: MDO PMs, DevOps, Cyber and Classified Ops only.",
    )


class CommentUploadSerializer(CommentInputSerializer):
    """A comment by multipart, with its files."""

    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        max_length=MAX_ATTACHMENTS,
        help_text=f"Up to {MAX_ATTACHMENTS} files, each {KINDS}, 10 MB at most, checked by "
        "content.",
    )
