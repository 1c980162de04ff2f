"""Public notices (公示) and what residents send in while one is up.

- :mod:`ballots.notices.notices`: create, edit, publish and withdraw a notice; its notice period.
"""
