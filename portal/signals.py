"""Signals for effects that cross flows; a core module: it imports no flow.

A flow that changes something another flow must react to sends a signal here; the flow
that owns the reaction connects to it when its package is imported (create_app imports
every blueprint). Receivers run at once, inside the sender's transaction: the change and its
effects commit together, or roll back together.
"""

from blinker import Namespace

portal_signals = Namespace()

#: A contact's website right or professional email was set or changed: sent by whoever
#: changed it (roster, back office, import), with the Contact as sender and `actor` (the
#: User who did it, or None for the system). The accounts flow keeps the login in line:
#: a login and an invitation for a new right, the new email on the login, and every session
#: of the person ended at once when the right is taken away.
contact_access_changed = portal_signals.signal("contact-access-changed")
