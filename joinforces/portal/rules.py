"""Rules of the pages that gather every app (loaded by rules' autodiscovery)."""

import rules

from joinforces.accounts.rules import is_staff_member

# Tested as a rule, not a permission: no fall-through to the permission tables on every admin page.
rules.add_rule("portal.opens_staff_home", is_staff_member)
