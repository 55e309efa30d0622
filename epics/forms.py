"""Forms of the epic page: upload a signed document, record a release tag. They parse;
workflow.services.document_upload and release_create decide."""

from __future__ import annotations

from django import forms
from django.conf import settings

from epics.models import Document, ImpactLevel
from workflow.text import single_line


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Document", choices=Document.Kind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="Signed PDF",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    signed_on = forms.DateField(
        label="Signed on",
        required=False,
        widget=DateInput(),
        help_text="The date on the signature. A CtF letter is valid for one year from it.",
    )
    impact_levels = forms.MultipleChoiceField(
        label="Impact levels it covers",
        choices=ImpactLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="CtF letters only: every impact level the letter approves.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.DOCUMENT_MAX_BYTES / 1048576
        self.fields["file"].help_text = f"The signed document as a PDF, at most {limit:g} MB."

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "file": data["file"],
            "signed_on": data["signed_on"],
            "impact_levels": data["impact_levels"],
        }


class ReleaseForm(forms.Form):
    tag = forms.CharField(
        label="Release tag",
        max_length=200,
        required=False,
        validators=[single_line],
        help_text="The tag you deploy, for example v2.3.1.",
    )
