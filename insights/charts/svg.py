"""Writing SVG: one <svg> element with its title and description, marks as presentation
attributes (no style attributes: the portal plans a strict Content Security Policy), the
patterns that fills carry so they read without colour, and how wide a line of text is."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#17202c"
SOFT = "#4a5566"
GRID = "#e2e7ee"
AXIS = "#8a96a8"
BAR = "#8fa8c9"
HIGHLIGHT = "#b45309"
MEDIAN = "#1d4ed8"
P90 = "#4a5566"
FONT = 13
SMALL = 11.5

# The marks of each pattern, drawn over the fill's colour in an 8 by 8 tile.
PATTERN_MARKS = {
    "hatch": '<path d="M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6" stroke="{ink}" '
    'stroke-width="1.4" stroke-opacity="0.55"/>',
    "cross": '<path d="M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6 M0 0 L8 8 M-2 6 L2 10 '
    'M6 -2 L10 2" stroke="{ink}" stroke-width="1.2" stroke-opacity="0.55"/>',
    "dots": '<circle cx="4" cy="4" r="1.3" fill="{ink}" fill-opacity="0.55"/>',
}


@dataclass(frozen=True)
class Fill:
    """What a fill means, also without colour."""

    colour: str
    pattern: str = "solid"  # solid, hatch (diagonal lines), cross, dots


def coordinate(value: float) -> str:
    """A coordinate as written: one decimal at most, none when it is whole."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = coordinate(value)
        elif isinstance(value, int):
            value = str(value)
        else:
            value = escape(value)
        out.append(f' {name}="{value}"')
    return "".join(out)


class Svg:
    def __init__(self, chart_id: str, width: float, height: float, *, title: str, desc: str):
        self.id, self.width, self.height = chart_id, width, height
        self.title, self.desc = title, desc
        self.defs: dict[str, str] = {}
        self.body: list[str] = []

    def add(self, tag: str, text: str | None = None, **attrs) -> None:
        if text is None:
            self.body.append(f"<{tag}{_attrs(attrs)}/>")
        else:
            self.body.append(f"<{tag}{_attrs(attrs)}>{escape(text)}</{tag}>")

    def text(self, x, y, words: str, *, size=FONT, anchor="start", weight=None, fill=INK, **kw):
        self.add(
            "text",
            words,
            x=float(x),
            y=float(y),
            font_size=size,
            text_anchor=anchor if anchor != "start" else None,
            font_weight=weight,
            fill=fill,
            **kw,
        )

    def line(self, x1, y1, x2, y2, *, stroke=AXIS, width=1, **kw):
        self.add(
            "line",
            x1=float(x1),
            y1=float(y1),
            x2=float(x2),
            y2=float(y2),
            stroke=stroke,
            stroke_width=width,
            **kw,
        )

    def paint(self, fill: Fill) -> str:
        """The fill attribute for `fill`: its colour, or its pattern over the colour."""
        if fill.pattern == "solid":
            return fill.colour
        key = f"{self.id}-{fill.pattern}-{fill.colour.lstrip('#')}"
        if key not in self.defs:
            marks = PATTERN_MARKS[fill.pattern].format(ink=INK)
            self.defs[key] = (
                f'<pattern id="{key}" width="8" height="8" patternUnits="userSpaceOnUse">'
                f'<rect width="8" height="8" fill="{fill.colour}"/>{marks}</pattern>'
            )
        return f"url(#{key})"

    def render(self, kind: str) -> SafeString:
        defs = f"<defs>{''.join(self.defs.values())}</defs>" if self.defs else ""
        return mark_safe(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {coordinate(self.width)} '
            f'{coordinate(self.height)}" class="chart chart--{kind}" role="img" '
            f'aria-labelledby="{self.id}-title {self.id}-desc" id="{self.id}">'
            f'<title id="{self.id}-title">{escape(self.title)}</title>'
            f'<desc id="{self.id}-desc">{escape(self.desc)}</desc>'
            f"{defs}{''.join(self.body)}</svg>"
        )


def text_width(text: str, size: float = FONT) -> float:
    """About how wide a line of system-ui text is (for placing labels, not for typesetting)."""
    return len(text) * size * 0.56


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
