"""Tax receipts of donations (cerfa n° 11580, "Reçu au titre des dons à certains organismes d'intérêt
général", articles 200, 238 bis et 978 du code général des impôts).

    donation = donation_receipt_issue(donation_id=donation.pk)   # services re-exports it; the task calls it

One receipt per donation, numbered `RF-<year>-<n>` where the year is that of the donation's receipt
(`received_on`: the tax year the gift counts for) and n runs 00001, 00002… without gaps in the order
receipts are issued. Numbering needs one lock for every issuer: there is no counter model here, so the
pool's row (`Pool`, pk=1) serves as the lock — every ledger write already takes it first, so taking it
first here too keeps one lock order and cannot deadlock with them. While it is held, the next number
is the greatest number of that year + 1; the unique constraint on `Donation.receipt_number` is the
last guard. The number is given in a short transaction; the PDF is rendered afterwards (outside the
lock) and stored on `Donation.receipt` — a failed rendering is retried by the task and keeps its number.

The receipt is always in French: it is the official form.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Donation, Donor, Pool

RECEIPT_PREFIX = "RF"
RECEIPT_LANGUAGE = "fr"
RECEIPT_TITLE = "Reçu au titre des dons à certains organismes d’intérêt général"  # the form's, never translated
CENT = Decimal("0.01")


# --- Amounts in words (French) -----------------------------------------------------------------

_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
          "treize", "quatorze", "quinze", "seize"]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int, *, final: bool = True) -> str:
    """0 < n < 100. `final`: nothing follows but a noun (quatre-vingts) or it is followed by "mille",
    which leaves "vingt" invariable (quatre-vingt mille)."""
    if n <= 16:
        return _UNITS[n]
    if n < 20:
        return f"dix-{_UNITS[n - 10]}"
    tens, unit = divmod(n, 10)
    if tens == 7:
        return "soixante et onze" if unit == 1 else f"soixante-{_below_100(10 + unit)}"
    if tens == 8:
        if unit == 0:
            return "quatre-vingts" if final else "quatre-vingt"
        return f"quatre-vingt-{_UNITS[unit]}"
    if tens == 9:
        return f"quatre-vingt-{_below_100(10 + unit)}"
    if unit == 0:
        return _TENS[tens]
    if unit == 1:
        return f"{_TENS[tens]} et un"
    return f"{_TENS[tens]}-{_UNITS[unit]}"


def _below_1000(n: int, *, final: bool = True) -> str:
    """0 < n < 1000: "cent" takes an s when multiplied and last (deux cents, deux cent un, deux cent mille)."""
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds == 1:
        words.append("cent")
    elif hundreds > 1:
        words.append(f"{_UNITS[hundreds]} cent{'s' if rest == 0 and final else ''}")
    if rest:
        words.append(_below_100(rest, final=final))
    return " ".join(words)


def integer_in_words_fr(n: int) -> str:
    """A whole number in French words (traditional spelling: vingt et un, quatre-vingts, deux cents,
    mille invariable, millions and milliards as nouns)."""
    if n < 0:
        raise ValueError("A negative number has no amount in words.")
    if n == 0:
        return "zéro"
    words = []
    for size, noun in ((10**9, "milliard"), (10**6, "million")):
        count, n = divmod(n, size)
        if count:
            # "million" and "milliard" are nouns: what multiplies them keeps its plural (deux cents millions).
            words.append(f"{integer_in_words_fr(count)} {noun}{'s' if count > 1 else ''}")
    thousands, n = divmod(n, 1000)
    if thousands == 1:
        words.append("mille")
    elif thousands:
        words.append(f"{_below_1000(thousands, final=False)} mille")
    if n:
        words.append(_below_1000(n))
    return " ".join(words)


def amount_in_words_fr(amount: Decimal) -> str:
    """An amount in euros in French words: "mille deux cent cinquante euros et cinquante centimes",
    "deux millions d'euros", "un centime"."""
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("A negative amount has no amount in words.")
    euros, cents = divmod(int(amount * 100), 100)
    parts = []
    if euros or not cents:
        words = integer_in_words_fr(euros)
        if euros and euros % 10**6 == 0:
            parts.append(f"{words} d'euros")  # deux millions d'euros
        else:
            parts.append(f"{words} euro{'s' if euros > 1 else ''}")
    if cents:
        parts.append(f"{integer_in_words_fr(cents)} centime{'s' if cents > 1 else ''}")
    return " et ".join(parts)


# --- The receipt -------------------------------------------------------------------------------


def payment_mode(reference: str) -> str:
    """How the money came, from the donation's bank or cheque reference: "cheque", "cash" or "transfer"
    (transfer, direct debit or card: the default)."""
    words = (reference or "").lower().replace("è", "e").replace("é", "e")
    if "cheque" in words or "chq" in words:
        return "cheque"
    if "especes" in words or "cash" in words:
        return "cash"
    return "transfer"


def receipt_article(donor: Donor) -> str:
    """The article of the code général des impôts the gift comes under: 200 for a person (income tax),
    238 bis for a company, an organisation or a foundation."""
    return "200" if donor.kind == Donor.Kind.PERSON else "238 bis"


def _next_number(year: int) -> str:
    """The next number of `year`. Call it holding the pool's lock."""
    prefix = f"{RECEIPT_PREFIX}-{year}-"
    last = (Donation.objects.filter(receipt_number__startswith=prefix)
            .order_by(Length("receipt_number").desc(), "-receipt_number")
            .values_list("receipt_number", flat=True).first())
    following = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{following:05d}"


