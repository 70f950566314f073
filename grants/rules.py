import rules

from joinforces.accounts.rules import is_donor, is_staff_member

rules.add_perm("grants", is_staff_member)
for model in ("donor", "donorcontact", "pledge", "donation", "grant", "tranche", "allocation", "allocationpart", "pool",
              "bankstatement", "bankline"):
    rules.add_perm(f"grants.view_{model}", is_staff_member)
for model in ("donor", "donorcontact", "pledge", "donation", "bankstatement"):
    rules.add_perm(f"grants.add_{model}", is_staff_member)
for model in ("donor", "donorcontact", "bankline"):
    rules.add_perm(f"grants.change_{model}", is_staff_member)
rules.add_perm("grants.delete_donorcontact", is_staff_member)

# Amendments and termination (grants/admin_amendments.py): staff read them and make them.
rules.add_perm("grants.view_amendment", is_staff_member)
rules.add_perm("grants.add_amendment", is_staff_member)

# Payment runs (grants/admin_payments.py): staff read them, prepare them, mark them paid or cancel them.
for model in ("paymentrun", "payment"):
    rules.add_perm(f"grants.view_{model}", is_staff_member)
rules.add_perm("grants.add_paymentrun", is_staff_member)
rules.add_perm("grants.change_paymentrun", is_staff_member)

# Bank details (grants/admin_bank_details.py): staff read them and approve or refuse changes by actions.
rules.add_perm("grants.view_bankdetails", is_staff_member)

# Grant agreements (grants/admin_agreements.py): staff read them and upload a signed copy on the grantee's behalf.
rules.add_perm("grants.view_grantagreement", is_staff_member)
rules.add_perm("grants.sign_grantagreement", is_staff_member)

# Yearly reports (grants/admin_reports.py): staff read them and review them by actions (approve, ask for changes).
rules.add_perm("grants.view_grantreport", is_staff_member)

# The donor dashboard (grants/views/dashboard.py) is linked in the header for donors; which donors a
# person sees is decided by `Donor.objects.visible_to`. A rule, not a permission: testing it never
# falls through to Django's permission tables (two queries on every page for everyone else).
rules.add_rule("grants.follows_donations", is_donor)
