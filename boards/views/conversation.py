"""Writing in a request's conversation from where its work is decided: a triage queue's row
and a card's dialog on either board post to the request's comment view
(requests_app/views.py `request_comment`), saying where from (`via`). Without JavaScript
that view goes back to `next` with a message; under HTMX it answers with the part of the
page the form is in, as chosen here: the row, or the dialog's conversation.
"""

from __future__ import annotations

from functools import partial

from django.http import Http404

from boards import selectors
from boards.views import cards, triage
from portal.pages import may_open

# The page each place is on, as portal/pages.py knows it: only whoever may open it gets its
# part back (anyone else gets the request page's, as from there).
PAGES = {"triage": triage.PAGE, cards.EPICS: "epic_board", cards.CLASSIFIED: "classified"}
CARDS = {cards.EPICS: selectors.epic_with_work, cards.CLASSIFIED: selectors.classified_story}


def in_place(request):
    """How to answer the comment posted from `via` (called with the request, the ticket
    and what happened), or None for the request page's answer. The card is found before
    anything is stored: one that this user cannot see is a 404."""
    via = request.POST.get("via", "")
    if via not in PAGES or not may_open(request.user, PAGES[via]):
        return None
    if via == "triage":
        return triage.comment_answer
    pk = request.POST.get("card", "")
    card = CARDS[via](request.user, pk) if pk.isdigit() else None
    if card is None:
        raise Http404("No such card that you can see.")
    return partial(cards.comment_answer, kind=via, card=card)
