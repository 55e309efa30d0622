"""The epic page: status, pipelines, documents (upload, download, verify or reject),
releases, its requests; and the documents waiting for MDO PMs and the Cyber team to verify.

Views parse input, call one service or selector, and render; who may see what comes from
workflow.selectors (what a user may not see answers 404, audited, named by what was tried).
A refused action re-renders the page it came from with the refusal's status code and what
to do about it, changing nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods

from epics.forms import DocumentForm, ReleaseForm
from epics.models import Document, Epic
from portal.home import waiting_for_cyber
from portal.http import Attempt, attempt, fragment_of, is_fragment, safe_next, varies
from portal.pages import guarded, may_open
from portal.timeline import entries as timeline_entries
from workflow import gates, request_types, services
from workflow.actions import action_named, offer
from workflow.dates import day
from workflow.errors import Conflict
from workflow.permissions import (
    may_record_releases,
    may_upload_documents,
)
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
DOCUMENTS_TEMPLATE = "epics/documents.html"
TIMELINE_LENGTH = 30

VERIFY_CYBER = action_named(Epic, "verify_cyber_compliance")
# What each decision on a document does to it, as the page says so.
DECIDED = {"verify": "verified", "reject": "rejected"}


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


def _ctf_at_a_glance(documents: list[Document], today: dt.date) -> Document | None:
    """The epic's CtF now: the newest letter in force, else the newest verified one (expired
    or superseded), to show its life at a glance."""
    letters = [
        document
        for document in documents
        if document.kind == Document.Kind.CTF_LETTER and document.status == Document.Status.VERIFIED
    ]
    in_force = [letter for letter in letters if letter.valid_on(today)]
    chosen = max(
        in_force or letters, key=lambda letter: (letter.signed_on, letter.pk), default=None
    )
    if chosen is not None:
        chosen.in_force = chosen in in_force
    return chosen


def _why(tried: Attempt, failed: str) -> str:
    """What did not happen (`failed`), and why; malformed input names its fields on the form."""
    if tried.fields or not tried.detail:
        return f"{failed}: some fields need fixing."
    return f"{failed}: {tried.detail}"


def _show_on(form, fields: dict[str, list[str]]) -> None:
    for name, problems in fields.items():
        form.add_error(name if name in form.fields else None, problems)


def _with_decisions(documents: list[Document], user, refusal: dict | None) -> list[Document]:
    """Each document, with the decisions this user is offered on it and the gates in their
    way (no query: the roles are read with the user; the status and who uploaded it are the
    document's), and the refusal of one, if any. Its uploader is offered neither: the gate
    `not_own_document` says who decides instead."""
    verify, reject = action_named(Document, "verify"), action_named(Document, "reject")
    for document in documents:
        offers = [offer(action, document, user) for action in (verify, reject)]
        document.decision_unmet = next((o.unmet for o in offers if o.offered and o.unmet), [])
        may = [o.offered and not o.unmet for o in offers]
        document.may_verify, document.may_reject = may
        document.refusal = refusal if refusal and refusal["document"] == document.pk else None
    return documents


def _context(
    request, epic: Epic, *, upload_form=None, release_form=None, refusal=None, **extra
) -> dict:
    user = request.user
    today = timezone.localdate()
    documents = _with_decisions(list(documents_for(user).filter(epic=epic)), user, refusal)
    for document in documents:
        document.expiry_note = _expiry_note(document, today)
    by_pk = {document.pk: document for document in documents}
    for document in documents:
        document.superseder = by_pk.get(document.superseded_by_id)
    next_url = safe_next(request)
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
    history = timeline_entries(history_of(epic).reverse()[:TIMELINE_LENGTH], viewer=user)
    return {
        "epic": epic,
        "pipelines": list(pipelines_for(user).filter(epic=epic)),
        "documents": documents,
        "ctf": _ctf_at_a_glance(documents, today),
        "releases": list(releases_for(user).filter(epic=epic)),
        "tickets": list(tickets_for(user).filter(epic=epic)[:20]),
        "timeline": history,
        "upload_form": upload_form,
        "release_form": release_form or ReleaseForm(),
        "may_upload": may_upload_documents(user, epic),
        "team_member": may_record_releases(user, epic),  # files requests, records releases
        "pipeline_request_type": request_types.adding_a_pipeline().value,
        "production": next(iter(gates.unmet(services.release_gates(epic))), None)
        or gates.epic_has_production(epic),  # what a release needs first, or that it may
        "next_url": next_url,
        "open_upload": open_upload,
        # Cyber compliance, verified here as on the board's card (MDO PMs and Cyber).
        "verify_cyber": _verify_cyber_offer(epic, user),
        **extra,
    }


def _verify_cyber_offer(epic: Epic, user):
    """The Verify control of a new-CtF epic not yet verified, for who may verify it."""
    if not epic.requires_new_ctf or epic.cyber_compliant:
        return None
    verify = offer(VERIFY_CYBER, epic, user)
    return verify if verify.permitted else None


@login_required
@require_http_methods(["GET"])
def epic_detail(request, pk: int):
    epic = epic_for_user(request.user, pk)
    return varies(render(request, TEMPLATE, _context(request, epic)))


def _form_of(page):
    """A form's POST address: a refusal re-renders the page there, which leaves the address
    in the browser's bar. A GET of it (a reload, Enter in the bar) goes to the page the form
    lives on, `page(user, pk)` (404 for what the user may not see), not a bare 405."""

    def decorate(view):
        @functools.wraps(view)
        def answer(request, pk: int):
            if request.method == "GET":
                return redirect(page(request.user, pk))
            return view(request, pk)

        return login_required(require_http_methods(["GET", "POST"])(answer))

    return decorate


@_form_of(lambda user, pk: reverse("epic_detail", args=[epic_for_user(user, pk).pk]))
def epic_verify_cyber(request, pk: int):
    """Record that the new-CtF epic is cyber compliant (the gate before its pipeline starts),
    then back to the epic's page, or to the documents to verify when asked from there."""
    user = request.user
    epic = epic_for_user(user, pk, VERIFY_CYBER.name)
    verified = attempt(lambda: VERIFY_CYBER.perform(epic, user))
    if not verified.refused:
        messages.success(request, f"“{epic}” is verified cyber compliant: its pipeline can start.")
        return redirect(safe_next(request, reverse("epic_detail", args=[epic.pk])))
    error = _why(verified, "Cyber compliance was not recorded")
    return render(request, TEMPLATE, _context(request, epic, cyber_error=error),
                  status=verified.status)


def _epic_page(part: str):
    return lambda user, pk: f"{reverse('epic_detail', args=[epic_for_user(user, pk).pk])}#{part}"


def _document_row(user, pk: int) -> str:
    document = document_for_user(user, pk)
    return f"{reverse('epic_detail', args=[document.epic_id])}#document-{document.pk}"


@_form_of(_epic_page("upload"))
def document_upload(request, pk: int):
    epic = epic_for_user(request.user, pk, "upload")
    form = DocumentForm(request.POST, request.FILES)
    uploaded = Attempt(status=400)  # the form's own errors
    if form.is_valid():
        arguments = form.service_arguments()
        uploaded = attempt(
            lambda: services.document_upload(by=request.user, epic=epic, **arguments)
        )
        _show_on(form, uploaded.fields)
    if not uploaded.refused:
        messages.success(
            request,
            f"{uploaded.result.get_kind_display()} uploaded to “{epic}”. It counts once the Cyber "
            "team or an MDO PM verifies it; the epic's page shows when they do.",
        )
        documents = f"{reverse('epic_detail', args=[epic.pk])}#documents"
        return redirect(safe_next(request, documents))
    error = _why(uploaded, "Nothing was uploaded")
    context = _context(request, epic, upload_form=form, upload_error=error)
    return render(request, TEMPLATE, context, status=uploaded.status)


@_form_of(_epic_page("releases"))
def release_create(request, pk: int):
    epic = epic_for_user(request.user, pk, "record_release")
    form = ReleaseForm(request.POST)
    recorded = Attempt(status=400)  # the form's own errors
    if form.is_valid():
        tag = form.cleaned_data["tag"]
        recorded = attempt(lambda: services.release_create(by=request.user, epic=epic, tag=tag))
        _show_on(form, recorded.fields)
    extra = {}
    if not recorded.refused:
        notice = f"Release {recorded.result.tag} recorded."
        if not is_fragment(request):
            messages.success(request, notice)
            return redirect(f"{reverse('epic_detail', args=[epic.pk])}#releases")
        form, extra["release_notice"] = ReleaseForm(), notice
    elif recorded.detail and not recorded.fields:  # a bad field speaks for itself, on the form
        extra["release_error"] = _why(recorded, "Not recorded")
    context = _context(request, epic, release_form=form, **extra)
    template = fragment_of(request, TEMPLATE, "releases")
    return render(request, template, context, status=recorded.status)


@login_required
@require_http_methods(["GET"])
def document_download(request, pk: int):
    """Only to those who may see the epic; always as an attachment, under a server-made name."""
    document = document_for_user(request.user, pk, "download")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"document-{document.pk}.pdf",
        content_type="application/pdf",
    )


