import rules

from joinforces.accounts.rules import is_staff_member

rules.add_perm("applications", is_staff_member)
for action in ("view", "add", "change"):
    rules.add_perm(f"applications.{action}_call", is_staff_member)
rules.add_perm("applications.view_application", is_staff_member)
# The committee's records, in the staff's admin. Writes go through the services (see admin/staff.py).
for action in ("view", "add", "change"):
    rules.add_perm(f"applications.{action}_reviewround", is_staff_member)
    rules.add_perm(f"applications.{action}_reviewassignment", is_staff_member)
    rules.add_perm(f"applications.{action}_committeemembership", is_staff_member)
rules.add_perm("applications.delete_reviewassignment", is_staff_member)
rules.add_perm("applications.delete_committeemembership", is_staff_member)
rules.add_perm("applications.view_conflictdeclaration", is_staff_member)
rules.add_perm("applications.view_review", is_staff_member)
rules.add_perm("applications.view_decision", is_staff_member)
