"""The epic page: status, pipelines, documents (upload, download), releases, its requests.

Views parse input, call one service or selector, and render; who may see what comes from
workflow.selectors (what a user may not see answers 404).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from epics.forms import DocumentForm, ReleaseForm
from epics.models import Document, Epic
from portal.timeline import entries as timeline_entries
from workflow import gates, services
from workflow.errors import InvalidInput, Refusal
from workflow.permissions import may_record_releases, may_upload_documents
from workflow.selectors import (
    document_for_user,
    documents_for,
    epic_for_user,
    history_of,
    pipelines_for,
    releases_for,
    tickets_for,
)

TEMPLATE = "epics/detail.html"
TIMELINE_LENGTH = 30


def _htmx(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _expiry_note(document: Document, today: dt.date) -> dict | None:
    if (
        document.kind != Document.Kind.CTF_LETTER
        or document.expires_on is None
        or document.status == Document.Status.REJECTED
    ):
        return None
    on = f"{document.expires_on:%d %b %Y}"
    left = (document.expires_on - today).days
    if left <= 0:
        return {
            "level": "expired",
            "text": f"Expired on {on}: it no longer counts. Upload a newly signed CtF letter.",
        }
    if document.expires_soon(today):  # as the notifications warn
        days = "1 day" if left == 1 else f"{left} days"
        return {
            "level": "soon",
            "text": f"Expires in {days}, on {on}: upload a newly signed CtF letter before then.",
        }
    return None


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _context(request, epic: Epic, *, upload_form=None, release_form=None, **extra) -> dict:
    user = request.user
    today = timezone.localdate()
    documents = list(documents_for(user).filter(epic=epic))
    for document in documents:
        document.expiry_note = _expiry_note(document, today)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    # The upload form opens when asked for (a checklist link names the kind) or when it failed.
    open_upload = bool(request.GET.get("kind")) or upload_form is not None
    if upload_form is None:
        upload_form = DocumentForm(
            initial={
                "kind": request.GET.get("kind", Document.Kind.CTF_LETTER),
                "impact_levels": request.GET.getlist("levels"),
            }
        )
    # The latest events, oldest first.
    history = timeline_entries(history_of(epic).reverse()[:TIMELINE_LENGTH])
    return {
        "epic": epic,
        "pipelines": list(pipelines_for(user).filter(epic=epic)),
        "documents": documents,
        "releases": list(releases_for(user).filter(epic=epic)),
        "tickets": list(tickets_for(user).filter(epic=epic)[:20]),
        "timeline": history,
        "upload_form": upload_form,
        "release_form": release_form or ReleaseForm(),
        "may_upload": may_upload_documents(user, epic),
        "team_member": may_record_releases(user, epic),  # files requests, records releases
        "production": gates.epic_has_production(epic),
        "next_url": next_url,
        "open_upload": open_upload,
        **extra,
    }


@login_required
@require_http_methods(["GET"])
def epic_detail(request, pk: int):
    epic = epic_for_user(request.user, pk)
    response = render(request, TEMPLATE, _context(request, epic))
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_http_methods(["POST"])
def document_upload(request, pk: int):
    epic = epic_for_user(request.user, pk)
    form = DocumentForm(request.POST, request.FILES)
    status = 400
    upload_error = "Nothing was uploaded: some fields need fixing."
    if form.is_valid():
        try:
            document = services.document_upload(
                by=request.user, epic=epic, **form.service_arguments()
            )
        except InvalidInput as refused:
            for field, problems in refused.fields.items():
                form.add_error(field if field in form.fields else None, problems)
        except Refusal as refused:
            status = refused.status_code
            upload_error = f"Nothing was uploaded: {refused.detail}"
        else:
            messages.success(
                request,
                f"{document.get_kind_display()} uploaded to “{epic}”. It counts once the Cyber "
                "team or an MDO PM verifies it; the epic's page shows when they do.",
            )
            next_url = _safe_next(request, request.POST.get("next", ""))
            return redirect(next_url or f"{reverse('epic_detail', args=[epic.pk])}#documents")
    context = _context(request, epic, upload_form=form, upload_error=upload_error)
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_http_methods(["POST"])
def release_create(request, pk: int):
    epic = epic_for_user(request.user, pk)
    form = ReleaseForm(request.POST)
    status = 400
    extra = {}
    if form.is_valid():
        try:
            release = services.release_create(
                by=request.user, epic=epic, tag=form.cleaned_data["tag"]
            )
        except InvalidInput as refused:
            for field, problems in refused.fields.items():
                form.add_error(field if field in form.fields else None, problems)
        except Refusal as refused:
            status = refused.status_code
            extra["release_error"] = f"Not recorded: {refused.detail}"
        else:
            notice = f"Release {release.tag} recorded."
            if not _htmx(request):
                messages.success(request, notice)
                return redirect(f"{reverse('epic_detail', args=[epic.pk])}#releases")
            form, status, extra["release_notice"] = ReleaseForm(), 200, notice
    context = _context(request, epic, release_form=form, **extra)
    template = f"{TEMPLATE}#releases" if _htmx(request) else TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET"])
def document_download(request, pk: int):
    """Only to those who may see the epic; always as an attachment, under a server-made name."""
    document = document_for_user(request.user, pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"document-{document.pk}.pdf",
        content_type="application/pdf",
    )
