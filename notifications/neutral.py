"""What people typed, made harmless where the portal sends it: in a Mattermost post it shows
as the words it is (no mention, no link, no image, no formatting), and in an e-mail header it
stays on one line.

Both apply to a notification's whole subject and body, not to the values that went into
them. The rules (notifications/rules.py) write plain text on purpose, no markup of their own,
so neutralising all of it neutralises every title, description, reason, name and tag they
interpolated, in every message, including rows written before this module existed. The only
markup a post carries is what notifications/channels.py adds afterwards: the subject in bold
and the portal's own link.
"""

from __future__ import annotations

import re

# Control characters (CR, LF, tab, escape...), Unicode line and paragraph separators, and the
# bidirectional overrides that make a line read differently from what it holds.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# What still means something once Markdown has been read: a mention (@channel, @here, @all,
# @someone), a channel link (~town-square), a hashtag (#word), and a colon that starts a link
# or an emoji (https://, mailto:, :emoji:). Each becomes its full-width twin, which reads the
# same and means nothing.
_TRIGGERS = re.compile(r"@|~|#(?=[^\W\d_])|:(?=\S)")
_TWINS = {"@": "\uff20", "~": "\uff5e", "#": "\uff03", ":": "\uff1a"}

# What Markdown reads as formatting, links or images: backslash-escaped, which Markdown
# (CommonMark, and Mattermost's older renderer for exactly these) shows as the character
# itself. <, > and & become entities, which Slack reads too.
_MARKUP = re.compile(r"[\\`*_{}\[\]()!|+\-.#]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def one_line(text: str, limit: int | None = None) -> str:
    """`text` on one line: each run of control characters and spaces becomes one space (a
    header with CR or LF in it is refused); at most `limit` characters, cut with '…'."""
    line = " ".join(_CONTROL.sub(" ", text or "").split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def for_mattermost(text: str) -> str:
    """`text` as a Mattermost (or Slack) post shows it literally: on one line (no headings,
    lists, quotes or code blocks), nothing that mentions, links, embeds or formats."""
    line = _TRIGGERS.sub(lambda found: _TWINS[found.group()], one_line(text))
    line = "".join(_ENTITIES.get(char, char) for char in line)
    return _MARKUP.sub(lambda found: "\\" + found.group(), line)
