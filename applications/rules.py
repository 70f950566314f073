import rules

from joinforces.accounts.rules import is_staff_member

rules.add_perm("applications", is_staff_member)
for action in ("view", "add", "change"):
    rules.add_perm(f"applications.{action}_call", is_staff_member)
rules.add_perm("applications.view_application", is_staff_member)
