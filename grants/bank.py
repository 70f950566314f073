"""Bank statement files read into plain lines: French CSV exports and ISO 20022 CAMT.053.

Pure: no database, no request. A file that cannot be read raises `BankFileError` with a translated
message (and the line number for a CSV), so that the import changes nothing.

    lines = parse_csv(data, "credit_cooperatif")     # columns mapped in settings.BANK_CSV_FORMATS
    lines = parse_camt053(data)
    keys = dedup_keys(lines)                         # one identity per line; the same on a re-import
"""

import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

try:  # defusedxml when installed; otherwise expat with every DTD refused (below)
    from defusedxml import ElementTree as SafeElementTree
    from defusedxml.common import DefusedXmlException
except ImportError:  # pragma: no cover - depends on the environment
    SafeElementTree = None
    DefusedXmlException = ValueError

CENT = Decimal("0.01")
MAX_BYTES = 20 * 1024 * 1024
# Ids a bank or a payer writes when there is none.
NO_ID = frozenset({"", "NOTPROVIDED", "NONREF", "NONE", "N/A"})
SPACES = dict.fromkeys(map(ord, " \u00a0\u202f\u2009\u2007\t'’"), None)


class BankFileError(Exception):
    """A statement file that cannot be read: the reason in words, and the line when known."""

    def __init__(self, message, line: int | None = None):
        self.line = line
        self.message = str(message) if line is None else _("Line %(line)d: %(reason)s") % {
            "line": line, "reason": message}
        super().__init__(self.message)


@dataclass(frozen=True)
class ParsedLine:
    transaction_id: str
    account: str
    booked_on: date
    amount: Decimal
    label: str
    counterparty: str = ""
    counterparty_account: str = ""
    # False when the id is the payer's (an end-to-end id): a donor may send the same one every month,
    # so it only helps to tell lines apart and never identifies one alone.
    id_unique: bool = True


# --- Values --------------------------------------------------------------------------------------


def _squash(value: str) -> str:
    return " ".join(str(value or "").split())


