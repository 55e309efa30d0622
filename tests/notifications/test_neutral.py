"""What people typed goes out harmless: a Mattermost post shows it as words (no mention, no
link, no image, no formatting) around the portal's own link, and an e-mail subject stays on
one line, whatever an old title holds. Delivered to the fake receivers on loopback."""

import email.header
import re
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.urls import reverse

from notifications import delivery
from notifications.models import Notification, Webhook
from notifications.neutral import for_mattermost, one_line
from requests_app.models import Ticket
from tests.factories import TicketFactory, UserFactory
from workflow import services
from workflow.permissions import PRODUCT_TEAM

pytestmark = pytest.mark.django_db

PHISHING = (
    "@channel [Verify your CAC](https://evil.example/login) ![p](https://evil.example/p.png)"
)


def live_markup(text: str) -> list[str]:
    """What a Markdown renderer like Mattermost's would make live in `text`: mentions,
    channel links, hashtags, links, images, autolinks, HTML, entities, emphasis, code."""
    unescaped = r"(?<!\\)"
    patterns = {
        "mention": r"@\w",
        "channel link": r"~\w",
        "hashtag": r"(?<![\\\w])#[^\W\d_]",
        "link or image": unescaped + r"\]" + unescaped + r"\(",
        "image": unescaped + r"!" + unescaped + r"\[",
        "autolink": r"(?i)\b(https?|ftp|mailto|tel):|www\.",
        "emoji": r":[\w+-]+:",
        "html or slack": r"<",
        "entity": r"&(?!amp;|lt;|gt;)",
        "emphasis or code": unescaped + r"[*_`~]",
        "line break": r"[\r\n]",
    }
    return [name for name, pattern in patterns.items() if re.search(pattern, text)]


def post_of(hook) -> tuple[str, str, str]:
    """The one post the fake received: its bold subject, its body and its link line."""
    assert len(hook.received) == 1, hook.received
    subject, body, link = hook.received[0]["text"].split("\n")
    assert subject.startswith("**") and subject.endswith("**")
    return subject[2:-2], body, link


def test_a_phishing_title_reaches_the_pms_channel_as_plain_words(
    in_process_tasks, webhook, member, pm, epic, django_capture_on_commit_callbacks
):
    Webhook.objects.create(name="PMs", url=webhook.url, role="mdo_pm")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_file(
            by=member,
            team=epic.team,
            request_type="pipeline",
            impact_level="IL4",
            epic=epic,
            title=PHISHING,
        )

    subject, body, link = post_of(webhook)
    assert subject == (
        f"New request \\#{ticket.pk} \uff20channel \\[Verify your CAC\\]\\(https\uff1a//evil\\."
        "example/login\\) \\!\\[p\\]\\(https\uff1a//evil\\.example/p\\.png\\)"
    )
    assert live_markup(subject) == [] and live_markup(body) == []
    # The portal's own link stays, whole and live: the only address in the post.
    assert link == urljoin(settings.PORTAL_BASE_URL, reverse("ticket_detail", args=[ticket.pk]))
    assert webhook.received[0]["text"].count("http") == 1 + subject.count("http")
    assert Notification.objects.get(channel="webhook").state == "delivered"


