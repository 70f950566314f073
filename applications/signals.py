"""Signals of applications, for the apps above it (DESIGN §3: a lower app never imports a higher one).

`decision_published(sender=Decision, decision=...)`: sent after the commit of each published decision,
so that grants can prepare the grant of a selected application. A receiver only enqueues its own work.
"""

from django.dispatch import Signal

decision_published = Signal()
