"""Signals of grants, for the apps above it (DESIGN §3: a lower app never imports a higher one).

`grant_activated(sender=Grant, grant=...)`: sent after the commit of the change that made a grant
active (its signed agreement received), so that support can open the initiative's support plan. A
receiver only enqueues its own work.
"""

from django.dispatch import Signal

grant_activated = Signal()
