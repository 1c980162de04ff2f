"""ballots: the domain — units, the roll, matters, ballots, eligibility, credentials, casting.

Services here take an SQLAlchemy ``AsyncSession`` and plain data, and raise the exceptions in
:mod:`ballots.errors`. This package imports ``tally`` for the ballot spec and counting, and never
imports ``vote`` (the web and CLI layer).
"""
