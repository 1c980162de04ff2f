"""Coordination meetings (协调会): the parties at a coordination matter, the issues in dispute
and each party's position, and what was agreed (with follow-up actions in
:mod:`ballots.followup.actions`)."""
