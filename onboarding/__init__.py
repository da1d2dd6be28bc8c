"""DocSpace Onboarding: bulk onboarding of business clients into ONLYOFFICE DocSpace.

All product logic lives in this package; the Streamlit pages and the command line are thin doors
onto it. Their one way in is :class:`Onboarding` (``onboarding.service``), bound to one portal;
everything else they may name is listed in ``__all__``: read models (records, runs, events,
plans, progress), configuration (settings, blueprint), statuses and the error tree.
``tests/unit/test_policy.py`` holds pages and ``ui/`` to these names.

The names are loaded on first use (PEP 562), so importing one submodule — the sandbox's contract
tests import the enums — does not import the whole product. Nothing here imports the sandbox
portal (``docspace_sandbox``): it is a separate stand-in for a real portal, reached only over HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onboarding.lazy import lazy_names

__version__ = "0.1.0"

_WHERE: dict[str, str] = {
    "WEBHOOK_MIN_SECRET_LENGTH": "onboarding.webhook",
    "ALREADY_ONBOARDED": "onboarding.progress",
    "RUN_ALREADY_ONBOARDED": "onboarding.workflow.engine",
    "Action": "onboarding.workflow.status",
    "ClientStatus": "onboarding.workflow.status",
    "ClientState": "onboarding.workflow.status",
    "ClientEntry": "onboarding.directory",
    "select_clients": "onboarding.directory",
    "state_counts": "onboarding.directory",
    "Invitation": "onboarding.invitation",
    "Outcome": "onboarding.workflow.status",
    "RunStatus": "onboarding.workflow.status",
    "Step": "onboarding.workflow.status",
    "is_final": "onboarding.workflow.status",
    "TO_ONBOARD": "onboarding.workflow.status",
    "Access": "onboarding.access",
    "access": "onboarding.access",
    "AccessDenied": "onboarding.access",
    "BatchPlan": "onboarding.workflow.plan",
    "Blueprint": "onboarding.blueprint",
    "CANONICAL_FIELDS": "onboarding.ingest.models",
    "ClientAudit": "onboarding.workflow.audit",
    "ClientBatch": "onboarding.ingest.models",
    "ClientLike": "onboarding.workflow.context",
    "ClientLink": "onboarding.blueprint",
    "ClientPlan": "onboarding.workflow.plan",
    "ClientRecord": "onboarding.journal",
    "ClientRow": "onboarding.ingest.models",
    "ColumnMapping": "onboarding.ingest.models",
    "ConfigError": "onboarding.errors",
    "DONE": "onboarding.journal",
    "DeliveryReport": "onboarding.webhook",
    "Difference": "onboarding.workflow.audit",
    "JoinReport": "onboarding.workflow.aftercare",
    "RepairReport": "onboarding.workflow.aftercare",
    "DocSpaceError": "onboarding.errors",
    "EXPORT_FORMATS": "onboarding.export",
    "EventRecord": "onboarding.journal",
    "FileShare": "onboarding.docspace.enums",
    "FolderContent": "onboarding.docspace.models",
    "Forbidden": "onboarding.errors",
    "IngestError": "onboarding.ingest.errors",
    "IngestSettings": "onboarding.ingest.models",
    "Issue": "onboarding.ingest.models",
    "ManagerCheck": "onboarding.service",
    "ManagerDecision": "onboarding.workflow.context",
    "NotFound": "onboarding.errors",
    "Onboarding": "onboarding.service",
    "OnboardingError": "onboarding.errors",
    "PREVIEW_ISSUES": "onboarding.ingest.validation",
    "PREVIEW_ROW": "onboarding.ingest.validation",
    "PREVIEW_STATUS": "onboarding.ingest.validation",
    "PREVIEW_TITLE": "onboarding.ingest.validation",
    "PaymentRequired": "onboarding.errors",
    "Policy": "onboarding.access",
    "RateLimited": "onboarding.errors",
    "RoomType": "onboarding.docspace.enums",
    "RunHandle": "onboarding.background",
    "RunLocked": "onboarding.errors",
    "RunProgress": "onboarding.progress",
    "RunRecord": "onboarding.journal",
    "RunRegistry": "onboarding.background",
    "STEPS": "onboarding.workflow.plan",
    "SUPPORTED_EXTENSIONS": "onboarding.ingest.reader",
    "ServerError": "onboarding.errors",
    "Settings": "onboarding.settings",
    "StartOutcome": "onboarding.background",
    "TransportError": "onboarding.errors",
    "Unauthorized": "onboarding.errors",
    "User": "onboarding.docspace.models",
    "default_data_dir": "onboarding.settings",
    "saved_blueprint": "onboarding.settings",
    "idempotency_key": "onboarding.webhook",
    "load_clients": "onboarding.ingest",
    "load_settings": "onboarding.settings",
    "new_client_id": "onboarding.workflow.identity",
    "private_folder": "onboarding.files",
    "redact_text": "onboarding.redact",
    "results_frame": "onboarding.export",
    "in_id_order": "onboarding.export",
    "change_lines": "onboarding.workflow.reassign",
    "id_key": "onboarding.export",
    "Draft": "onboarding.drafts",
    "apply_edits": "onboarding.review",
    "DraftStore": "onboarding.drafts",
    "Edits": "onboarding.review",
    "RawTable": "onboarding.ingest.models",
    "ReviewCounts": "onboarding.review",
    "ReviewError": "onboarding.review",
    "Suggestion": "onboarding.review",
    "corrected_csv": "onboarding.review",
    "email_suggestions": "onboarding.review",
    "fill_managers": "onboarding.review",
    "read_table": "onboarding.ingest.reader",
    "review_table": "onboarding.review",
    "route_segments": "onboarding.segment_rows",
    "tidy_emails": "onboarding.review",
}
_RENAMED = {
    "RUN_ALREADY_ONBOARDED": "ALREADY_KEY",
    "WEBHOOK_MIN_SECRET_LENGTH": "MIN_SECRET_LENGTH",
    "EXPORT_FORMATS": "FORMATS",
    "redact_text": "redact",
    "email_suggestions": "suggestions",
    "review_table": "review",
}

__all__ = [
    "ALREADY_ONBOARDED",
    "CANONICAL_FIELDS",
    "DONE",
    "EXPORT_FORMATS",
    "PREVIEW_ISSUES",
    "PREVIEW_ROW",
    "PREVIEW_STATUS",
    "PREVIEW_TITLE",
    "RUN_ALREADY_ONBOARDED",
    "STEPS",
    "SUPPORTED_EXTENSIONS",
    "TO_ONBOARD",
    "WEBHOOK_MIN_SECRET_LENGTH",
    "Access",
    "AccessDenied",
    "Action",
    "BatchPlan",
    "Blueprint",
    "ClientAudit",
    "ClientBatch",
    "ClientEntry",
    "ClientLike",
    "ClientLink",
    "ClientPlan",
    "ClientRecord",
    "ClientRow",
    "ClientState",
    "ClientStatus",
    "ColumnMapping",
    "ConfigError",
    "DeliveryReport",
    "Difference",
    "DocSpaceError",
    "Draft",
    "DraftStore",
    "Edits",
    "EventRecord",
    "FileShare",
    "FolderContent",
    "Forbidden",
    "IngestError",
    "IngestSettings",
    "Invitation",
    "Issue",
    "JoinReport",
    "ManagerCheck",
    "ManagerDecision",
    "NotFound",
    "Onboarding",
    "OnboardingError",
    "Outcome",
    "PaymentRequired",
    "Policy",
    "RateLimited",
    "RawTable",
    "RepairReport",
    "ReviewCounts",
    "ReviewError",
    "RoomType",
    "RunHandle",
    "RunLocked",
    "RunProgress",
    "RunRecord",
    "RunRegistry",
    "RunStatus",
    "ServerError",
    "Settings",
    "StartOutcome",
    "Step",
    "Suggestion",
    "TransportError",
    "Unauthorized",
    "User",
    "access",
    "apply_edits",
    "change_lines",
    "corrected_csv",
    "default_data_dir",
    "email_suggestions",
    "fill_managers",
    "id_key",
    "idempotency_key",
    "in_id_order",
    "is_final",
    "load_clients",
    "load_settings",
    "new_client_id",
    "private_folder",
    "read_table",
    "redact_text",
    "results_frame",
    "review_table",
    "route_segments",
    "saved_blueprint",
    "select_clients",
    "state_counts",
    "tidy_emails",
]


__getattr__ = lazy_names(__name__, _WHERE, globals(), _RENAMED)


if TYPE_CHECKING:  # the same names, for type checkers (at run time they load on first use)
    from onboarding import access
    from onboarding.access import Access, AccessDenied, Policy
    from onboarding.background import RunHandle, RunRegistry, StartOutcome
    from onboarding.blueprint import Blueprint, ClientLink
    from onboarding.directory import ClientEntry, select_clients, state_counts
    from onboarding.docspace.enums import FileShare, RoomType
    from onboarding.docspace.models import FolderContent, User
    from onboarding.drafts import Draft, DraftStore
    from onboarding.errors import (
        ConfigError,
        DocSpaceError,
        Forbidden,
        NotFound,
        OnboardingError,
        PaymentRequired,
        RateLimited,
        RunLocked,
        ServerError,
        TransportError,
        Unauthorized,
    )
    from onboarding.export import FORMATS as EXPORT_FORMATS
    from onboarding.export import id_key, in_id_order, results_frame
    from onboarding.files import private_folder
    from onboarding.ingest import load_clients
    from onboarding.ingest.errors import IngestError
    from onboarding.ingest.models import (
        CANONICAL_FIELDS,
        ClientBatch,
        ClientRow,
        ColumnMapping,
        IngestSettings,
        Issue,
        RawTable,
    )
    from onboarding.ingest.reader import SUPPORTED_EXTENSIONS, read_table
    from onboarding.ingest.validation import PREVIEW_ISSUES, PREVIEW_ROW, PREVIEW_STATUS, PREVIEW_TITLE
    from onboarding.invitation import Invitation
    from onboarding.journal import DONE, ClientRecord, EventRecord, RunRecord
    from onboarding.progress import ALREADY_ONBOARDED, RunProgress
    from onboarding.redact import redact as redact_text
    from onboarding.review import (
        Edits,
        ReviewCounts,
        ReviewError,
        Suggestion,
        apply_edits,
        corrected_csv,
        fill_managers,
        tidy_emails,
    )
    from onboarding.review import review as review_table
    from onboarding.review import suggestions as email_suggestions
    from onboarding.segment_rows import route_segments
    from onboarding.service import ManagerCheck, Onboarding
    from onboarding.settings import Settings, default_data_dir, load_settings, saved_blueprint
    from onboarding.webhook import MIN_SECRET_LENGTH as WEBHOOK_MIN_SECRET_LENGTH
    from onboarding.webhook import DeliveryReport, idempotency_key
    from onboarding.workflow.aftercare import JoinReport, RepairReport
    from onboarding.workflow.audit import ClientAudit, Difference
    from onboarding.workflow.context import ClientLike, ManagerDecision
    from onboarding.workflow.engine import ALREADY_KEY as RUN_ALREADY_ONBOARDED
    from onboarding.workflow.plan import STEPS, BatchPlan, ClientPlan
    from onboarding.workflow.reassign import change_lines
    from onboarding.workflow.status import (
        TO_ONBOARD,
        Action,
        ClientState,
        ClientStatus,
        Outcome,
        RunStatus,
        Step,
        is_final,
    )
