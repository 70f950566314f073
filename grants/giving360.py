"""The grants in the 360Giving Data Standard (JSON): every grant for staff, a donor's funded grants.

A package is a dict of plain values (amounts as `Decimal`, to the cent); `json_bytes()` turns it into
JSON, amounts becoming numbers only there. `validator()` checks a package against the 360Giving
package and grant schemas copied into `grants/standards/360giving/`, the package schema's remote
`$ref` resolved to the local grant schema (no network).

Identifiers:
- a grant: `360G-joinforces-<application reference>`;
- the funder: `360G-joinforces` (the fund has no registered number in the settings);
- the recipient, the collective's lead member organisation: `FR-RCS-<SIREN>` when its identifier is a
  SIREN. FR-RCS is the org-id.guide list of French registered companies (Registre du commerce et
  des sociétés), whose identifiers are SIREN numbers, and the scheme other open-data standards use
  for a SIREN; an association with a SIREN is not in the RCS, but its SIREN is still the number
  that identifies it in the INSEE's SIRENE register, and org-id.guide has no other list keyed by
  SIREN. An RNA number (an association's registration at the préfecture) has no org-id list: the
  recipient then gets a `360G-joinforces-org-<reference>-<member pk>` identifier, as does a
  member with no number.
"""

import json
from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch, Sum
from django.utils import timezone

from applications.identifiers import is_siren, normalise_identifier
from applications.models import MemberOrganisation, MemberRole, Programme

from .models import AllocationPart, Grant

STANDARD_DIR = Path(__file__).resolve().parent / "standards" / "360giving"
PACKAGE_SCHEMA_PATH = STANDARD_DIR / "360-giving-package-schema.json"
GRANT_SCHEMA_PATH = STANDARD_DIR / "360-giving-schema.json"

PREFIX = "360G-joinforces"
SIREN_SCHEME = "FR-RCS"
STANDARD_VERSION = "1.4"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
THEMES_VOCABULARY = f"{PREFIX}-themes"
# The member who stands for the collective, by the kind of collective: its lead, the absorbing
# organisation of a merger, the one taking over, the network's head.
LEAD_ROLES = (MemberRole.LEAD, MemberRole.ABSORBING, MemberRole.TAKING_OVER, MemberRole.HEAD)
CENT = Decimal("0.01")


# --- The grants -----------------------------------------------------------------------------------


def export_queryset(grants=None):
    """The grants with everything a record reads, in a fixed number of queries."""
    grants = Grant.objects.all() if grants is None else grants
    return (
        grants.select_related("application__call", "decision")
        .prefetch_related(
            "application__themes",
            Prefetch("application__members", queryset=MemberOrganisation.objects.order_by("position", "pk")),
            Prefetch("application__programmes",
                     queryset=Programme.objects.prefetch_related("territories__region")),
        )
        .order_by("application__reference", "pk")
    )


def grants_funded_by(donor):
    """The grants the donor funded: its donations' attributions to the grant's entries add up to
    more than zero (an allocation reversed in full does not count)."""
    funded = (
        AllocationPart.objects.filter(donation__donor=donor)
        .values("allocation__grant_id")
        .annotate(net=Sum("amount"))
        .filter(net__gt=0)
        .values("allocation__grant_id")
    )
    return Grant.objects.filter(pk__in=funded)


def grant_id(grant) -> str:
    return f"{PREFIX}-{grant.application.reference}"


def lead_member(application):
    members = list(application.members.all())
    for member in members:
        if member.role in LEAD_ROLES:
            return member
    return members[0] if members else None


def organisation_id(application, member) -> str:
    if member is None:
        return f"{PREFIX}-org-{application.reference}"
    identifier = normalise_identifier(member.identifier)
    if is_siren(identifier):
        return f"{SIREN_SCHEME}-{identifier}"
    return f"{PREFIX}-org-{application.reference}-{member.pk}"


def _end_date(start, years):
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28)
    return anniversary - timedelta(days=1)