def test_names_reasons_and_justifications_are_words_too(
    in_process_tasks, webhook, team, epic, member, pm, django_capture_on_commit_callbacks
):
    """A user name may hold '@' (Django allows it); reasons and justifications hold anything."""
    Webhook.objects.create(name="Team", url=webhook.url, team=team)
    Webhook.objects.create(name="Classified Ops", url=webhook.url, role="classified_ops")
    ticket = TicketFactory(epic=epic, created_by=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reject(by=pm, ticket=ticket, reason="@here see <https://evil.example>")
    subject, body, _ = post_of(webhook)
    assert "see &lt;https\uff1a//evil\\.example&gt;" in body
    assert live_markup(subject + body) == []

    webhook.reset()
    asker = UserFactory(username="@all", roles=[PRODUCT_TEAM], teams=[team])
    with django_capture_on_commit_callbacks(execute=True):
        services.access_request_create(
            by=asker, justification="I need it\n\n# NOW\n> **urgent** `rm` www.evil.example"
        )
    subject, body, _ = post_of(webhook)
    assert subject == "\uff20all requests Classified Ops access"
    assert body == (
        "Justification: I need it \\# NOW &gt; \\*\\*urgent\\*\\* \\`rm\\` www\\.evil\\.example"
    )
    assert live_markup(subject + body) == []


@pytest.mark.parametrize(
    "typed",
    [
        PHISHING,
        "@here @all @someone.else ping",
        "a@b.example wrote ~town-square #urgent",
        "<!channel> <@U123> <https://evil.example|click>",
        "https://evil.example www.evil.example mailto:x@evil.example tel:+15550100",
        "[x]: https://evil.example\n[ref][x]",
        "*bold* __under__ ~~strike~~ `code` ```fence```",
        "line one\r\n# heading\n- list\n1. ordered\n> quote\n    indented code\n---",
        "&#64;channel &commat;here &lt;tag&gt;",
        ":skull: :custom-emoji:",
        "back\\slash \\@channel \\[x\\](https://evil.example)",
        "right-to-left \u202eoverride\u202c and \x00 nul \x1b[31m escape",
    ],
)
def test_nothing_typed_stays_live_in_a_post(typed):
    shown = for_mattermost(typed)
    assert live_markup(shown) == [], (typed, shown)
    assert "@" not in shown and "\u202e" not in shown and "\x00" not in shown


def test_ordinary_words_read_the_same():
    assert for_mattermost("Fix login for Team Alpha") == "Fix login for Team Alpha"
    assert for_mattermost("Reason: it's a duplicate") == "Reason: it's a duplicate"


# E-mail subjects ---------------------------------------------------------------------------


def test_an_old_title_with_cr_lf_still_reaches_the_team_by_email(
    in_process_tasks, smtp, epic, member, pm, django_capture_on_commit_callbacks
):
    """Input now refuses CR and LF; a title saved before that (here: straight to the
    database) must not make the e-mail fail with BadHeaderError, nor add a header."""
    ticket = TicketFactory(epic=epic, created_by=member)
    Ticket.objects.filter(pk=ticket.pk).update(title="Fix the build\r\nBcc: all@example.mil\n")
    ticket.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_triage(by=pm, ticket=ticket)

    row = Notification.objects.get(channel="email", recipient=member)
    assert (row.state, row.last_error) == ("delivered", "")
    [message] = smtp.messages
    assert message["To"] == member.email and message["Bcc"] is None
    # One line, as the mail library may fold a long header (RFC 5322: CRLF, then a space).
    assert message["Subject"].replace("\r\n ", " ") == (
        f"[MDO Portal] Request #{ticket.pk} Fix the build Bcc: all@example.mil is triaged"
    )


def test_a_pm_row_that_failed_on_its_subject_is_delivered_on_one_line(smtp, pm):
    """A row written before the fix, with CR/LF in its subject, delivers when sent again."""
    row = Notification.objects.create(
        event_key="old:1",
        event_type="ticket_filed",
        channel="email",
        recipient=pm,
        address=pm.email,
        subject="New request #7 Deploy\r\nX-Injected: yes\rnow\x07",
        body="alice filed it.",
        url="/requests/7/",
    )
    assert delivery.deliver(row.pk) == "delivered"
    [message] = smtp.messages
    assert message["Subject"] == "[MDO Portal] New request #7 Deploy X-Injected: yes now"
    assert message["X-Injected"] is None


def test_a_long_subject_is_cut_to_a_bounded_line(smtp, pm):
    row = Notification.objects.create(
        event_key="old:2",
        event_type="ticket_filed",
        channel="email",
        recipient=pm,
        address=pm.email,
        subject="New request #8 " + "word " * 44,  # 235 of the row's 240
        body="",
        url="",
    )
    assert delivery.deliver(row.pk) == "delivered"
    raw = smtp.messages[0]["Subject"]
    subject = str(email.header.make_header(email.header.decode_header(raw)))
    assert len(subject) <= 200 and subject.endswith("…")
    assert subject.startswith("[MDO Portal] New request #8 word word")


def test_one_line_collapses_every_control_character():
    assert one_line("a\r\n\tb\x0bc\x85d\u2028e  f") == "a b c d e f"
    assert one_line("x" * 10, 5) == "xxxx…"
    assert one_line("") == ""
