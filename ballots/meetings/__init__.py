"""Meetings held in a room (hearings, coordination and evaluation meetings): planning them,
checking residents in, the live quorum, and the ballots held at them.

- :mod:`ballots.meetings.meetings`: create, edit, list and move a meeting through its states;
  hold a ballot at a meeting.
- :mod:`ballots.meetings.venue_code`: the venue code that changes every 30 seconds.
- :mod:`ballots.meetings.checkin`: checking a resident in, by their own phone or at the door.
- :mod:`ballots.meetings.quorum`: who is present against the electorate, by head and by area.
- :mod:`ballots.meetings.proxies`: proxies (委托): record, revoke, list, the signed form's photo.
- :mod:`ballots.meetings.proxy_votes`: which counted votes a proxy holder cast for a grantor.
"""