def fold(value: str) -> str:
    """Lower case, without accents, words of letters and digits separated by one space."""
    text = unicodedata.normalize("NFKD", str(value or "")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def iban(value: str) -> str:
    """An account number without spaces, in capitals."""
    return re.sub(r"\s+", "", str(value or "")).upper()


def parse_amount(value: str) -> Decimal:
    """A French amount: `1 234,56`, `-12,00`, `1.234,56`, `+50`, with any kind of space; or ValueError."""
    text = str(value or "").translate(SPACES).replace("€", "").replace("EUR", "").strip()
    if not text:
        raise ValueError("empty")
    sign = 1
    if text[0] in "+-":
        sign, text = (-1 if text[0] == "-" else 1), text[1:]
    elif text[-1] in "+-":  # 12,00- in some exports
        sign, text = (-1 if text[-1] == "-" else 1), text[:-1]
    if "," in text:
        text = text.replace(".", "").replace(",", ".")  # dots group thousands, the comma is the decimal mark
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")  # 1.234 is a thousand; a money amount never has three decimals
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise ValueError(value)
    try:
        return (sign * Decimal(text)).quantize(CENT)
    except InvalidOperation:  # pragma: no cover - the pattern above lets only numbers through
        raise ValueError(value) from None


def parse_date(value: str) -> date:
    """dd/mm/yyyy (or dd/mm/yy), as French exports write it; or ValueError."""
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


# --- CSV -----------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise BankFileError(_("This file is too large for a bank statement."))
    if b"\x00" in data:
        raise BankFileError(_("This is not a text file: export the statement as CSV."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BankFileError(_("The characters of this file cannot be read (neither UTF-8 nor Windows-1252)."))


def csv_banks() -> dict:
    return dict(getattr(settings, "BANK_CSV_FORMATS", {}))


def parse_csv(data: bytes, bank: str, *, account: str | None = None) -> list[ParsedLine]:
    """The lines of a French CSV export (`;` separators) whose columns `settings.BANK_CSV_FORMATS[bank]`
    names: date, label, and amount or credit and debit; transaction_id, counterparty,
    counterparty_account and account when the bank gives them. Title lines before the header and
    blank lines are skipped. `account` defaults to settings.BANK_ACCOUNT_IBAN."""
    columns = csv_banks().get(bank)
    if not columns:
        raise BankFileError(_("Unknown bank “%(bank)s”: choose one of %(banks)s.")
                            % {"bank": bank, "banks": ", ".join(sorted(csv_banks())) or "—"})
    if "amount" not in columns and not {"credit", "debit"} <= columns.keys():
        raise BankFileError(_("The columns of this bank are not set up (an amount, or a credit and a debit)."))
    default_account = iban(settings.BANK_ACCOUNT_IBAN if account is None else account)
    text = _decode(data)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    wanted = {key: fold(name) for key, name in columns.items()}
    required = [wanted[key] for key in ("date", "label", "amount", "credit", "debit") if key in wanted]
    positions = None
    lines = []
    try:
        for row in rows:
            number = rows.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if positions is None:
                folded = [fold(cell) for cell in cells]
                if all(name in folded for name in required):
                    positions = {key: folded.index(name) for key, name in wanted.items() if name in folded}
                continue
            lines.append(_csv_line(cells, positions, number, default_account))
    except csv.Error as error:
        raise BankFileError(_("This file is not a readable CSV file (%(detail)s).") % {"detail": error},
                            line=rows.line_num) from None
    if positions is None:
        raise BankFileError(_("The header of the %(bank)s export was not found: the file should have the columns "
                              "%(columns)s, separated by semicolons.")
                            % {"bank": bank, "columns": ", ".join(f"“{columns[k]}”" for k in columns
                                                                if k in ("date", "label", "amount", "credit",
                                                                         "debit"))})
    return lines


def _cell(cells, positions, key) -> str:
    position = positions.get(key)
    return cells[position] if position is not None and position < len(cells) else ""


def _csv_line(cells, positions, number, default_account) -> ParsedLine:
    raw_date = _cell(cells, positions, "date")
    try:
        booked_on = parse_date(raw_date)
    except ValueError:
        raise BankFileError(_("“%(value)s” is not a date in the dd/mm/yyyy format.") % {"value": raw_date},
                            line=number) from None
    if "amount" in positions:
        raw = _cell(cells, positions, "amount")
        try:
            amount = parse_amount(raw)
        except ValueError:
            raise BankFileError(_("“%(value)s” is not an amount such as 1 234,56.") % {"value": raw},
                                line=number) from None
    else:
        parts = {}
        for key in ("credit", "debit"):
            raw = _cell(cells, positions, key)
            try:
                parts[key] = abs(parse_amount(raw)) if raw.strip() else Decimal("0.00")
            except ValueError:
                raise BankFileError(_("“%(value)s” is not an amount such as 1 234,56.") % {"value": raw},
                                    line=number) from None
        if parts["credit"] and parts["debit"]:
            raise BankFileError(_("This line has both a credit and a debit."), line=number)
        amount = parts["credit"] - parts["debit"]
    if amount == 0:
        raise BankFileError(_("This line has no amount."), line=number)
    transaction_id = _squash(_cell(cells, positions, "transaction_id"))
    return ParsedLine(
        transaction_id="" if transaction_id.upper() in NO_ID else transaction_id,
        account=iban(_cell(cells, positions, "account")) or default_account,
        booked_on=booked_on,
        amount=amount,
        label=_squash(_cell(cells, positions, "label")),
        counterparty=_squash(_cell(cells, positions, "counterparty")),
        counterparty_account=iban(_cell(cells, positions, "counterparty_account")),
    )


# --- CAMT.053 ------------------------------------------------------------------------------------


def _refuse_dtd(*_args):
    raise BankFileError(_("This XML file declares a DTD or entities, which a bank statement never does: "
                          "it is refused."))


def _xml_root(data: bytes):
    if len(data) > MAX_BYTES:
        raise BankFileError(_("This file is too large for a bank statement."))
    if SafeElementTree is not None:
        try:
            return SafeElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                              forbid_external=True)
        except DefusedXmlException:
            _refuse_dtd()
        except ElementTree.ParseError as error:
            raise BankFileError(_("This is not a readable XML file (%(detail)s).") % {"detail": error}) from None
    # Without defusedxml: a first pass with expat refuses any DTD, entity or external reference, so
    # that the second pass (ElementTree) only ever sees plain elements.
    guard = expat.ParserCreate()
    guard.StartDoctypeDeclHandler = _refuse_dtd
    guard.EntityDeclHandler = _refuse_dtd
    guard.UnparsedEntityDeclHandler = _refuse_dtd
    guard.ExternalEntityRefHandler = _refuse_dtd
    try:
        guard.Parse(data, True)
        return ElementTree.fromstring(data)  # noqa: S314 - the pass above refused every DTD and entity
    except (expat.ExpatError, ElementTree.ParseError) as error:
        raise BankFileError(_("This is not a readable XML file (%(detail)s).") % {"detail": error}) from None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, *path):
    """The first element down `path` (local names, whatever the namespace), or None."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element, name):
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element, *path) -> str:
    found = _child(element, *path)
    return _squash(found.text) if found is not None and found.text else ""


def _first(element, *paths) -> str:
    for path in paths:
        value = _text(element, *path)
        if value and value.upper() not in NO_ID:
            return value
    return ""


def _account_id(element) -> str:
    return iban(_first(element, ("Id", "IBAN"), ("Id", "Othr", "Id")))


def _party(parties, role: str):
    """Name and account of the debtor or creditor (camt.053.001.02 … .001.08+, where the name moved
    under Pty)."""
    name = _first(parties, (role, "Nm"), (role, "Pty", "Nm"))
    account = _account_id(_child(parties, f"{role}Acct"))
    return name, account


def _camt_date(value: str, *, number: int) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise BankFileError(_("Entry %(number)d: “%(value)s” is not a date.") % {"number": number,
                                                                                 "value": value}) from None


def _camt_amount(element, *, number: int) -> Decimal:
    currency = (element.get("Ccy") or "EUR").upper()
    if currency != "EUR":
        raise BankFileError(_("Entry %(number)d is in %(currency)s: only euros are accepted.")
                            % {"number": number, "currency": currency})
    try:
        amount = Decimal(_squash(element.text))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise BankFileError(_("Entry %(number)d: “%(value)s” is not an amount.")
                            % {"number": number, "value": _squash(element.text)})
    return amount.quantize(CENT)


def parse_camt053(data: bytes) -> list[ParsedLine]:
    """The booked entries of an ISO 20022 bank-to-customer statement (camt.053.001.02 and later).

    Credits are positive, debits negative. An entry that books several transactions each with its
    own amount (a batch) gives one line per transaction. The transaction id is the bank's reference
    (AcctSvcrRef, then TxId); failing that the payer's EndToEndId, which is not taken as unique."""
    root = _xml_root(data)
    statements = [e for e in root.iter() if _local(e.tag) == "Stmt"]
    if _local(root.tag) != "Document" or not statements:
        raise BankFileError(_("This XML file is not a CAMT.053 bank statement (no statement found)."))
    lines = []
    number = 0
    for statement in statements:
        account = _account_id(_child(statement, "Acct"))
        for entry in _children(statement, "Ntry"):
            number += 1
            status = _first(entry, ("Sts",), ("Sts", "Cd")).upper()
            if status and status not in ("BOOK", "BOOKED"):
                continue  # pending or information only: not (yet) on the account
            amount_element = _child(entry, "Amt")
            if amount_element is None:
                raise BankFileError(_("Entry %(number)d has no amount.") % {"number": number})
            amount = _camt_amount(amount_element, number=number)
            direction = _text(entry, "CdtDbtInd").upper()
            if direction not in ("CRDT", "DBIT"):
                raise BankFileError(_("Entry %(number)d is neither a credit nor a debit.") % {"number": number})
            if _text(entry, "RvslInd").lower() == "true":
                direction = "CRDT" if direction == "DBIT" else "DBIT"
            raw_date = _first(entry, ("BookgDt", "Dt"), ("BookgDt", "DtTm"), ("ValDt", "Dt"), ("ValDt", "DtTm"))
            if not raw_date:
                raise BankFileError(_("Entry %(number)d has no booking date.") % {"number": number})
            booked_on = _camt_date(raw_date, number=number)
            details = [tx for block in _children(entry, "NtryDtls") for tx in _children(block, "TxDtls")]
            amounts = [_tx_amount(tx) for tx in details]
            batch = len(details) > 1 and all(a is not None for a in amounts)
            parts = list(zip(details, amounts, strict=True)) if batch else [(details[0] if details else None, None)]
            for rank, (tx, tx_amount) in enumerate(parts, start=1):
                value = _camt_amount(tx_amount, number=number) if tx_amount is not None else amount
                lines.append(_camt_line(entry, tx, account=account, booked_on=booked_on,
                                        amount=value if direction == "CRDT" else -value, credit=direction == "CRDT",
                                        batch_rank=rank if batch else None))
    return lines


def _tx_amount(tx):
    found = _child(tx, "AmtDtls", "TxAmt", "Amt")
    return found if found is not None else _child(tx, "Amt")


def _camt_line(entry, tx, *, account, booked_on, amount, credit, batch_rank=None) -> ParsedLine:
    bank_id = _first(tx, ("Refs", "AcctSvcrRef"), ("Refs", "TxId")) if tx is not None else ""
    if not bank_id:
        # The entry's reference, shared by the transactions of a batch: told apart by their rank.
        entry_id = _first(entry, ("AcctSvcrRef",))
        bank_id = f"{entry_id}#{batch_rank}" if entry_id and batch_rank else entry_id
    end_to_end = _first(tx, ("Refs", "EndToEndId")) if tx is not None else ""
    label = ""
    counterparty = counterparty_account = ""
    if tx is not None:
        label = " ".join(_squash(u.text) for u in _children(_child(tx, "RmtInf"), "Ustrd") if u.text)
        label = label or _first(tx, ("RmtInf", "Strd", "CdtrRefInf", "Ref"), ("AddtlTxInf",))
        parties = _child(tx, "RltdPties")
        counterparty, counterparty_account = _party(parties, "Dbtr" if credit else "Cdtr")
    label = label or _first(entry, ("AddtlNtryInf",))
    return ParsedLine(
        transaction_id=bank_id or end_to_end,
        account=account,
        booked_on=booked_on,
        amount=amount,
        label=label,
        counterparty=counterparty,
        counterparty_account=counterparty_account,
        id_unique=bool(bank_id),
    )


# --- Identity ------------------------------------------------------------------------------------


def dedup_keys(lines: list[ParsedLine]) -> list[str]:
    """One identity per line, the same whenever the same file (or a statement overlapping it) is
    imported again: "tx:" + the bank's transaction id; otherwise "h:" + a hash of account, date,
    amount, label and the rank of the line among the identical ones of the file, so that two
    identical transfers on the same day stay two lines."""
    seen = Counter()
    keys = []
    for line in lines:
        if line.transaction_id and line.id_unique:
            ident = line.transaction_id
            keys.append(f"tx:{ident}" if len(ident) <= 96 else "tx:" + hashlib.sha256(ident.encode()).hexdigest())
            continue
        label = _squash(line.label).upper()
        if line.transaction_id:  # a payer's id only tells lines apart
            label = f"{label}|{line.transaction_id}"
        identity = (iban(line.account), line.booked_on.isoformat(), f"{line.amount:.2f}", label)
        seen[identity] += 1
        digest = hashlib.sha256("|".join((*identity, str(seen[identity]))).encode()).hexdigest()
        keys.append(f"h:{digest}")
    return keys

