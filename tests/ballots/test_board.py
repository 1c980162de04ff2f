"""Every ballot's public board: built as votes arrive, signed, provable, and verified by tally.

These tests run the server's services and then check the exported board with the independent
verifier (``tally.board.verify_board``), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import board
from ballots.casting import cast_ballot
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.lifecycle import close_ballot, get_ballot, move_ballot, open_ballot, publish_ballot
from ballots.models import BoardLeaf, TreeHead
from ballots.signing import signer_from_seed
from tally import board as tally_board
from tally.merkle import verify_consistency, verify_inclusion
from tests.ballots.factories import (
    ADMIN,
    KEY,
    build_world,
    draft,
    import_roster,
    issue,
    new_ballot,
    refresh_ids,
)

SIGNER = signer_from_seed(bytes(range(32)))
OTHER_SIGNER = signer_from_seed(bytes(32))
A, B = {"q1": ["a"]}, {"q1": ["b"]}
CROWD = "编号,姓名,楼栋,门牌,户号,身份,出生年份,专有面积,标签\n" + "".join(
    f"C{i:02d},陈{i}号,7,{700 + i},7-{700 + i},业主,1970,50,\n" for i in range(1, 21)
)


async def _open(session: AsyncSession, world_draft: object = None) -> tuple[int, dict[int, str]]:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world, world_draft or draft())  # type: ignore[arg-type]
    await open_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    return ballot_id, await issue(session, ballot_id)


async def _board(session: AsyncSession, ballot_id: int) -> tally_board.Board:
    return tally_board.read_board(await board.board_file(session, SIGNER, ballot_id))


def _failed(report: tally_board.VerifyReport) -> list[str]:
    return [f"{check.name}: {check.detail}" for check in report.checks if check.status == "fail"]


async def test_a_closed_ballot_board_passes_every_check(session: AsyncSession) -> None:
    ballot_id, credentials = await _open(session)
    for number, credential in enumerate(credentials.values()):
        await cast_ballot(session, KEY, ballot_id, credential, A if number % 2 else B)
    await close_ballot(session, ADMIN, ballot_id, SIGNER)
    await publish_ballot(session, ADMIN, ballot_id)
    await session.commit()
    report = tally_board.verify_board(await _board(session, ballot_id), key=SIGNER.public_key)
    assert report.ok, _failed(report)
    stored = await get_ballot(session, ballot_id)
    board_result = [
        tally_board.decode_event(leaf.data.encode())
        for leaf in (await session.scalars(select(BoardLeaf).order_by(BoardLeaf.index))).all()
    ][-1]
    assert isinstance(board_result, tally_board.ResultEvent)
    assert bytes(board_result.result).decode() == stored.result


async def test_a_cancelled_ballot_board_ends_with_its_reason_and_verifies(
    session: AsyncSession,
) -> None:
    ballot_id, credentials = await _open(session)
    for number, credential in enumerate(list(credentials.values())[:3]):
        await cast_ballot(session, KEY, ballot_id, credential, A if number % 2 else B)
    await session.commit()
    size = (await get_ballot(session, ballot_id)).log_size
    await move_ballot(session, ADMIN, ballot_id, "cancel", signer=SIGNER, reason=" 施工方案变更 ")
    await session.commit()
    ballot = await get_ballot(session, ballot_id)
    assert (ballot.state, ballot.log_size) == ("cancelled", size + 1)
    assert await session.get(TreeHead, (ballot_id, size + 1)) is not None  # signed in the move
    parsed = await _board(session, ballot_id)
    report = tally_board.verify_board(parsed, key=SIGNER.public_key)
    assert report.ok, _failed(report)
    assert report.cancel_reason == "施工方案变更" and report.cancelled_at is not None
    assert not report.closed
    last = tally_board.decode_event(parsed.leaves[-1])
    assert isinstance(last, tally_board.Cancel) and last.reason == "施工方案变更"


async def test_the_receipt_proves_inclusion_under_a_signed_head(session: AsyncSession) -> None:
    ballot_id, credentials = await _open(session)
    receipt = await cast_ballot(
        session, KEY, ballot_id, next(iter(credentials.values())), A, signer=SIGNER
    )
    head = receipt.tree_head
    assert head is not None and receipt.leaf_index == 1  # leaf 0 is the manifest
    message = tally_board.tree_head_message(
        ballot_id=str(ballot_id),
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        timestamp=head.timestamp,
    )
    public = Ed25519PublicKey.from_public_bytes(SIGNER.public_key)
    public.verify(base64.b64decode(head.signature), message)  # raises if the signature is bad
    proof = await board.inclusion_proof(session, SIGNER, ballot_id, receipt.tracker)
    assert proof.leaf_index == receipt.leaf_index and proof.leaf_hash is not None
    assert verify_inclusion(
        proof.leaf_index,
        proof.tree_size,
        bytes.fromhex(proof.leaf_hash),
        [bytes.fromhex(h) for h in proof.hashes],
        bytes.fromhex(proof.tree_head.root_hash),
    )


async def test_the_board_only_grows_consistency_proof(session: AsyncSession) -> None:
    ballot_id, credentials = await _open(session)
    voters = list(credentials.values())
    first = await cast_ballot(session, KEY, ballot_id, voters[0], A, signer=SIGNER)
    for credential in voters[1:]:
        await cast_ballot(session, KEY, ballot_id, credential, B)
    assert first.tree_head is not None
    old = first.tree_head
    proof = await board.consistency_proof(session, SIGNER, ballot_id, old.tree_size)
    assert proof.tree_size == 1 + len(voters)
    assert verify_consistency(
        old.tree_size,
        proof.tree_size,
        bytes.fromhex(old.root_hash),
        bytes.fromhex(proof.tree_head.root_hash),
        [bytes.fromhex(h) for h in proof.hashes],
    )
    await close_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    report = tally_board.verify_board(await _board(session, ballot_id), since=old)
    assert report.ok, _failed(report)


async def test_revotes_are_chained_and_only_the_last_counts(session: AsyncSession) -> None:
    ballot_id, credentials = await _open(session, draft(revoting=True))
    credential = next(iter(credentials.values()))
    first = await cast_ballot(session, KEY, ballot_id, credential, A)
    await cast_ballot(session, KEY, ballot_id, credential, B)
    await cast_ballot(session, KEY, ballot_id, credential, A)  # back to A: a new entry
    await close_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    parsed = await _board(session, ballot_id)
    report = tally_board.verify_board(parsed)
    assert report.ok, _failed(report)
    casts = [
        event
        for event in (tally_board.decode_event(leaf) for leaf in parsed.leaves)
        if isinstance(event, tally_board.Cast)
    ]
    assert [c.replaces for c in casts] == [None, casts[0].tracker, casts[1].tracker]
    assert casts[0].tracker == first.tracker


async def test_participation_is_published_masked_and_in_address_order(
    session: AsyncSession,
) -> None:
    world_draft = draft()
    world_draft.publish_participation = True
    ballot_id, credentials = await _open(session, world_draft)
    for credential in credentials.values():
        await cast_ballot(session, KEY, ballot_id, credential, A)
    await close_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    parsed = await _board(session, ballot_id)
    assert tally_board.verify_board(parsed).ok
    (listed,) = [
        event
        for event in (tally_board.decode_event(leaf) for leaf in parsed.leaves)
        if isinstance(event, tally_board.Participation)
    ]
    names = [entry.name for entry in listed.entries]
    assert "张*国" in names and "张建国" not in names
    addresses = [entry.address for entry in listed.entries]
    assert addresses == sorted(addresses)


async def test_a_head_signed_by_another_key_is_caught(session: AsyncSession) -> None:
    ballot_id, credentials = await _open(session)
    await cast_ballot(session, KEY, ballot_id, next(iter(credentials.values())), A)
    await close_ballot(session, ADMIN, ballot_id, OTHER_SIGNER)
    await session.commit()
    report = tally_board.verify_board(await _board(session, ballot_id))
    assert not report.ok
    assert report.first_failure is not None and report.first_failure.name == "signatures"


async def test_concurrent_casting_keeps_one_valid_log(session: AsyncSession, db_url: str) -> None:
    world = await build_world(session)
    await import_roster(session, world.other_area_id, CROWD)
    await refresh_ids(session, world)
    ballot_id = await new_ballot(session, world)
    await open_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    credentials = list((await issue(session, ballot_id)).values())
    engines = [create_engine(db_url) for _ in range(4)]
    makers = [create_sessionmaker(engine) for engine in engines]
    sessions = [makers[i % 4]() for i in range(len(credentials))]
    try:
        receipts = await asyncio.gather(
            *(
                cast_ballot(s, KEY, ballot_id, c, A if i % 3 else B)
                for i, (s, c) in enumerate(zip(sessions, credentials, strict=True))
            )
        )
    finally:
        for each in sessions:
            await each.close()
        for engine in engines:
            await dispose(engine)
    assert sorted(r.leaf_index for r in receipts) == list(range(1, len(credentials) + 1))
    await close_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    report = tally_board.verify_board(await _board(session, ballot_id))
    assert report.ok, _failed(report)


async def test_open_ballots_get_a_signed_head_when_their_board_grows(
    session: AsyncSession,
) -> None:
    ballot_id, credentials = await _open(session)
    assert await board.sign_open_ballots(session, SIGNER) == 0  # signed at open already
    await cast_ballot(session, KEY, ballot_id, next(iter(credentials.values())), A)
    assert await board.sign_open_ballots(session, SIGNER) == 1
    assert await board.sign_open_ballots(session, SIGNER) == 0
    stored = await session.get(TreeHead, (ballot_id, 2))
    assert stored is not None
    parsed = await _board(session, ballot_id)
    assert [head.tree_size for head in parsed.tree_heads] == [1, 2]
    assert tally_board.verify_board(parsed).ok
