"""The 360Giving export: valid against the standard's package and grant schemas (copied into the
project, resolved offline), its amounts, dates and identifiers, a donor's funded grants only, the
staff and donor downloads, a fixed number of queries."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Integration, LegalForm, MemberOrganisation, MemberRole, Programme
from grants import giving360, services
from grants.models import DonorContact, Grant
from joinforces.core.models import Territory
from tests.conftest import require

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db

D = Decimal
REFERENCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "360giving"
FILES = ("360-giving-package-schema.json", "360-giving-schema.json", "SOURCE.md")
SIREN = "552032534"
RNA = "W751234567"
URL = reverse("grants:export_360giving")


def collective(name, *, identifier, amount_per_year="30000.00", years=3, themes=("food",), territories=("59",),
               start=None):
    grant = grant_for(amount_per_year=amount_per_year, years=years, themes=themes)
    application = grant.application
    application.name, application.summary = name, f"Ce que fait {name}."
    application.save(update_fields=["name", "summary"])
    MemberOrganisation.objects.create(application=application, position=1, name="Un membre", role=MemberRole.MEMBER,
                                      legal_form=LegalForm.ASSOCIATION, non_profit=True, identifier=SIREN)
    MemberOrganisation.objects.create(application=application, position=0, name=f"Tête de {name}",
                                      role=MemberRole.LEAD, legal_form=LegalForm.ASSOCIATION, non_profit=True,
                                      identifier=identifier)
    programme = Programme.objects.create(application=application, title="Programme", integration=Integration.JOINT)
    programme.territories.set(Territory.objects.filter(code__in=territories))
    if start:
        Grant.objects.filter(pk=grant.pk).update(start_date=start)
        grant.refresh_from_db()
    return grant


def exported(grants=None, **kwargs):
    """The package as a consumer reads it: through JSON (numbers parsed as Decimal, to compare)."""
    data = giving360.package(Grant.objects.all() if grants is None else grants, **kwargs)
    return json.loads(giving360.json_bytes(data), parse_float=Decimal)


def valid(data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in giving360.validator().iter_errors(json.loads(json.dumps(data, default=float)))]


# --- The schemas ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_the_standard_files_are_exact_copies_of_the_reference(name):
    require((REFERENCE_DIR / name).exists(), f"the reference 360Giving files are not in {REFERENCE_DIR}")
    assert (giving360.STANDARD_DIR / name).read_bytes() == (REFERENCE_DIR / name).read_bytes()


def test_the_validator_resolves_the_grant_schema_offline_and_checks_formats():
    validator = giving360.validator()
    grants_ref = validator.schema["properties"]["grants"]["items"]["$ref"]
    assert "1.4.2" in grants_ref  # the package names 1.4.2: the local 1.4.3 copy stands for it
    assert giving360.registry()[grants_ref].contents["$id"].endswith("1.4.3/schema/360-giving-schema.json")
    assert validator.format_checker is not None
    # A grant with no recipient fails the grant schema, so the `$ref` really is followed.
    errors = list(validator.iter_errors({"grants": [{"id": "x"}]}))
    assert errors


# --- The package -------------------------------------------------------------------------------------


def test_a_package_of_grants_validates_against_the_360giving_schemas():
    collective("Collectif Siren", identifier=SIREN, territories=("59", "62", "R76"))
    collective("Collectif Rna", identifier=RNA, themes=("food", "housing"), territories=())
    collective("Collectif Sans Numéro", identifier="", years=1)
    data = exported()
    assert len(data["grants"]) == 3
    assert valid(data) == []
    assert data["license"].startswith("https://") and data["publisher"]["name"] == "JOIN FORCES"
    assert data["version"] == "1.4" and data["issued"] == timezone.localdate().isoformat()


def test_an_invalid_record_is_caught():
    collective("Collectif", identifier=SIREN)
    data = exported()
    data["grants"][0]["amountAwarded"] = "90000.00"
    data["grants"][0]["awardDate"] = "31/01/2026"
    errors = valid(data)
    assert any("amountAwarded" in e for e in errors) and any("awardDate" in e for e in errors)


def test_amounts_and_dates():
    published = timezone.make_aware(timezone.datetime(2026, 3, 14, 23, 30))
    grant = grant_for(amount_per_year="12345.67", years=3, published_at=published)
    Grant.objects.filter(pk=grant.pk).update(start_date=date(2026, 4, 1))
    record = exported()["grants"][0]
    assert record["amountAwarded"] == D("37037.01") == grant.total_amount
    assert record["currency"] == "EUR"
    assert record["awardDate"] == "2026-03-14"
    assert record["plannedDates"] == [{"startDate": "2026-04-01", "endDate": "2029-03-31", "duration": 36}]
    assert b'"amountAwarded": 37037.01' in giving360.json_bytes(giving360.package(Grant.objects.all()))


def test_a_leap_day_start_ends_the_day_before_its_anniversary():
    collective("Collectif", identifier=SIREN, years=1, start=date(2028, 2, 29))
    assert exported()["grants"][0]["plannedDates"][0]["endDate"] == "2029-02-27"


def test_identifiers_are_siren_based_or_360g_prefixed():
    with_siren = collective("Collectif Siren", identifier="552 032 534")
    with_rna = collective("Collectif Rna", identifier=RNA)
    records = {r["title"]: r for r in exported()["grants"]}
    siren_record, rna_record = records["Collectif Siren"], records["Collectif Rna"]
    assert siren_record["id"] == f"360G-joinforces-{with_siren.application.reference}"
    assert siren_record["recipientOrganization"] == [{"id": f"FR-RCS-{SIREN}", "name": "Tête de Collectif Siren"}]
    lead = with_rna.application.members.get(role=MemberRole.LEAD)
    assert rna_record["recipientOrganization"][0]["id"] == (
        f"360G-joinforces-org-{with_rna.application.reference}-{lead.pk}")
    assert rna_record["fundingOrganization"][0]["id"] == "360G-joinforces"
    assert rna_record["fundingOrganization"][0]["name"] == "JOIN FORCES"
    assert all(r["id"].startswith("360G-") for r in records.values())


def test_programme_themes_and_regions():
    grant = collective("Collectif", identifier=SIREN, themes=("food",), territories=("59", "62", "R76"))
    record = exported()["grants"][0]
    call = grant.application.call
    assert record["grantProgramme"] == [{"code": call.slug, "title": call.title}]
    assert record["description"] == "Ce que fait Collectif."
    assert [c["code"] for c in record["classifications"]] == ["food"]
    assert all(c["vocabulary"] == "360G-joinforces-themes" and c["title"] for c in record["classifications"])
    hauts_de_france = Territory.objects.get(code="59").region
    occitanie = Territory.objects.get(code="R76")
    assert record["beneficiaryLocation"] == [
        {"name": region.name, "countryCode": "FR", "geoCode": region.insee_code, "geoCodeType": "RGN"}
        for region in sorted([hauts_de_france, occitanie], key=lambda r: r.code)
    ]


def test_the_export_takes_a_fixed_number_of_queries():
    for n in range(2):
        collective(f"Petit {n}", identifier=SIREN if n % 2 else RNA, territories=("59", "R76"))
    with CaptureQueriesContext(connection) as few:
        assert len(giving360.package(Grant.objects.all())["grants"]) == 2
    for n in range(8):
        collective(f"Grand {n}", identifier=SIREN if n % 2 else RNA, territories=("31", "62"))
    with CaptureQueriesContext(connection) as many:
        assert len(giving360.package(Grant.objects.all())["grants"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


# --- A donor's grants -------------------------------------------------------------------------------


@pytest.fixture
def funding(staff):
    """A donor whose money went to `kept` and to `reversed` (then reversed), another donor's to `other`."""
    donor, neighbour = DonorFactory(name="Fondation A"), DonorFactory(name="Fondation B")
    kept = collective("Gardé", identifier=SIREN, amount_per_year="1000.00", years=1)
    reversed_ = collective("Annulé", identifier=RNA, amount_per_year="1000.00", years=1)
    other = collective("Autre", identifier=SIREN, amount_per_year="1000.00", years=1)
    receive(neighbour, "1000.00", staff=staff)
    services.ledger_allocate(tranche=other.tranches.first(), actor=staff)
    receive(donor, "2000.00", staff=staff)
    services.ledger_allocate(tranche=kept.tranches.first(), actor=staff)
    entry = services.ledger_allocate(tranche=reversed_.tranches.first(), actor=staff)
    services.ledger_reverse(entry=entry, actor=staff, reason="Erreur de saisie")
    return donor, neighbour, kept, reversed_, other


