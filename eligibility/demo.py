"""Demo data of eligibility, loaded by `python manage.py seed_demo` (idempotent): a few stored
screenings of realistic collectives, one of them overridden by staff."""

import json
from pathlib import Path

from joinforces.accounts.models import Role

from .models import Screening
from .services import case_digest, screening_create, screening_override

CASES = Path(__file__).resolve().parent / "demo_cases"
OVERRIDE = (
    "fusion_un_seul_conseil_a_vote.json",
    "eligible",
    "Le conseil d’administration de la seconde association a voté la fusion le 12 mars ; le procès-verbal "
    "est au dossier.",
)


def seed(context):
    staff = context.users.get(Role.STAFF)
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        screening = Screening.objects.filter(case_digest=case_digest(case)).first()
        if screening is None:
            screening = screening_create(case=case, actor=staff)
        name, verdict, reason = OVERRIDE
        if path.name == name and not screening.is_overridden:
            screening_override(screening=screening, verdict=verdict, reason=reason, actor=staff)
