"""What the API shows and what it accepts (API.md, "Resources"), a module per kind of piece:

- fields: the field types the others share (UTC datetimes, usernames, visible ids, choices);
- resources: each resource as the API shows it, read through workflow/selectors.py;
- inputs: what creating or changing a resource accepts (shape only; the rules stay in
  workflow/services/, which names what is wrong);
- transitions: the `transitions` field with its gates, and a transition's parameters;
- filters: the query parameters of the lists;
- audit: an object's history;
- schema: error bodies and the token answer, for the OpenAPI schema only.

`from api import serializers as s` gives every one of them as `s.<Name>`.
"""

from api.serializers.audit import AuditEventSerializer
from api.serializers.fields import (
    MAX_ID,
    ImpactLevelListField,
    ImpactLevelsField,
    ServiceCheckedChoiceField,
    UsernameField,
    UTCDateTimeField,
    VisibleObjectField,
    display_field,
    max_length,
    username_field,
)
from api.serializers.filters import (
    AccessRequestFilters,
    DocumentFilters,
    EpicFilters,
    Filters,
    ReleaseFilters,
    StoryFilters,
    TicketFilters,
)
from api.serializers.inputs import (
    AccessRequestInputSerializer,
    DocumentInputSerializer,
    EpicInputSerializer,
    ReleaseInputSerializer,
    TeamInputSerializer,
    TicketInputSerializer,
)
from api.serializers.resources import (
    AccessRequestSerializer,
    DocumentSerializer,
    EpicSerializer,
    ReleaseSerializer,
    StorySerializer,
    TeamSerializer,
    TicketSerializer,
)
from api.serializers.schema import (
    ConflictSerializer,
    CredentialsSerializer,
    ErrorSerializer,
    GatesUnmetSerializer,
    TokenSerializer,
)
from api.serializers.transitions import (
    GateSerializer,
    TransitionInputSerializer,
    TransitionSerializer,
    TransitionsField,
)

__all__ = [
    "MAX_ID",
    "AccessRequestFilters",
    "AccessRequestInputSerializer",
    "AccessRequestSerializer",
    "AuditEventSerializer",
    "ConflictSerializer",
    "CredentialsSerializer",
    "DocumentFilters",
    "DocumentInputSerializer",
    "DocumentSerializer",
    "EpicFilters",
    "EpicInputSerializer",
    "EpicSerializer",
    "ErrorSerializer",
    "Filters",
    "GateSerializer",
    "GatesUnmetSerializer",
    "ImpactLevelListField",
    "ImpactLevelsField",
    "ReleaseFilters",
    "ReleaseInputSerializer",
    "ReleaseSerializer",
    "ServiceCheckedChoiceField",
    "StoryFilters",
    "StorySerializer",
    "TeamInputSerializer",
    "TeamSerializer",
    "TicketFilters",
    "TicketInputSerializer",
    "TicketSerializer",
    "TokenSerializer",
    "TransitionInputSerializer",
    "TransitionSerializer",
    "TransitionsField",
    "UTCDateTimeField",
    "UsernameField",
    "VisibleObjectField",
    "display_field",
    "max_length",
    "username_field",
]