def _locations(application):
    """The régions where the collective acts (a département counts for its région), by INSEE code."""
    seen = {}
    for programme in application.programmes.all():
        for territory in programme.territories.all():
            place = territory.region if territory.kind != territory.Kind.REGION and territory.region else territory
            seen.setdefault(place.code, place)
    locations = []
    for place in sorted(seen.values(), key=lambda p: p.code):
        location = {"name": place.name, "countryCode": "FR", "geoCode": place.insee_code}
        if place.kind == place.Kind.REGION:
            location["geoCodeType"] = "RGN"
        locations.append(location)
    return locations


def grant_record(grant) -> dict:
    """One grant in the 360Giving grant schema's terms (fields it defines only)."""
    application = grant.application
    call = application.call
    member = lead_member(application)
    recipient = {"id": organisation_id(application, member),
                 "name": member.name if member else application.name}
    issuer = settings.TAX_RECEIPT_ISSUER
    funder = {"id": PREFIX, "name": issuer["name"]}
    if issuer.get("address"):
        funder["streetAddress"] = issuer["address"]
        funder["addressCountry"] = "France"
    published = grant.decision.published_at or grant.created_at
    record = {
        "id": grant_id(grant),
        "title": application.name,
        "description": application.summary or application.name,
        "currency": "EUR",
        "amountAwarded": Decimal(grant.total_amount).quantize(CENT),
        "awardDate": timezone.localdate(published).isoformat(),
        "plannedDates": [{
            "startDate": grant.start_date.isoformat(),
            "endDate": _end_date(grant.start_date, grant.years).isoformat(),
            "duration": grant.years * 12,
        }],
        "recipientOrganization": [recipient],
        "fundingOrganization": [funder],
        "grantProgramme": [{"code": call.slug, "title": call.title}],
        "fromOpenCall": "Yes",
    }
    themes = [{"vocabulary": THEMES_VOCABULARY, "code": theme.code, "title": theme.name_fr}
              for theme in application.themes.all()]
    if themes:
        record["classifications"] = themes
    locations = _locations(application)
    if locations:
        record["beneficiaryLocation"] = locations
    return record


def package(grants, *, publisher=None, license=DEFAULT_LICENSE) -> dict:
    """A 360Giving package of `grants` (a queryset: prefetched here). The schema wants at least one
    grant: an empty list is served as is (nothing to publish), not made up."""
    name = settings.TAX_RECEIPT_ISSUER["name"]
    return {
        "version": STANDARD_VERSION,
        "title": f"{name} — grants",
        "issued": timezone.localdate().isoformat(),
        "publisher": publisher or {"name": name, "identifier": PREFIX},
        "license": license,
        "grants": [grant_record(grant) for grant in export_queryset(grants)],
    }


# --- JSON and the schemas ---------------------------------------------------------------------------


def _plain(value):
    """Decimals become JSON numbers here only (a 2-decimal Decimal and its float print alike)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def json_bytes(data) -> bytes:
    return json.dumps(_plain(data), ensure_ascii=False, indent=2).encode("utf-8")


@cache
def _schemas():
    package_schema = json.loads(PACKAGE_SCHEMA_PATH.read_text(encoding="utf-8"))
    grant_schema = json.loads(GRANT_SCHEMA_PATH.read_text(encoding="utf-8"))
    return package_schema, grant_schema


def registry():
    """The grant schema under the URL the package schema names (1.4.2) and under its own `$id`
    (1.4.3); nothing is ever retrieved from the network."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package_schema, grant_schema = _schemas()
    # `$schema` says http://, which no specification matches: name the draft.
    grant = DRAFT202012.create_resource(grant_schema)
    urls = {package_schema["properties"]["grants"]["items"]["$ref"], grant_schema["$id"]}
    return Registry().with_resources([(url, grant) for url in sorted(urls)])


def validator():
    """A Draft 2020-12 validator of packages, with format checking (the dates' `oneOf` needs it)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schemas()[0], registry=registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)
