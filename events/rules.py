import rules

from joinforces.accounts.rules import is_staff_member

rules.add_perm("events", is_staff_member)
for model in ("event", "session", "registration", "sessionchoice", "waitinglistentry", "resource"):
    rules.add_perm(f"events.view_{model}", is_staff_member)
for model in ("event", "session", "resource"):
    rules.add_perm(f"events.add_{model}", is_staff_member)
    rules.add_perm(f"events.change_{model}", is_staff_member)
rules.add_perm("events.delete_session", is_staff_member)
rules.add_perm("events.delete_resource", is_staff_member)
