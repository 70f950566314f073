from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .services import account_welcome


@receiver(email_confirmed)
def welcome_on_email_confirmed(sender, request, email_address, **kwargs):
    if email_address.primary or not email_address.user.emailaddress_set.filter(primary=True).exists():
        account_welcome(user=email_address.user)
