"""The conversation on a request in a browser: pat asks alice's team a question and leaves an
internal note with an attachment; alice sees the question, never the note, answers, and
mentions pat, who is told in the app."""

from __future__ import annotations

import re

import pytest

from requests_app.models import Comment, Ticket
from tests.e2e.pages import expect, sign_in
from tests.portal.pages import world
from workflow import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_question_an_answer_an_internal_note_and_a_mention(open_page, shot, tmp_path):
    w = world()
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL5", epic=w.payments
    )
    address = f"/requests/{ticket.pk}/"

    pat = open_page()
    sign_in(pat, "pat")
    pat.goto(address)
    pat.locator("summary", has_text="Ask for info").click()
    pat.get_by_label(re.compile("Question for Team Alpha")).fill("Which IL5 tenant is this for?")
    pat.get_by_role("button", name="Ask for info").click()
    expect(pat.get_by_text("Question sent")).to_be_visible()
    expect(pat.locator(".page-head .badge")).to_have_text("Needs Info")

    cost = tmp_path / "cost.txt"
    cost.write_text("Estimate: 3 sprints\n")
    pat.get_by_label("Comment", exact=True).fill("Internal: budget approval pending.")
    pat.get_by_label("Attachments").set_input_files(str(cost))
    pat.get_by_label(re.compile("^Internal note")).check()
    pat.get_by_role("button", name="Add comment").click()
    expect(pat.get_by_text("Comment added.")).to_be_visible()
    note = pat.locator(".comment--internal")
    expect(note).to_contain_text("Internal: budget approval pending.")
    expect(note.get_by_role("link", name="cost.txt")).to_be_visible()
    shot(pat, "pat")

    alice = open_page()
    sign_in(alice, "alice")
    alice.goto(address)
    question = alice.locator("#question")
    expect(question).to_contain_text("The MDO PM needs an answer")
    expect(question).to_contain_text("Which IL5 tenant is this for?")
    expect(alice.get_by_text("budget approval")).to_have_count(0)
    expect(alice.get_by_text("cost.txt")).to_have_count(0)
    expect(alice.get_by_label(re.compile("^Internal note"))).to_have_count(0)

    alice.get_by_label("Your answer").fill("The IL5 tenant of Payments, in east.")
    alice.get_by_role("button", name="Answer").click()
    expect(alice.get_by_text("Answer sent")).to_be_visible()
    expect(alice.locator(".page-head .badge")).to_have_text("Submitted")
    expect(alice.locator("#question")).to_have_count(0)

    alice.get_by_label("Comment", exact=True).fill("@pat the SSP is attached as well.")
    alice.get_by_role("button", name="Add comment").click()
    expect(alice.get_by_text("Comment added.")).to_be_visible()
    thread = alice.locator(".thread .comment")
    expect(thread).to_have_count(3)  # the question, the answer, the comment: no note
    shot(alice, "alice")

    assert Ticket.objects.get().status == "submitted"
    assert Comment.objects.filter(internal=True).count() == 1

    pat.goto("/notifications/")
    mention = pat.get_by_role("link", name=f"alice mentioned you on request #{ticket.pk}")
    expect(mention).to_be_visible()
    mention.click()
    expect(pat.locator(".thread")).to_contain_text("@pat the SSP is attached as well.")


def test_pat_comments_from_the_triage_row_and_alice_reads_it(open_page, shot):
    w = world()
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL5", epic=w.payments
    )

    pat = open_page()
    sign_in(pat, "pat")
    pat.goto("/boards/triage/")
    row = pat.locator(f"#ticket-{ticket.pk}")
    row.locator("summary", has_text="Conversation (0)").click()
    row.get_by_label(f"Comment on request #{ticket.pk}").fill("Which region do you deploy to?")
    row.get_by_role("button", name=f"Add comment to request #{ticket.pk}").click()
    row = pat.locator(f"#ticket-{ticket.pk}")  # the row came back in place, opened
    expect(row.get_by_text("Comment added.")).to_be_visible()
    expect(row.locator("summary", has_text="Conversation (1)")).to_be_visible()
    expect(row.locator(".thread")).to_contain_text("Which region do you deploy to?")
    expect(pat.locator("h1")).to_have_text("Triage")  # still the queue
    shot(pat, "pat-triage-row")

    alice = open_page()
    sign_in(alice, "alice")
    alice.goto(f"/requests/{ticket.pk}/")
    expect(alice.locator(".thread")).to_contain_text("Which region do you deploy to?")
    assert Comment.objects.get(ticket=ticket).author == w.pat
