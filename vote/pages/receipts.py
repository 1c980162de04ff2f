"""The check page: a resident types the receipt code and learns, in one sentence, where their
vote stands; the phone then checks the proof and signature itself (``static/verify.js``).

The code is read however it is typed (spaces, dashes, full-width digits, the older letter form:
:func:`tally.read_receipt`); a mistyped code gets a plain message beside the field.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import board
from ballots.errors import N_
from tally.merkle import verify_inclusion
from tally.receipts import RECEIPT_CODE_DIGITS, ReceiptCodeError, read_receipt, receipt_code
from vote.api.params import IdParam, SearchParam
from vote.api.public import public_ballot
from vote.i18n import gettext_, localise
from vote.pages.errors import page
from vote.web import AppContext

TYPED_MAX = 100

CODE_ERRORS = {
    "empty": N_("Please type the receipt code from your receipt: {digits} digits."),
    "length": N_(
        "A receipt code has {digits} digits; this has {typed}. Please compare it with your "
        "receipt, group by group."
    ),
    "check": N_(
        "A digit of this receipt code is wrong, or two are swapped. Please compare it with your "
        "receipt, group by group."
    ),
    "voting-code": N_(
        "This looks like the voting code from your invitation, not a receipt code. The receipt "
        "code has {digits} digits and was shown after you voted."
    ),
    "characters": N_(
        "A receipt code is made of {digits} digits. Please compare what you typed with your "
        "receipt."
    ),
}
NOT_ON_BOARD = N_(
    "No vote with this receipt code is on this ballot's list. Please compare it with your "
    "receipt, and check that the receipt is for this ballot."
)


def code_error(error: ReceiptCodeError) -> str:
    """What is wrong with a typed receipt code, in the reader's language."""
    return localise(
        CODE_ERRORS[error.reason], {"digits": RECEIPT_CODE_DIGITS, "typed": error.digits}
    )


@get("/ballots/{ballot_id:int}/check", name="check-page")
async def check_page(
    db: AsyncSession, ctx: AppContext, ballot_id: IdParam, tracker: SearchParam = ""
) -> Template:
    """Check a receipt from a link (the receipt's own link carries its code)."""
    return await _check(db, ctx, ballot_id, tracker)


@post("/ballots/{ballot_id:int}/check", status_code=200)
async def check_typed(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, ballot_id: IdParam
) -> Template:
    """Check a typed receipt code, posted so that whatever was typed (even a voting code typed
    by mistake) stays out of addresses and server logs."""
    typed = (await request.form()).get("tracker", "")
    return await _check(db, ctx, ballot_id, typed if isinstance(typed, str) else "")


async def _check(db: AsyncSession, ctx: AppContext, ballot_id: int, tracker: str) -> Template:
    """Check a receipt: the server finds it, and the phone checks the proof and signature itself."""
    ballot = await public_ballot(db, ballot_id)
    typed = tracker.strip()[:TYPED_MAX]
    found, proof, verified, counts, error, status = "", None, False, False, "", 200
    if typed:
        try:
            found = read_receipt(typed)
        except ReceiptCodeError as wrong:
            error, status = code_error(wrong), 422
            if wrong.reason == "voting-code":
                typed = ""  # a voting code is not shown back on the screen
    if found:
        try:
            proof = await board.inclusion_proof(db, ctx.signer, ballot_id, found)
        except board.TrackerNotOnBoard:
            error, status = gettext_(NOT_ON_BOARD), 404
        else:
            assert proof.leaf_index is not None and proof.leaf_hash is not None
            verified = verify_inclusion(
                proof.leaf_index,
                proof.tree_size,
                bytes.fromhex(proof.leaf_hash),
                [bytes.fromhex(h) for h in proof.hashes],
                bytes.fromhex(proof.tree_head.root_hash),
            )
            counts = await board.receipt_counts(db, ballot_id, found)
            typed = receipt_code(found) or found  # shown as the receipt shows it
    return page(
        "check.html",
        status_code=status,
        ballot=ballot,
        typed=typed,
        tracker=found if proof else "",
        code=receipt_code(found) or found,
        proof=proof,
        verified=verified,
        counts=counts,
        error=error,
        # The phone checks the signed head against the key the service publishes (the board
        # header's, /api/v1/board/key, the ballot page's), not against the proof response.
        public_key=ctx.signer.public_key_b64,
        key_id=ctx.signer.key_id,
        board_ballot_id=board.board_ballot_id(ballot.id),
    )
