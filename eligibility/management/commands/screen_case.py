"""`python manage.py screen_case FILE [--lang fr|en]`: screen a case file without storing anything."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eligibility.cases import CaseError
from eligibility.criteria import REASON_LANGUAGES, screen

#: The exit status of a file that cannot be screened (unreadable, not JSON, or breaking the schema).
BAD_CASE_STATUS = 2


def _no_constant(name: str):
    raise ValueError(f"{name} is not allowed in a case")


class Command(BaseCommand):
    help = (
        "Screen an application case (JSON, see eligibility/application-case.schema.json) against the "
        "eligibility criteria and print the verdict and the findings as JSON. Nothing is stored. A file "
        "that cannot be read or breaks the schema is reported on stderr with exit status 2."
    )
    # Screening a file needs neither the database nor the rest of the project's checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the case file (JSON)")
        parser.add_argument("--lang", choices=REASON_LANGUAGES, default="fr",
                            help="the language of the reasons (default: fr)")

    def handle(self, *args, file, lang, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror or exc})",
                               returncode=BAD_CASE_STATUS) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: the file is not UTF-8 text ({exc.reason})",
                               returncode=BAD_CASE_STATUS) from exc
        try:
            case = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                               returncode=BAD_CASE_STATUS) from exc
        except ValueError as exc:
            raise CommandError(f"{path}: not valid JSON ({exc})", returncode=BAD_CASE_STATUS) from exc
        try:
            outcome = screen(case)
        except CaseError as exc:
            raise CommandError(f"{path}: {exc}", returncode=BAD_CASE_STATUS) from exc
        self.stdout.write(json.dumps(outcome.as_dict(lang), ensure_ascii=False, indent=2))
