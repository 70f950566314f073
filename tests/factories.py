"""Factories for users of every role. Roles are granted through the service, as in the product."""

import factory
from allauth.account.models import EmailAddress

from joinforces.accounts.models import Role, User
from joinforces.accounts.services import role_grant

PASSWORD = "correct-horse-battery-staple"


def grant_roles(user, create, roles, default=()):
    if create:
        for role in roles if roles is not None else default:
            role_grant(user=user, role=role, actor=None)


def with_roles(*default):
    return factory.PostGeneration(
        lambda user, create, extracted, **kwargs: grant_roles(user, create, extracted, default)
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    language = "fr"
    password = factory.django.Password(PASSWORD)

    roles = factory.PostGeneration(lambda user, create, extracted, **kwargs: grant_roles(user, create, extracted))

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class ApplicantFactory(UserFactory):
    roles = with_roles(Role.APPLICANT)


class CommitteeMemberFactory(UserFactory):
    roles = with_roles(Role.COMMITTEE)


class DonorFactory(UserFactory):
    roles = with_roles(Role.DONOR)


class StaffFactory(UserFactory):
    roles = with_roles(Role.STAFF)


class ExpertFactory(UserFactory):
    roles = with_roles(Role.EXPERT)


ROLE_FACTORIES = {
    Role.APPLICANT: ApplicantFactory,
    Role.COMMITTEE: CommitteeMemberFactory,
    Role.DONOR: DonorFactory,
    Role.STAFF: StaffFactory,
    Role.EXPERT: ExpertFactory,
}
