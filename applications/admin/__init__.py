"""The staff's admin of applications (`staff`, on the full admin site) and the committee's admin
site at /comite/ (`committee`)."""

from . import committee, staff  # noqa: F401
from .committee import committee_site

__all__ = ["committee_site"]
