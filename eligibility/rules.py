import rules

from joinforces.accounts.rules import is_staff_member

rules.add_perm("eligibility", is_staff_member)
rules.add_perm("eligibility.view_screening", is_staff_member)
rules.add_perm("eligibility.change_screening", is_staff_member)  # override, with a reason
rules.add_perm("eligibility.view_selfassessmenttally", is_staff_member)
