"""The chair's console: server-rendered pages for units, matters, chairs, API tokens and the
audit log, within the chair's unit subtree.

Every change is a POST form carrying the session's CSRF token and goes through the ``ballots``
services, which check roles and write the audit log. Bad input re-renders the form with the
error beside its field and the typed values kept, and changes nothing.
"""
