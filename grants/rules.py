import rules

from joinforces.accounts.rules import is_staff_member

rules.add_perm("grants", is_staff_member)
for model in ("donor", "donorcontact", "pledge", "donation", "grant", "tranche", "allocation", "allocationpart", "pool",
              "bankstatement", "bankline"):
    rules.add_perm(f"grants.view_{model}", is_staff_member)
for model in ("donor", "donorcontact", "pledge", "donation", "bankstatement"):
    rules.add_perm(f"grants.add_{model}", is_staff_member)
for model in ("donor", "donorcontact", "bankline"):
    rules.add_perm(f"grants.change_{model}", is_staff_member)
rules.add_perm("grants.delete_donorcontact", is_staff_member)
