"""Paper ballots of a ballot: printing serial-numbered sheets, issuing one to a voting unit,
two chairs' independent entry of every returned sheet, and counting the agreed sheets onto the
board as one ``paper_batch`` event.

- :mod:`ballots.paper.errors`: the refusals.
- :mod:`ballots.paper.printing`: how many sheets are printed (serials continue).
- :mod:`ballots.paper.issuing`: handing sheet number S to a voter, locked against a phone cast.
- :mod:`ballots.paper.entry`: each chair's entry of a returned sheet, and its correction.
- :mod:`ballots.paper.status`: :func:`paper_status` — the reconciliation every front end shows.
- :mod:`ballots.paper.counting`: the agreed sheets become counted ballots and one board event.
"""