# Verifying and rejecting documents ---------------------------------------------------------


@_form_of(_document_row)
def document_verify(request, pk: int):
    return _decide(request, pk, "verify")


@_form_of(_document_row)
def document_reject(request, pk: int):
    return _decide(request, pk, "reject")


def _decide(request, pk: int, name: str):
    """Verify or reject one document through its service; back to where the person came
    from (the documents to verify, or the epic's page) with what happened, or that page
    again with the refusal's status code and why."""
    user = request.user
    document = document_for_user(user, pk, name)
    action = action_named(Document, name)
    params = {param: request.POST.get(param, "") for param in action.params}
    decided = attempt(lambda: action.perform(document, user, **params))
    if not decided.refused:
        messages.success(request, _decided_notice(document, decided.result))
        documents = f"{reverse('epic_detail', args=[document.epic_id])}#documents"
        return redirect(safe_next(request, documents))
    refusal = {
        "document": document.pk,
        "action": name,
        "error": _refusal_text(decided, document, name, user),
        "fields": decided.fields,
        **params,
    }
    if _from_queue(request):
        return _documents_page(request, refusal=refusal, status=decided.status)
    # The epic page's own `next` is a way back to a request being prepared: not this one.
    context = _context(request, document.epic, refusal=refusal, next_url="")
    return render(request, TEMPLATE, context, status=decided.status)


