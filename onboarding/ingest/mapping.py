"""Automatic column mapping from header synonyms; the user can always override the result.

Headers are compared after :func:`normalize_header` (case, accents, spaces and punctuation
ignored, ``#`` read as "number"), so "E-mail address", "EMAIL ADDRESS" and "e_mail_address" match
the same synonym. Exact synonyms are tried first; a looser keyword pass then fills fields that are
still empty, so that headers such as "Primary contact e-mail (work)" are found too.
"""

from __future__ import annotations

import re
import unicodedata

from onboarding.ingest.models import CANONICAL_FIELDS, ColumnMapping, FieldName

__all__ = ["SYNONYMS", "auto_map", "field_for_header", "normalize_header"]

SYNONYMS: dict[FieldName, tuple[str, ...]] = {
    "client_id": (
        "Client ID",
        "Client #",
        "Client number",
        "Client no",
        "Client code",
        "Client ref",
        "Client reference",
        "Client key",
        "CRM ID",
        "CRM key",
        "CRM number",
        "Customer ID",
        "Customer #",
        "Customer number",
        "Customer no",
        "Customer code",
        "Account ID",
        "Account #",
        "Account number",
        "Account no",
        "Account code",
        "External ID",
        "ID",
        "Key",
        "Ref",
        "Reference",
        "Kundennummer",
        "Kunden-Nr",
        "Kundennr",
        "ID client",
        "Numéro client",
        "Code client",
        "ID cliente",
        "Código cliente",
        "Número de cliente",
    ),
    "name": (
        "Name",
        "Client name",
        "Client",
        "Company",
        "Company name",
        "Customer",
        "Customer name",
        "Account",
        "Account name",
        "Organisation",
        "Organization",
        "Organisation name",
        "Organization name",
        "Business",
        "Business name",
        "Legal name",
        "Firm",
        "Display name",
        "Firma",
        "Firmenname",
        "Unternehmen",
        "Kunde",
        "Société",
        "Raison sociale",
        "Entreprise",
        "Nom",
        "Empresa",
        "Nombre",
        "Cliente",
        "Razón social",
    ),
    "email": (
        "Email",
        "E-mail",
        "E-mail address",
        "Email address",
        "Mail",
        "Client email",
        "Client e-mail",
        "Customer email",
        "Contact email",
        "Primary email",
        "Work email",
        "Business email",
        "Email ID",
        "Courriel",
        "Adresse e-mail",
        "Correo",
        "Correo electrónico",
        "E-Mail-Adresse",
        "Mailadresse",
    ),
    "manager_email": (
        "Account manager",
        "Account manager email",
        "Account manager e-mail",
        "Manager",
        "Manager email",
        "Manager e-mail",
        "Owner",
        "Owner email",
        "Account owner",
        "Account owner email",
        "Client manager",
        "Relationship manager",
        "Key account manager",
        "Sales rep",
        "Sales rep email",
        "Assigned to",
        "Responsible",
        "Room manager",
        "Room manager email",
        "Betreuer",
        "Kundenbetreuer",
        "Responsable",
        "Gestor",
    ),
}

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_header(header: str) -> str:
    """Reduce a header to lowercase ASCII letters and digits; ``#`` counts as "number"."""
    text = unicodedata.normalize("NFKD", header.replace("#", " number "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NON_ALNUM.sub("", text.replace("ß", "ss"))


_LOOKUP: dict[str, FieldName] = {normalize_header(s): f for f in CANONICAL_FIELDS for s in SYNONYMS[f]}


def _loose_field(norm: str) -> FieldName | None:
    """Keyword guess for headers that are not an exact synonym."""
    if "mail" in norm:
        if any(k in norm for k in ("manager", "owner", "rep", "betreuer", "responsable", "gestor")):
            return "manager_email"
        return "email"
    if any(k in norm for k in ("manager", "owner")):
        return "manager_email"
    if any(k in norm for k in ("client", "customer", "account", "crm", "kunde")) and any(
        norm.endswith(k) for k in ("id", "number", "no", "nr", "code", "ref", "key")
    ):
        return "client_id"
    if any(k in norm for k in ("name", "company", "organisation", "organization")):
        return "name"
    return None


def field_for_header(header: str) -> FieldName | None:
    """The canonical field an exact synonym of ``header`` stands for, if any."""
    return _LOOKUP.get(normalize_header(header))


def auto_map(headers: list[str]) -> ColumnMapping:
    """Guess the mapping; the first matching header wins for each field.

    Exact synonyms beat keyword guesses, so "Client ID" plus "Client name" map to
    client_id and name even though both contain "client".
    """
    chosen: dict[FieldName, str] = {}
    used: set[str] = set()
    for guess in (field_for_header, lambda h: _loose_field(normalize_header(h))):
        for header in headers:
            field = guess(header)
            if field is not None and field not in chosen and header not in used:
                chosen[field] = header
                used.add(header)
    return ColumnMapping(**chosen)
