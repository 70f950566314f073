"""Compile locale/*/LC_MESSAGES/*.po to .mo without GNU gettext (used by `make` when msgfmt is absent)."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent.parent / "locale"


def main():
    for po_path in ROOT.glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


if __name__ == "__main__":
    main()
