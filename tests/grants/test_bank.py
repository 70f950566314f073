"""Bank statements: French CSV exports and CAMT.053 read into lines, credits matched to donors or left
in the reconciliation queue, re-imports adding nothing, the queue worked through the admin."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from grants import banking, services
from grants.bank import BankFileError, ParsedLine, dedup_keys, parse_amount, parse_camt053, parse_csv
from grants.models import BankLine, BankLineStatus, BankStatement, Donation, Pool
from grants.services import GrantError
from joinforces.core.models import AuditEvent, Theme

from .factories import DonorFactory

DATA = Path(__file__).parent / "data"
CREDIT_COOPERATIF = (DATA / "releve_credit_cooperatif.csv").read_bytes()
BANQUE_POSTALE = (DATA / "releve_la_banque_postale.csv").read_bytes()
CAMT053 = (DATA / "camt053.xml").read_bytes()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-10-01</Dt></BookgDt>
<AddtlNtryInf>&lol2;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"""

CAMT053_V8 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>FR76 4255 9100 0008 0012 3456 789</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">2500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-10-20</Dt></BookgDt><AcctSvcrRef>E2026102000009</AcctSvcrRef>
<NtryDtls>
<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">2000.00</Amt>
<RltdPties><Dbtr><Pty><Nm>Fondation Émergences</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Ustrd>VIR SEPA DON</Ustrd></RmtInf></TxDtls>
<TxDtls><Refs><TxId>TX-77</TxId></Refs><Amt Ccy="EUR">500.00</Amt>
<RltdPties><Dbtr><Pty><Nm>M. Paul Girard</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Ustrd>VIR SEPA DON</Ustrd></RmtInf></TxDtls>
</NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">40.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
<BookgDt><Dt>2026-10-21</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>""".encode()


def csv_file(*rows: str, header="Date;Libellé;Montant;Référence;Tiers") -> bytes:
    return "\r\n".join([header, *rows, ""]).encode("utf-8")


# --- Parsing ----------------------------------------------------------------------------------------


def test_a_credit_cooperatif_export_is_read_past_its_title_lines():
    lines = parse_csv(CREDIT_COOPERATIF, "credit_cooperatif")
    assert [(line.booked_on, line.amount, line.transaction_id) for line in lines] == [
        (date(2026, 10, 1), Decimal("25000.00"), "CC26100100012"),
        (date(2026, 10, 5), Decimal("-23.99"), "CC26100500004"),
        (date(2026, 10, 12), Decimal("12500.00"), "CC26101200007"),
        (date(2026, 10, 15), Decimal("150.00"), "CC26101500021"),
        (date(2026, 10, 20), Decimal("-8.50"), "CC26102000001"),
    ]
    assert lines[0].label == "VIR SEPA FONDATION DU LIEN SOCIAL DON 2026 JOIN FORCES"
    assert lines[0].counterparty == "FONDATION DU LIEN SOCIAL"
    assert lines[2].label == "VIR SEPA MECENAT ENTREPRISES SOLIDAIRES ET TERRITOIRES; DON ANNUEL"  # quoted `;`


def test_a_la_banque_postale_export_in_windows_1252_with_credit_and_debit_columns():
    lines = parse_csv(BANQUE_POSTALE, "la_banque_postale")
    assert [(line.booked_on, line.amount) for line in lines] == [
        (date(2026, 10, 3), Decimal("10000.00")),
        (date(2026, 10, 8), Decimal("50.00")),
        (date(2026, 10, 8), Decimal("50.00")),
        (date(2026, 10, 14), Decimal("-64.20")),
        (date(2026, 10, 21), Decimal("1250.00")),
    ]
    assert lines[3].label == "PRELEVEMENT DE EDF CLIENTS PARTICULIERS ÉCHÉANCE 10/2026"
    assert lines[4].label == "VIREMENT DE ASSOCIATION LES AMIS DE L'ÉCOLE DE SAINT-DENIS"
    assert all(line.transaction_id == "" for line in lines)


@pytest.mark.parametrize(("text", "expected"), [
    ("1 234,56", "1234.56"), ("-12,00", "-12.00"), ("1.234,56", "1234.56"), ("1\u202f234,56", "1234.56"),
    ("1\u00a0234,56", "1234.56"), ("+50", "50.00"), ("12,5", "12.50"), ("1234.56", "1234.56"), ("1.234", "1234.00"),
    ("12,00-", "-12.00"), ("1 000 000,00 €", "1000000.00"),
])
def test_french_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1,2,3", "--5", "1e3"])
def test_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_a_camt053_statement():
    lines = parse_camt053(CAMT053)
    assert [(line.booked_on, line.amount, line.transaction_id) for line in lines] == [
        (date(2026, 10, 2), Decimal("5000.00"), "T26100200001"),
        (date(2026, 10, 6), Decimal("-1200.00"), "T26100600007"),
        (date(2026, 10, 9), Decimal("300.00"), "2026100900003"),  # NOTPROVIDED: the entry's reference
        (date(2026, 10, 15), Decimal("75.50"), "DON-MENSUEL-LEROY"),  # DtTm; the payer's id only
    ]  # the pending entry is not on the account yet
    first = lines[0]
    assert first.account == "FR7642559100000800123456789"
    assert first.label == "VIR SEPA DON FONDATION AGIR ENSEMBLE SOUTIEN JOIN FORCES 2026"
    assert (first.counterparty, first.counterparty_account) == ("FONDATION AGIR ENSEMBLE",
                                                                "FR7630004000031234567890143")
    assert lines[1].counterparty == "CABINET MEDIATION ET TERRITOIRES"
    assert [line.id_unique for line in lines] == [True, True, True, False]


def test_a_later_camt053_version_and_a_batch_entry_split_into_its_transactions():
    lines = parse_camt053(CAMT053_V8)
    assert [(line.amount, line.counterparty, line.transaction_id) for line in lines] == [
        (Decimal("2000.00"), "Fondation Émergences", "E2026102000009#1"),
        (Decimal("500.00"), "M. Paul Girard", "TX-77"),
    ]
    assert lines[0].account == "FR7642559100000800123456789"


def test_lines_are_identified_by_the_bank_id_else_by_a_hash_with_their_rank_within_the_day():
    keys = dedup_keys(parse_csv(CREDIT_COOPERATIF, "credit_cooperatif"))
    assert keys[0] == "tx:CC26100100012"
    postale = dedup_keys(parse_csv(BANQUE_POSTALE, "la_banque_postale"))
    assert all(key.startswith("h:") for key in postale)
    assert len(set(postale)) == 5  # the two identical transfers of 8 October are two lines
    assert postale == dedup_keys(parse_csv(BANQUE_POSTALE, "la_banque_postale"))
    # A payer's id (end-to-end) sent every month never makes two months one line.
    monthly = [ParsedLine("DON-MENSUEL", "FR76", date(2026, month, 15), Decimal("20.00"), "DON", id_unique=False)
               for month in (9, 10)]
    first, second = dedup_keys(monthly)
    assert first != second and first.startswith("h:")


@pytest.mark.parametrize(("data", "line", "value"), [
    (csv_file("31/02/2026;VIR SEPA DON;10,00;R1;X"), 2, "31/02/2026"),
    (csv_file("01/10/2026;VIR SEPA DON;10,00;R1;X", "2026-10-02;VIR SEPA DON;10,00;R2;X"), 3, "2026-10-02"),
    (csv_file("01/10/2026;VIR SEPA DON;dix euros;R1;X"), 2, "dix euros"),
])
def test_a_bad_csv_line_is_refused_with_its_number(data, line, value):
    with pytest.raises(BankFileError) as refused:
        parse_csv(data, "credit_cooperatif")
    assert refused.value.line == line
    assert value in refused.value.message and str(line) in refused.value.message


def test_a_csv_without_the_bank_columns_or_of_an_unknown_bank_is_refused():
    with pytest.raises(BankFileError):
        parse_csv(csv_file("01/10/2026;DON;10,00", header="Jour;Texte;Somme"), "credit_cooperatif")
    with pytest.raises(BankFileError) as refused:
        parse_csv(CREDIT_COOPERATIF, "banque_inconnue")
    assert "banque_inconnue" in refused.value.message


@pytest.mark.parametrize("data", [
    BILLION_LAUGHS, b"<Document><BkToCstmrStmt>", b"<html><body>Relev\xc3\xa9</body></html>",
    CAMT053.replace(b'Ccy="EUR">5000.00', b'Ccy="USD">5000.00'),
])
def test_a_dangerous_or_wrong_xml_file_is_refused(data):
    with pytest.raises(BankFileError):
        parse_camt053(data)


# --- Import ------------------------------------------------------------------------------------------


@pytest.fixture
def donors(db):
    return {
        "lien": DonorFactory(name="Fondation du Lien Social", bank_label_keywords=["Lien social"]),
        "entreprises": DonorFactory(name="Entreprises solidaires et territoires", kind="company",
                                    bank_label_keywords=["solidaires et territoires"]),
        "agir": DonorFactory(name="Fondation Agir Ensemble", bank_accounts=["FR76 3000 4000 0312 3456 7890 143"]),
        "martin": DonorFactory(name="Jean Martin", kind="person", public=False, consent_recorded_at=None,
                               bank_label_keywords=["Jean Martin"]),
        "ecole": DonorFactory(name="Les amis de l’école", kind="organisation",
                              bank_label_keywords=["amis de l’école"]),
    }


def import_file(data, staff, format="csv", bank="credit_cooperatif", name="releve.csv"):
    return banking.bank_statement_import(file=ContentFile(data, name=name), format=format, bank=bank, actor=staff)


def test_an_import_records_the_recognised_credits_as_donations_and_queues_the_others(staff, donors):
    statement = import_file(CREDIT_COOPERATIF, staff)
    assert (statement.lines_read, statement.lines_new) == (5, 5)
    assert statement.file.read() == CREDIT_COOPERATIF
    statuses = dict(BankLine.objects.values_list("transaction_id", "status"))
    assert statuses == {"CC26100100012": BankLineStatus.MATCHED, "CC26100500004": BankLineStatus.IGNORED,
                        "CC26101200007": BankLineStatus.MATCHED, "CC26101500021": BankLineStatus.UNMATCHED,
                        "CC26102000001": BankLineStatus.IGNORED}
    lien = BankLine.objects.get(transaction_id="CC26100100012")
    assert lien.donor == donors["lien"] and lien.donation.donor == donors["lien"]
    assert lien.donation.amount == Decimal("25000.00") and lien.donation.received_on == date(2026, 10, 1)
    assert "CC26100100012" in lien.donation.reference
    assert BankLine.objects.get(transaction_id="CC26101200007").donor == donors["entreprises"]
    assert Pool.current().balance == Decimal("37500.00")
    event = AuditEvent.objects.get(action="grants.bank_statement_imported")
    assert event.after["matched"] == 2 and event.after["unmatched"] == 1 and event.after["ignored"] == 2
    assert services.ledger_differences() == []


def test_a_re_import_adds_nothing(staff, donors):
    import_file(CREDIT_COOPERATIF, staff)
    before = (list(BankLine.objects.order_by("pk").values_list("pk", "status", "donation")),
              list(Donation.objects.order_by("pk").values_list("pk", "amount")), Pool.current().balance)
    again = import_file(CREDIT_COOPERATIF, staff)
    assert (again.lines_read, again.lines_new) == (5, 0)
    assert not again.lines.exists()
    assert (list(BankLine.objects.order_by("pk").values_list("pk", "status", "donation")),
            list(Donation.objects.order_by("pk").values_list("pk", "amount")), Pool.current().balance) == before


def test_two_identical_transfers_on_the_same_day_are_two_lines_and_two_donations(staff, donors):
    import_file(BANQUE_POSTALE, staff, bank="la_banque_postale")
    martin = BankLine.objects.filter(label="VIR SEPA M JEAN MARTIN DON JOIN FORCES")
    assert martin.count() == 2
    assert Donation.objects.filter(donor=donors["martin"]).count() == 2
    # accents and apostrophes aside: “amis de l’école” is found in “AMIS DE L'ÉCOLE”
    assert BankLine.objects.get(amount=Decimal("1250.00")).donor == donors["ecole"]
    assert import_file(BANQUE_POSTALE, staff, bank="la_banque_postale").lines_new == 0
    assert BankLine.objects.count() == 5 and Donation.objects.count() == 4


def test_a_camt053_import_recognises_a_donor_by_its_account(staff, donors):
    statement = import_file(CAMT053, staff, format="camt053", bank="", name="camt053.xml")
    assert statement.lines_new == 4
    agir = BankLine.objects.get(transaction_id="T26100200001")
    assert agir.status == BankLineStatus.MATCHED and agir.donor == donors["agir"]
    assert BankLine.objects.get(amount=Decimal("-1200.00")).status == BankLineStatus.IGNORED
    assert set(BankLine.objects.filter(status=BankLineStatus.UNMATCHED).values_list("amount", flat=True)) == {
        Decimal("300.00"), Decimal("75.50")}


def test_a_word_shared_by_two_donors_recognises_neither(staff, donors):
    DonorFactory(name="Observatoire du lien social", bank_label_keywords=["lien social"])
    import_file(CREDIT_COOPERATIF, staff)
    assert BankLine.objects.get(transaction_id="CC26100100012").status == BankLineStatus.UNMATCHED


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"data": csv_file("31/02/2026;VIR SEPA DON;10,00;R1;X")}, "31/02/2026"),
    ({"data": CREDIT_COOPERATIF, "bank": "banque_inconnue"}, "banque_inconnue"),
    ({"data": BILLION_LAUGHS, "format": "camt053", "bank": ""}, "DTD"),
    ({"data": CREDIT_COOPERATIF, "format": "ofx"}, "ofx"),
])
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(staff, donors, kwargs, message):
    with pytest.raises(GrantError) as refused:
        import_file(**{"staff": staff, **kwargs})
    assert message in refused.value.message
    assert not BankStatement.objects.exists() and not BankLine.objects.exists() and not Donation.objects.exists()


def test_only_staff_import(applicant, donors):
    with pytest.raises(GrantError):
        import_file(CREDIT_COOPERATIF, applicant)
    assert not BankStatement.objects.exists()


# --- The reconciliation queue ----------------------------------------------------------------------------


def test_a_queued_credit_is_reconciled_into_a_donation_once(staff, donors):
    import_file(CREDIT_COOPERATIF, staff)
    line = BankLine.objects.get(status=BankLineStatus.UNMATCHED)
    donor = DonorFactory(name="Claire Dubois", kind="person")
    food = Theme.objects.get(code="food")
    pool = Pool.current().balance
    donation = banking.bank_line_reconcile(line=line, donor=donor, actor=staff, themes=[food])
    line.refresh_from_db()
    assert (line.status, line.donor, line.donation, line.reconciled_by) == (BankLineStatus.MATCHED, donor, donation,
                                                                            staff)
    assert donation.amount == Decimal("150.00") and donation.received_on == date(2026, 10, 15)
    assert donation.restricted and list(donation.themes.all()) == [food]
    assert Pool.current().balance == pool + Decimal("150.00")
    assert services.ledger_differences() == []
    assert AuditEvent.objects.filter(action="grants.bank_line_reconciled", target_id=str(line.pk)).exists()
    with pytest.raises(GrantError):
        banking.bank_line_reconcile(line=line, donor=donor, actor=staff)
    with pytest.raises(GrantError):
        banking.bank_line_ignore(line=line, actor=staff, reason="Erreur")
    assert Donation.objects.filter(donor=donor).count() == 1


def test_a_debit_is_never_a_donation(staff, donors):
    import_file(CREDIT_COOPERATIF, staff)
    debit = BankLine.objects.filter(amount__lt=0).first()
    with pytest.raises(GrantError):
        banking.bank_line_reconcile(line=debit, donor=donors["lien"], actor=staff)
    assert not Donation.objects.filter(bank_line=debit).exists()


def test_a_pledge_of_another_donor_is_refused(staff, donors):
    import_file(CREDIT_COOPERATIF, staff)
    line = BankLine.objects.get(status=BankLineStatus.UNMATCHED)
    pledge = services.pledge_record(donor=donors["lien"], amount="1000.00", pledged_on=date(2026, 1, 5), actor=staff)
    with pytest.raises(GrantError):
        banking.bank_line_reconcile(line=line, donor=donors["martin"], actor=staff, pledge=pledge)
    line.refresh_from_db()
    assert line.status == BankLineStatus.UNMATCHED


def test_a_line_that_is_not_a_donation_is_set_aside_with_a_reason(staff, donors):
    import_file(CREDIT_COOPERATIF, staff)
    line = BankLine.objects.get(status=BankLineStatus.UNMATCHED)
    with pytest.raises(GrantError):
        banking.bank_line_ignore(line=line, actor=staff, reason="  ")
    banking.bank_line_ignore(line=line, actor=staff, reason="Remboursement d’un trop-perçu")
    line.refresh_from_db()
    assert line.status == BankLineStatus.IGNORED
    event = AuditEvent.objects.get(action="grants.bank_line_ignored")
    assert event.after["reason"] == "Remboursement d’un trop-perçu"
    with pytest.raises(GrantError):
        banking.bank_line_ignore(line=line, actor=staff, reason="Encore")
    # set aside by mistake: it can still be recorded as a donation
    banking.bank_line_reconcile(line=line, donor=donors["lien"], actor=staff)
    line.refresh_from_db()
    assert line.status == BankLineStatus.MATCHED


# --- The admin ------------------------------------------------------------------------------------------


def upload(client, data, name="releve.csv", format="csv", bank="credit_cooperatif"):
    return client.post("/admin/grants/bankstatement/add/", {
        "file": SimpleUploadedFile(name, data, content_type="text/csv"), "format": format, "bank": bank})


def test_staff_import_a_statement_through_the_admin_and_land_on_the_queue(staff_client, donors):
    assert staff_client.get("/admin/grants/bankstatement/add/").status_code == 200
    response = upload(staff_client, CREDIT_COOPERATIF)
    assert response.status_code == 302, response.content.decode()[:3000]
    statement = BankStatement.objects.get()
    assert "status__exact=unmatched" in response["Location"] and f"statement__exact={statement.pk}" in response[
        "Location"]
    assert BankLine.objects.count() == 5 and Donation.objects.count() == 2
    queue = staff_client.get(response["Location"])
    assert queue.status_code == 200
    assert "VIR SEPA MME CLAIRE DUBOIS DON" in queue.content.decode()
    assert "FONDATION DU LIEN SOCIAL DON" not in queue.content.decode()
    listing = staff_client.get("/admin/grants/bankstatement/")
    assert listing.status_code == 200
    assert staff_client.get(f"/admin/grants/bankstatement/{statement.pk}/change/").status_code == 200
    line = BankLine.objects.first()
    assert staff_client.get(f"/admin/grants/bankline/{line.pk}/change/").status_code == 200
    camt = upload(staff_client, CAMT053, name="camt053.xml", format="camt053", bank="")
    assert camt.status_code == 302 and BankStatement.objects.count() == 2


@pytest.mark.parametrize(("kwargs", "shown"), [
    ({"data": csv_file("31/02/2026;VIR SEPA DON;10,00;R1;X")}, "31/02/2026"),
    ({"data": CREDIT_COOPERATIF, "name": "releve.xml", "format": "camt053", "bank": ""}, ".xml"),
    ({"data": CREDIT_COOPERATIF, "bank": ""}, 'id="id_bank_error'),
    ({"data": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "name": "releve.csv"}, "CSV"),
    ({"data": BILLION_LAUGHS, "name": "camt.xml", "format": "camt053", "bank": ""}, "DTD"),
])
def test_a_refused_upload_is_shown_on_the_form_and_records_nothing(staff_client, donors, kwargs, shown):
    response = upload(staff_client, **kwargs)
    assert response.status_code == 200
    assert shown in response.content.decode()
    assert not BankStatement.objects.exists() and not BankLine.objects.exists()


def test_the_queue_actions_record_a_donation_and_set_a_line_aside(staff, staff_client, donors):
    import_file(BANQUE_POSTALE, staff, bank="la_banque_postale")
    import_file(CREDIT_COOPERATIF, staff)
    dubois = BankLine.objects.get(transaction_id="CC26101500021")
    donor = DonorFactory(name="Claire Dubois", kind="person")
    changelist = "/admin/grants/bankline/"
    page = staff_client.post(changelist, {"action": "record_donation", "_selected_action": [dubois.pk], "index": 0})
    assert page.status_code == 200 and "VIR SEPA MME CLAIRE DUBOIS DON" in page.content.decode()
    refused = staff_client.post(changelist, {"action": "record_donation", "_selected_action": [dubois.pk],
                                             "apply": "1", "donor": ""})
    assert refused.status_code == 200 and not Donation.objects.filter(donor=donor).exists()
    done = staff_client.post(changelist, {"action": "record_donation", "_selected_action": [dubois.pk],
                                          "apply": "1", "donor": donor.pk})
    assert done.status_code == 302
    dubois.refresh_from_db()
    assert dubois.status == BankLineStatus.MATCHED and dubois.donation.donor == donor
    assert services.ledger_differences() == []

    edf = BankLine.objects.get(amount=Decimal("-64.20"))
    refund = BankLine.objects.create(statement=edf.statement, dedup_key="tx:TEST-1", booked_on=date(2026, 10, 30),
                                           amount=Decimal("12.00"), label="REMBOURSEMENT FRAIS")
    page = staff_client.post(changelist, {"action": "set_aside", "_selected_action": [refund.pk], "index": 0})
    assert page.status_code == 200
    done = staff_client.post(changelist, {"action": "set_aside", "_selected_action": [refund.pk], "apply": "1",
                                          "reason": "Remboursement de frais avancés"})
    assert done.status_code == 302
    refund.refresh_from_db()
    assert refund.status == BankLineStatus.IGNORED


def test_the_queue_and_the_statements_are_for_staff_only(client, applicant_client, donor_client):
    for url in ("/admin/grants/bankline/", "/admin/grants/bankstatement/", "/admin/grants/bankstatement/add/"):
        for visitor in (client, applicant_client, donor_client):
            response = visitor.get(url)
            assert response.status_code == 302 and "/login/" in response["Location"], (url, response.status_code)
    assert upload(applicant_client, CREDIT_COOPERATIF).status_code == 302
    assert not BankStatement.objects.exists()


def test_the_queue_costs_the_same_queries_for_5_and_for_50_lines(staff, staff_client, donors,
                                                                 django_assert_max_num_queries):
    import_file(CREDIT_COOPERATIF, staff)

    def more(count):
        statement = BankStatement.objects.first()
        BankLine.objects.bulk_create([
            BankLine(statement=statement, dedup_key=f"tx:MORE-{count}-{n}", booked_on=date(2026, 10, 1),
                     amount=Decimal("10.00"), label=f"VIR SEPA DON {n}") for n in range(count)])

    with django_assert_max_num_queries(20) as few:
        assert staff_client.get("/admin/grants/bankline/").status_code == 200
    more(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get("/admin/grants/bankline/").status_code == 200
    with django_assert_max_num_queries(20):
        assert staff_client.get("/admin/grants/bankstatement/").status_code == 200
