"""Bank statements: import, automatic matching of credits to donors, and the reconciliation queue.

    statement = bank_statement_import(file=upload, format="csv", bank="credit_cooperatif", actor=user)
    donation = bank_line_reconcile(line=line, donor=donor, actor=user)
    bank_line_ignore(line=line, actor=user, reason="Remboursement de frais")

The file is read whole before anything is written: a bad file raises `GrantError` and changes
nothing. Each line has an identity (`grants.bank.dedup_keys`) held unique by the database, so a
re-import adds nothing. Imports take the pool's row lock first and so run one after the other, like
every other ledger write: two imports of the same file at once create each line, and each donation,
once (the unique identity, inserted in a savepoint, is the last guard).
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from joinforces.core.services import audit
from joinforces.core.uploads import safe_name

from . import services
from .bank import BankFileError, ParsedLine, dedup_keys, fold, iban, parse_camt053, parse_csv
from .models import BankLine, BankLineStatus, BankStatement, Donation, Donor
from .services import GrantError, lock_pool, require_staff


def _read(file) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data:
        raise GrantError(_("The submitted file is empty."))
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise GrantError(_("This file is too large for a bank statement."))
    return data


def bank_statement_parse(*, data: bytes, format: str, bank: str = "") -> list[ParsedLine]:
    """The lines of a statement file, or GrantError with the reason (and the line) in words."""
    try:
        if format == BankStatement.Format.CSV:
            return parse_csv(data, bank)
        if format == BankStatement.Format.CAMT053:
            return parse_camt053(data)
    except BankFileError as error:
        raise GrantError(error.message) from None
    raise GrantError(_("Unknown statement format “%(format)s”.") % {"format": format})


# --- Recognising donors ----------------------------------------------------------------------------


class DonorMatcher:
    """Donors by the accounts and the words of the bank label they are known by (loaded once)."""

    def __init__(self):
        self.by_account: dict[str, set[int]] = {}
        self.keywords: list[tuple[str, int]] = []
        for pk, accounts, words in Donor.objects.values_list("pk", "bank_accounts", "bank_label_keywords"):
            for account in accounts if isinstance(accounts, list) else []:
                if iban(account):
                    self.by_account.setdefault(iban(account), set()).add(pk)
            for word in words if isinstance(words, list) else []:
                if fold(word):
                    self.keywords.append((fold(word), pk))

    def donor_id(self, line: ParsedLine) -> int | None:
        """The one donor the line's counterparty account names, else the one donor one of whose words
        is in its label or counterparty (whole words, case and accents aside); None when none or
        several match."""
        by_account = self.by_account.get(iban(line.counterparty_account), set()) if line.counterparty_account else set()
        if len(by_account) == 1:
            return next(iter(by_account))
        if by_account:
            return None
        text = f" {fold(line.label)} {fold(line.counterparty)} "
        found = {pk for word, pk in self.keywords if f" {word} " in text}
        return found.pop() if len(found) == 1 else None


def _reference(line) -> str:
    return " · ".join(part for part in (line.transaction_id, line.label) if part)[:140]


# --- Import ---------------------------------------------------------------------------------------


def _insert(statement: BankStatement, parsed: ParsedLine, key: str) -> BankLine | None:
    """The new line, or None when a line of that identity is already known."""
    if BankLine.objects.filter(dedup_key=key).exists():
        return None
    status = BankLineStatus.UNMATCHED if parsed.amount > 0 else BankLineStatus.IGNORED
    try:
        with transaction.atomic():
            return BankLine.objects.create(
                statement=statement, dedup_key=key, transaction_id=parsed.transaction_id[:100],
                account=parsed.account[:40], booked_on=parsed.booked_on, amount=parsed.amount,
                label=parsed.label[:300], counterparty=parsed.counterparty[:200],
                counterparty_account=parsed.counterparty_account[:40], status=status)
    except IntegrityError:
        return None  # imported at the same moment by someone else


def _match(line: BankLine, donor_id: int, actor) -> bool:
    """Record the credit as a donation of the donor, in a savepoint: a refusal leaves it in the queue."""
    try:
        with transaction.atomic():
            donor = Donor.objects.get(pk=donor_id)
            donation = services.donation_receive(donor=donor, amount=line.amount, received_on=line.booked_on,
                                                 actor=actor, reference=_reference(line))
            BankLine.objects.filter(pk=line.pk).update(
                status=BankLineStatus.MATCHED, donor=donor, donation=donation, reconciled_by=actor,
                reconciled_at=timezone.now())
    except (GrantError, IntegrityError):
        return False
    return True


@transaction.atomic
def bank_statement_import(*, file, format: str, bank: str = "", actor) -> BankStatement:
    """Import a statement: each line not yet known is added; a credit whose donor is recognised
    becomes a donation at once, any other credit waits in the reconciliation queue; debits are set
    aside as "not a donation". Lines already known are skipped, so a re-import adds nothing."""
    require_staff(actor)
    data = _read(file)
    lines = bank_statement_parse(data=data, format=format, bank=bank)
    keys = dedup_keys(lines)
    lock_pool()  # imports, like every ledger write, run one after the other
    name = safe_name(getattr(file, "name", "") or ("releve.xml" if format == BankStatement.Format.CAMT053
                                                    else "releve.csv"))
    statement = BankStatement.objects.create(file=ContentFile(data, name=name), format=format,
                                             bank=bank if format == BankStatement.Format.CSV else "",
                                             imported_by=actor, lines_read=len(lines))
    matcher = DonorMatcher()
    counts = {"new": 0, "matched": 0, "unmatched": 0, "ignored": 0}
    received = []
    for parsed, key in zip(lines, keys, strict=True):
        line = _insert(statement, parsed, key)
        if line is None:
            continue
        counts["new"] += 1
        if line.amount < 0:
            counts["ignored"] += 1
            continue
        donor_id = matcher.donor_id(parsed)
        if donor_id is not None and _match(line, donor_id, actor):
            counts["matched"] += 1
            received.append(str(line.amount))
        else:
            counts["unmatched"] += 1
    BankStatement.objects.filter(pk=statement.pk).update(lines_new=counts["new"])
    statement.lines_new = counts["new"]
    audit(actor=actor, action="grants.bank_statement_imported", target=statement,
          after={"format": format, "bank": statement.bank, "lines_read": len(lines), **counts,
                 "received": received})
    return statement


# --- The reconciliation queue -------------------------------------------------------------------


def _locked_line(line: BankLine) -> BankLine:
    return BankLine.objects.select_for_update().get(pk=line.pk)


@transaction.atomic
def bank_line_reconcile(*, line: BankLine, donor: Donor, actor, pledge=None, themes=None) -> Donation:
    """Record a credit of the queue as a donation of `donor` (towards `pledge`, restricted to `themes`:
    by default the pledge's): the money enters the pool. A line is recorded once; a debit never."""
    require_staff(actor)
    line = _locked_line(line)
    if line.status == BankLineStatus.MATCHED:
        raise GrantError(_("This bank line is already recorded as a donation."))
    if line.amount <= 0:
        raise GrantError(_("This bank line is a debit: it cannot be a donation."))
    donation = services.donation_receive(donor=donor, amount=line.amount, received_on=line.booked_on, actor=actor,
                                         pledge=pledge, themes=themes, reference=_reference(line))
    before = line.status
    line.status, line.donor, line.donation = BankLineStatus.MATCHED, donor, donation
    line.reconciled_by, line.reconciled_at = actor, timezone.now()
    line.save(update_fields=["status", "donor", "donation", "reconciled_by", "reconciled_at"])
    audit(actor=actor, action="grants.bank_line_reconciled", target=line, before={"status": before},
          after={"status": line.status, "donor": donor.pk, "donation": donation.pk, "amount": str(line.amount)})
    return donation


@transaction.atomic
def bank_line_ignore(*, line: BankLine, actor, reason: str) -> BankLine:
    """Set a line of the queue aside as not a donation (a refund, a transfer between accounts…), with
    the reason. A line recorded as a donation stays one."""
    require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise GrantError(_("Say why this bank line is not a donation."))
    line = _locked_line(line)
    if line.status == BankLineStatus.MATCHED:
        raise GrantError(_("This bank line is already recorded as a donation."))
    if line.status == BankLineStatus.IGNORED:
        raise GrantError(_("This bank line is already set aside as not a donation."))
    line.status = BankLineStatus.IGNORED
    line.reconciled_by, line.reconciled_at = actor, timezone.now()
    line.save(update_fields=["status", "reconciled_by", "reconciled_at"])
    audit(actor=actor, action="grants.bank_line_ignored", target=line, before={"status": BankLineStatus.UNMATCHED},
          after={"status": line.status, "reason": reason[:2000]})
    return line