def _described(document: Document) -> str:
    return (
        f"the {document.get_kind_display()} of “{document.epic.title}” signed "
        f"{day(document.signed_on)}"
    )


def _decided_notice(document: Document, decided: Document) -> str:
    team = document.epic.team.name
    if decided.status == Document.Status.REJECTED:
        return f"Rejected {_described(document)}. {team} is told why: {decided.rejection_reason}"
    covers = f", covering {', '.join(decided.impact_levels)}" if decided.impact_levels else ""
    return f"Verified {_described(document)}{covers}. {team} is told."


def _refusal_text(decided: Attempt, document: Document, name: str, user) -> str:
    """The refusal, and when someone decided the document first: who, and when."""
    said = _why(decided, f"Not {DECIDED[name]}")
    if decided.status != Conflict.status_code:
        return said
    now = Document.objects.select_related("decided_by").get(pk=document.pk)
    if now.status == Document.Status.UPLOADED or now.decided_by is None:
        return said
    when = dateformat.format(timezone.localtime(now.decided_at), "j M Y, H:i T")
    who = "You" if now.decided_by_id == user.pk else now.decided_by.get_username()
    return (
        f"Not {DECIDED[name]}: {who} already "
        f"{now.get_status_display().lower()} {_described(document)} on {when}. "
        "Nothing was changed."
    )


def _from_queue(request) -> bool:
    on_queue = urlsplit(safe_next(request)).path == reverse("documents_to_verify")
    return on_queue and may_open(request.user, "documents")


@guarded("documents", ("GET",))
def documents_to_verify(request):
    """Every team's Uploaded documents, oldest first, for those who verify them."""
    return _documents_page(request)


def _due_for_renewal(user, today: dt.date) -> list[Document]:
    """CtF letters in force whose epic changed (a pipeline added): Cyber renews them."""
    due = documents_for(user).filter(
        kind=Document.Kind.CTF_LETTER,
        status=Document.Status.VERIFIED,
        renewal_due_since__isnull=False,
        superseded_by__isnull=True,
        expires_on__gt=today,
    )
    return list(due.order_by("renewal_due_since", "pk")[:100])


def _documents_page(request, *, refusal: dict | None = None, status: int = 200):
    user = request.user
    today = timezone.localdate()
    waiting = documents_for(user).filter(status=Document.Status.UPLOADED)
    documents = _with_decisions(list(waiting.order_by("uploaded_at", "pk")), user, refusal)
    for document in documents:
        document.expiry_note = _expiry_note(document, today)
    # A document decided meanwhile has left the list: its refusal is told above it.
    gone = refusal is not None and refusal["document"] not in {d.pk for d in documents}
    context = {
        "documents": documents,
        "refusal_above": refusal if gone else None,
        "renewals": _due_for_renewal(user, today),
        "cyber_waiting": list(
            waiting_for_cyber(user).select_related("team").order_by("created_at", "pk")[:100]
        ),
        "queue_url": reverse("documents_to_verify"),
        "nav": "documents",
    }
    return render(request, DOCUMENTS_TEMPLATE, context, status=status)
