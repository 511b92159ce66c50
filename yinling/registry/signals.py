"""Registry events other modules follow (the time bank moves a member's account with them)."""

from django.dispatch import Signal

# Sent inside the transfer's transaction: sender=Retiree, retiree=…, from_org=…, to_org=…, by=the user moving them
retiree_moved = Signal()