def _number(donation_id: int) -> Donation:
    """The donation with its receipt number, given now if it has none (once, under the pool's lock)."""
    from .services import GrantError

    with transaction.atomic():
        Pool.objects.get_or_create(pk=1)
        Pool.objects.select_for_update().get(pk=1)  # the lock every numbering (and ledger write) queues behind
        donation = Donation.objects.select_for_update().get(pk=donation_id)
        if donation.receipt_number:
            return donation
        donation.receipt_number = _next_number(donation.received_on.year)
        try:
            with transaction.atomic():
                donation.save(update_fields=["receipt_number"])
        except IntegrityError as error:
            raise GrantError(_("This receipt number is already given; nothing was recorded.")) from error
    return donation


def receipt_context(donation: Donation, *, issued_on) -> dict:
    donor = donation.donor
    return {
        "donation": donation,
        "donor": donor,
        "issuer": settings.TAX_RECEIPT_ISSUER,
        "amount_in_words": amount_in_words_fr(donation.amount),
        "article": receipt_article(donor),
        "mode": payment_mode(donation.reference),
        "issued_on": issued_on,
    }


def donation_receipt_issue(*, donation_id: int) -> Donation:
    """Number, render and keep the tax receipt of a donation, once: a second call returns the donation
    unchanged. Refused (GrantError) when tax receipts are not enabled."""
    from joinforces.core.pdf import render_pdf
    from joinforces.core.services import audit

    from .services import GrantError

    if not settings.TAX_RECEIPTS_ENABLED:
        raise GrantError(_("Tax receipts are not enabled on this platform."))
    donation = _number(donation_id)
    if donation.receipt:
        return donation
    donation = Donation.objects.select_related("donor").get(pk=donation.pk)
    issued_on = timezone.localdate()
    content = render_pdf("grants/receipt_pdf.html", receipt_context(donation, issued_on=issued_on),
                         title=RECEIPT_TITLE, language=RECEIPT_LANGUAGE)
    with transaction.atomic():
        locked = Donation.objects.select_for_update().get(pk=donation.pk)
        if locked.receipt:  # another call stored it meanwhile
            return locked
        locked.receipt.save(f"recu-fiscal-{locked.receipt_number}.pdf", ContentFile(content), save=False)
        locked.save(update_fields=["receipt"])
        audit(actor=None, action="grants.receipt_issued", target=locked,
              after={"number": locked.receipt_number, "amount": str(locked.amount),
                     "received_on": locked.received_on.isoformat(), "issued_on": issued_on.isoformat(),
                     "article": receipt_article(donation.donor)})
    return locked
