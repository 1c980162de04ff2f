"""Bulletin-board API: the board file, the latest signed tree head, leaves, proofs, the key.

Everything here is public for every ballot that has opened: anyone may download the board and
check it with ``tally verify``, or check one receipt's inclusion.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from litestar import Router, get
from litestar.params import Parameter
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import board
from ballots.errors import NotFound
from ballots.models import Ballot
from ballots.models.bounds import ID_MAX, SAFE_TEXT
from tally.board import TreeHead
from vote.api.params import CountParam, IdParam, SizeParam
from vote.api.public import public_ballot
from vote.web import AppContext

MAX_LEAVES = 1000


class PublicKey(msgspec.Struct):
    """The service's Ed25519 public key, which signs every tree head."""

    algorithm: str
    public_key: str
    key_id: str


class LeafOut(msgspec.Struct):
    index: int
    data: str


async def opened_ballot(db: AsyncSession, ballot_id: int) -> Ballot:
    """A public ballot that has a board: it opened once (a draft cancelled unopened has none)."""
    ballot = await public_ballot(db, ballot_id)
    if not ballot.log_size:
        raise NotFound(what="board", id=ballot_id)
    return ballot


@get("/board/key", summary="The public key that signs tree heads")
async def signing_key(ctx: AppContext) -> PublicKey:
    return PublicKey(
        algorithm="Ed25519", public_key=ctx.signer.public_key_b64, key_id=ctx.signer.key_id
    )


@get("/ballots/{ballot_id:int}/board", summary="Download the ballot's board (JSON Lines)")
async def board_file(db: AsyncSession, ctx: AppContext, ballot_id: IdParam) -> Stream:
    """The whole board, as specified in docs/bulletin-board.md; check it with ``tally verify``.

    It is streamed from its own database session, so a large board is never all in memory.
    """
    await opened_ballot(db, ballot_id)

    async def lines() -> AsyncIterator[bytes]:
        async with ctx.read_sessionmaker() as session:
            async for line in board.board_lines(session, ctx.signer, ballot_id):
                yield line

    return Stream(
        lines(),
        media_type="application/jsonl",
        headers={"content-disposition": f'attachment; filename="ballot-{ballot_id}-board.jsonl"'},
    )


@get("/ballots/{ballot_id:int}/board/head", summary="The latest signed tree head")
async def tree_head(db: AsyncSession, ctx: AppContext, ballot_id: IdParam) -> TreeHead:
    await opened_ballot(db, ballot_id)
    return await board.latest_head(db, ctx.signer, ballot_id)


@get("/ballots/{ballot_id:int}/board/leaves", summary="Leaves of the board, by index")
async def leaves(
    db: AsyncSession,
    ballot_id: IdParam,
    start: CountParam = 0,
    count: Annotated[int, Parameter(ge=1, le=MAX_LEAVES)] = 100,
) -> list[LeafOut]:
    await opened_ballot(db, ballot_id)
    found = await board.leaves(db, ballot_id, start, start + count)
    return [LeafOut(index=index, data=data) for index, data in found]


@get("/ballots/{ballot_id:int}/board/proof", summary="Inclusion proof for a receipt's tracker")
async def inclusion(
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
    tracker: Annotated[str, Parameter(max_length=64, pattern=SAFE_TEXT)],
    tree_size: Annotated[int | None, Parameter(ge=1, le=ID_MAX)] = None,
) -> board.Proof:
    """The audit path from the tracker's leaf to the root of the signed head of ``tree_size``."""
    await opened_ballot(db, ballot_id)
    return await board.inclusion_proof(db, ctx.signer, ballot_id, tracker.strip(), tree_size)


@get("/ballots/{ballot_id:int}/board/consistency", summary="Consistency proof between two sizes")
async def consistency(
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
    first: SizeParam,
    second: Annotated[int | None, Parameter(ge=1, le=ID_MAX)] = None,
) -> board.Proof:
    """Proof that the board at ``second`` (default: now) extends the board at ``first``."""
    await opened_ballot(db, ballot_id)
    return await board.consistency_proof(db, ctx.signer, ballot_id, first, second)


router = Router(
    path="/api/v1",
    route_handlers=[signing_key, board_file, tree_head, leaves, inclusion, consistency],
    tags=["board"],
)
