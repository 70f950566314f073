import rules

from joinforces.accounts.rules import is_staff_member

# Lessons learned (joinforces/portal/admin.py): staff write, publish and withdraw them.
rules.add_perm("portal", is_staff_member)
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"portal.{action}_lesson", is_staff_member)
