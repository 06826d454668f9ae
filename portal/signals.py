"""Domain signals of the organisation. Other apps subscribe in their AppConfig.ready():
courses assigns the onboarding path when a new staff member is created."""

from django.dispatch import Signal

# Sent after the transaction that created the staff member commits. Args: profile.
staff_member_created = Signal()
