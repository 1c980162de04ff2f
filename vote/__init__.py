"""vote: delivery — the Litestar app (JSON API and pages), the CLI and the Redis wiring.

It turns HTTP requests and commands into calls on ``ballots`` services and renders their
results; the domain rules live in ``ballots`` and the counting in ``tally``.
"""
