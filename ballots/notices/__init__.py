"""Public notices (公示) and what residents send in while one is up.

- :mod:`ballots.notices.notices`: create, edit, publish and withdraw a notice; its notice period.
- :mod:`ballots.notices.templates`: the disclosure templates (九公开, a selection, a project).
- :mod:`ballots.notices.items`: disclosure items, append-only after publication.
- :mod:`ballots.notices.documents`: a notice's documents, kept when withdrawn.
"""