def test_a_donors_export_holds_only_the_grants_it_funded(funding):
    donor, neighbour, kept, reversed_, other = funding
    assert reversed_.allocations.filter(parts__donation__donor=donor).count() == 2  # allocated, then reversed
    assert list(giving360.grants_funded_by(donor)) == [kept]
    assert list(giving360.grants_funded_by(neighbour)) == [other]
    data = exported(giving360.grants_funded_by(donor))
    assert [g["id"] for g in data["grants"]] == [giving360.grant_id(kept)]
    assert valid(data) == []


# --- The downloads -------------------------------------------------------------------------------------


def test_staff_download_all_grants(staff_client):
    collective("Collectif", identifier=SIREN)
    collective("Autre", identifier=RNA)
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="joinforces-360giving-')
    data = json.loads(response.content)
    assert len(data["grants"]) == 2 and valid(data) == []


def test_others_cannot_download_all_grants(client, applicant_client, donor_client):
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert applicant_client.get(URL).status_code == 403
    assert donor_client.get(URL).status_code == 403


def _donor_url(donor):
    return reverse("grants:donor_export_360giving", args=[donor.pk])


def test_a_donor_contact_downloads_its_funded_grants(funding, donor, donor_client):
    own, _neighbour, kept, _reversed, _other = funding
    DonorContact.objects.create(donor=own, user=donor)
    response = donor_client.get(_donor_url(own))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert [g["id"] for g in data["grants"]] == [giving360.grant_id(kept)]


def test_the_donor_download_is_only_for_the_donors_contacts(funding, client, applicant_client, donor,
                                                             donor_client):
    own, neighbour, *_rest = funding
    DonorContact.objects.create(donor=own, user=donor)
    assert client.get(_donor_url(own)).status_code == 302
    assert applicant_client.get(_donor_url(own)).status_code == 404
    assert donor_client.get(_donor_url(neighbour)).status_code == 404
