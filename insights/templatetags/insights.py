from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from insights.workflow_pictures import ROUTES, picture

register = template.Library()


@register.filter
def cell(value):
    """A table cell: a dash where there is no figure."""
    return "–" if value is None else value


@register.simple_tag
def workflow_picture(request_type):
    """The picture of a request type's flow, or None when no (known) type is chosen."""
    return picture(str(request_type)) if request_type in ROUTES else None


@register.simple_tag
def options(field):
    """A select's options, written at once: the team list of a large portal has hundreds,
    and Django's option templates cost a template render each."""
    chosen = "" if field.value() is None else str(field.value())
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == chosen else "", label)
            for value, label in field.field.choices
        ),
    )


@register.simple_tag
def table_rows(table):
    """A panel's table rows, each cell labelled with its column for phones (written at
    once: the cumulative flow's table has a row per day)."""
    return format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", '<td data-label="{}">{}</td>', ((c, cell(v)) for c, v in row)),)
            for row in table.labelled_rows
        ),
    )
