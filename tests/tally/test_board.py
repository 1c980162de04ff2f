"""The bulletin board: boards built with the builder API pass, and each tamper is caught by the
check named for it; reading errors name the line; ``tally verify`` exit codes and messages."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import tally
from tally.board import (
    BoardFormatError,
    Cast,
    ParticipationEntry,
    Setup,
    TreeHead,
    cast_event,
    close_event,
    decode_event,
    leaf_line,
    make_header,
    participation_event,
    read_board,
    read_tree_head,
    result_event,
    setup_event,
    sign_tree_head,
    tree_head_line,
    tree_head_message,
    unit_pseudonym,
    verify_board,
    write_board,
)
from tally.cli import main
from tally.merkle import MerkleLog, leaf_hash

OPENED = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
CLOSED = datetime(2024, 5, 1, 20, 0, tzinfo=UTC)


def options(*ids: str) -> list[tally.Option]:
    return [tally.Option(id=option, label=option.upper()) for option in ids]


PROJECTS = tally.BallotSpec(
    title="瑞金街道 2024 实事项目",
    questions=[
        tally.Question(
            id="operator",
            kind="single",
            prompt="谁来经营老虎灶?",
            options=options("coop", "firm", "street"),
        ),
        tally.Question(
            id="projects",
            kind="multiple",
            prompt="Which projects?",
            options=options("roof", "fire", "bench", "light"),
            max_choices=2,
        ),
        tally.Question(
            id="firms", kind="ranked", prompt="Rank the firms", options=options("f1", "f2", "f3")
        ),
        tally.Question(
            id="service",
            kind="rating",
            prompt="政务评议",
            options=[
                tally.Option(id="good", label="满意", score=3),
                tally.Option(id="ok", label="基本满意", score=2),
                tally.Option(id="bad", label="不满意", score=1),
            ],
        ),
        tally.Question(
            id="budget",
            kind="budget",
            prompt="Spend 100",
            budget_limit=100,
            min_choices=0,
            options=[
                tally.Option(id="x", label="X", cost=60),
                tally.Option(id="y", label="Y", cost=50),
                tally.Option(id="z", label="Z", cost=40),
            ],
        ),
    ],
)

OWNERS = tally.BallotSpec(
    title="平改坡",
    voting_unit="household",
    weighting="area",
    questions=[
        tally.Question(
            id="roof",
            kind="yesno",
            prompt="Use the maintenance fund?",
            options=options("yes", "no", "abstain"),
            rule={"name": "dual_threshold"},
        )
    ],
)


def answers_for(number: int) -> tally.Answers:
    return {
        "operator": [("coop", "firm", "street")[number % 3]],
        "projects": [["roof"], ["fire", "bench"], ["roof", "light"]][number % 3],
        "firms": [["f1", "f2", "f3"], ["f2", "f1"], ["f3"]][number % 3],
        "service": [("good", "ok", "bad", "good")[number % 4]],
        "budget": [["x"], ["y", "z"], ["z"], []][number % 4],
    }


@dataclass
class Vote:
    tracker: str
    answers: tally.Answers
    unit: str
    weight: float = 1.0
    replaces: str | None = None
    channel: str = "online"


@dataclass
class Built:
    data: bytes
    key: Ed25519PrivateKey
    public: bytes
    heads: list[TreeHead]
    leaves: list[bytes]
    ballot_id: str = "ruijin-2024-7"
    extra: dict[str, Any] = field(default_factory=dict)


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def build(
    spec: tally.BallotSpec,
    votes: list[Vote],
    *,
    electorate: tally.Electorate | None = None,
    revoting: bool = True,
    participation: bool = False,
    close: bool = True,
    key: Ed25519PrivateKey = KEY,
    header_key: Ed25519PrivateKey | None = None,
    counted: int | None = None,
    result: bytes | None = None,
    tie_seed: str | None = None,
    entries: list[ParticipationEntry | tuple[str, str]] | None = None,
    ballot_id: str = "ruijin-2024-7",
) -> Built:
    """A board as the server would build it (every argument past ``votes`` bends one rule)."""
    electorate = electorate or tally.Electorate(size=20)
    leaves = [
        setup_event(
            ballot_id=ballot_id,
            title=spec.title,
            spec=spec,
            electorate=electorate,
            opened_at=OPENED,
            closes_at=CLOSED,
            revoting=revoting,
            participation=participation,
        )
    ]
    log = MerkleLog()
    heads: list[TreeHead] = []

    def add(data: bytes) -> None:
        leaves.append(data)
        log.append(data)

    def sign() -> None:
        heads.append(
            sign_tree_head(
                key,
                ballot_id=ballot_id,
                tree_size=log.size,
                root_hash=log.root(),
                timestamp=1_714_550_400_000 + log.size,
            )
        )

    log.append(leaves[0])
    sign()
    last: dict[str, Vote] = {}
    for number, vote in enumerate(votes):
        add(
            cast_event(
                tracker=vote.tracker,
                answers=vote.answers,
                unit=vote.unit,
                weight=vote.weight,
                hour=OPENED + timedelta(hours=number % 5),
                channel=vote.channel,
                replaces=vote.replaces,
            )
        )
        last[vote.unit] = vote
        if number == len(votes) // 2:
            sign()
    if close:
        add(close_event(closed_at=CLOSED, counted=len(last) if counted is None else counted))
        seed = log.root().hex()
        sign()
        if participation:
            add(
                participation_event(
                    entries
                    if entries is not None
                    else [("张*明", f"3号楼{n}01") for n in range(len(last))]
                )
            )
        by_area = spec.weighting == "area"
        records = [
            tally.Record(answers=v.answers, weight=v.weight if by_area else 1.0, unit=v.unit)
            for v in last.values()
        ]
        counted_result = tally.count(
            msgspec.structs.replace(spec, tie_seed=seed), records, electorate
        )
        add(
            result_event(
                result=result or msgspec.json.encode(counted_result), tie_seed=tie_seed or seed
            )
        )
    sign()
    header = make_header(ballot_id, public_bytes(header_key or key))
    data = write_board(header, leaves, heads)
    return Built(
        data=data,
        key=key,
        public=public_bytes(key),
        heads=heads,
        leaves=leaves,
        ballot_id=ballot_id,
    )


def projects_votes(n: int = 9) -> list[Vote]:
    votes = [Vote(tracker=f"trk-{i:03d}", answers=answers_for(i), unit=f"u{i}") for i in range(n)]
    # Voter 2 changes their mind twice (revoting): only the last cast counts.
    votes.append(Vote(tracker="trk-r1", answers=answers_for(5), unit="u2", replaces="trk-002"))
    votes.append(Vote(tracker="trk-r2", answers=answers_for(7), unit="u2", replaces="trk-r1"))
    return votes


def owners_votes() -> list[Vote]:
    areas = [100.0, 85.5, 120.25, 60.0, 99.9]
    return [
        Vote(
            tracker=f"own-{i}",
            answers={"roof": [("yes", "yes", "no", "yes", "abstain")[i]]},
            unit=f"h{i}",
            weight=areas[i],
            channel=("online", "paper")[i % 2],
        )
        for i in range(5)
    ]


def verify(data: bytes, **options: Any) -> tally.VerifyReport:
    return verify_board(read_board(data), **options)


def failed(report: tally.VerifyReport) -> str | None:
    first = report.first_failure
    return None if first is None else first.name


# --- Line surgery for tampering -----------------------------------------------------------------


def lines_of(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode().splitlines()]


def join(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(
        json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        for line in lines
    )


def renumber(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recompute every leaf's index and hash, as a forger who edits leaves would."""
    index = 0
    for line in lines:
        if line["kind"] == "leaf":
            line["index"] = index
            line["hash"] = leaf_hash(line["data"].encode()).hex()
            index += 1
    return lines


def leaf_positions(lines: list[dict[str, Any]], kind: str) -> list[int]:
    return [
        n
        for n, line in enumerate(lines)
        if line["kind"] == "leaf" and json.loads(line["data"])["type"] == kind
    ]


# --- Good boards --------------------------------------------------------------------------------


def test_a_good_board_passes_every_check() -> None:
    built = build(PROJECTS, projects_votes(), participation=True)
    report = verify(built.data, receipt="trk-004", since=built.heads[1], key=built.public)
    assert report.ok, report.checks
    # every check but ``paper``, which only a board with a paper batch has
    assert [check.name for check in report.checks] == [
        name for name in tally.board.CHECKS if name != "paper"
    ]
    assert all(check.status == "pass" for check in report.checks)
    assert report.counted == 9
    assert report.closed
    assert report.receipt_index == 5


def test_a_participation_list_marks_votes_by_proxy_and_only_those() -> None:
    entries: list[ParticipationEntry | tuple[str, str]] = [
        ParticipationEntry(name="李*英", address=f"3号楼{n}01", proxy=n == 0) for n in range(9)
    ]
    built = build(PROJECTS, projects_votes(), participation=True, entries=entries)
    assert verify(built.data).ok
    event = participation_event(entries[:2])
    assert (
        event
        == (
            '{"type":"participation","entries":[{"name":"李*英","address":"3号楼001","proxy":true},'
            '{"name":"李*英","address":"3号楼101"}]}'
        ).encode()
    )
    assert participation_event([{"name": "李*英", "address": "1", "proxy": "yes"}]).endswith(
        b'"proxy":true}]}'
    )


def test_owners_board_with_area_weights_and_dual_threshold() -> None:
    built = build(
        OWNERS, owners_votes(), electorate=tally.Electorate(size=6, area=600.0), revoting=False
    )
    report = verify(built.data)
    assert report.ok, report.first_failure
    assert (
        "roof: no-quorum" in report.check("recount").detail
        or "roof: " in report.check("recount").detail
    )
    assert report.check("electorate").detail.endswith("weight 465.65 of 600")


def test_an_open_board_passes_with_result_checks_skipped() -> None:
    built = build(PROJECTS, projects_votes(4), close=False)
    report = verify(built.data, receipt="trk-001")
    assert report.ok
    assert not report.closed
    statuses = {check.name: check.status for check in report.checks}
    assert statuses["close"] == statuses["tie-seed"] == statuses["recount"] == "skip"
    assert statuses["receipt"] == "pass"


def test_receipt_of_a_replaced_ballot_says_so() -> None:
    built = build(PROJECTS, projects_votes())
    detail = verify(built.data, receipt="trk-002").check("receipt").detail
    assert "replaced by a later ballot" in detail and "trk-r2" in detail


def test_builders_are_deterministic_and_hash_the_exact_bytes() -> None:
    first = build(PROJECTS, projects_votes())
    second = build(PROJECTS, projects_votes())
    assert first.data == second.data
    board = read_board(first.data)
    assert board.leaves == first.leaves
    event = decode_event(board.leaves[0])
    assert isinstance(event, Setup) and event.tie_seed == "root-after-close"
    cast = decode_event(board.leaves[1])
    assert (
        isinstance(cast, Cast) and cast.tracker == "trk-000" and cast.hour == "2024-05-01T08:00:00Z"
    )
    assert bytes.fromhex(lines_of(first.data)[1]["hash"]) == leaf_hash(first.leaves[0])


def test_tree_head_message_bytes() -> None:
    message = tree_head_message(
        ballot_id="42", tree_size=7, root_hash=bytes(32), timestamp=1714550400000
    )
    assert message == b"luwan-vote-board/1 tree-head\n42\n7\n" + b"0" * 64 + b"\n1714550400000\n"
    head = sign_tree_head(
        KEY, ballot_id="42", tree_size=7, root_hash=bytes(32), timestamp=1714550400000
    )
    KEY.public_key().verify(base64.b64decode(head.signature), message)
    with pytest.raises(ValueError):
        tree_head_message(ballot_id="a\nb", tree_size=1, root_hash=bytes(32), timestamp=0)


def test_unit_pseudonyms_are_per_ballot() -> None:
    secret = b"s" * 32
    assert unit_pseudonym(secret, "1", "household-9") == unit_pseudonym(secret, "1", "household-9")
    assert unit_pseudonym(secret, "1", "household-9") != unit_pseudonym(secret, "2", "household-9")
    assert len(unit_pseudonym(secret, "1", "x")) == 32


# --- Tampering: each caught by its check --------------------------------------------------------


def test_changed_answer_is_caught_by_leaf_hashes_or_root() -> None:
    built = build(PROJECTS, projects_votes())
    lines = lines_of(built.data)
    position = leaf_positions(lines, "cast")[3]
    lines[position]["data"] = lines[position]["data"].replace(
        '"operator":["coop"]', '"operator":["firm"]'
    )
    assert failed(verify(join(lines))) == "leaf-hashes"
    assert failed(verify(join(renumber(lines)))) == "root"


def test_dropped_ballot_is_caught() -> None:
    built = build(PROJECTS, projects_votes())
    lines = lines_of(built.data)
    del lines[leaf_positions(lines, "cast")[4]]
    assert failed(verify(join(lines))) == "leaf-hashes"  # the indexes skip one
    assert failed(verify(join(renumber(lines)))) == "root"


def test_inserted_ballot_is_caught() -> None:
    built = build(PROJECTS, projects_votes())
    lines = lines_of(built.data)
    extra = cast_event(tracker="stuffed", answers=answers_for(0), unit="ghost", hour=OPENED)
    lines.insert(
        leaf_positions(lines, "cast")[2],
        {"kind": "leaf", "index": 0, "hash": "", "data": extra.decode()},
    )
    assert failed(verify(join(renumber(lines)))) == "root"


def test_reordered_leaves_are_caught() -> None:
    built = build(PROJECTS, projects_votes())
    lines = lines_of(built.data)
    first, second = leaf_positions(lines, "cast")[1:3]
    lines[first], lines[second] = lines[second], lines[first]
    assert failed(verify(join(lines))) == "leaf-hashes"
    assert failed(verify(join(renumber(lines)))) == "root"


def test_altered_result_is_caught() -> None:
    built = build(PROJECTS, projects_votes())
    lines = lines_of(built.data)
    position = leaf_positions(lines, "result")[0]
    event = json.loads(lines[position]["data"])
    event["result"]["questions"][0]["winners"] = ["street"]
    lines[position]["data"] = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    assert failed(verify(join(renumber(lines)))) == "root"
    # The operator signs a false result with the real key: the recount catches it.
    honest = json.loads(built.leaves[-1])["result"]
    honest["questions"][0]["winners"] = ["street"]
    forged = build(PROJECTS, projects_votes(), result=json.dumps(honest).encode())
    report = verify(forged.data)
    assert failed(report) == "recount"
    assert "result.questions[0].winners" in report.check("recount").detail


def test_signature_from_another_key_is_caught() -> None:
    forged = build(PROJECTS, projects_votes(), key=OTHER_KEY, header_key=KEY)
    report = verify(forged.data)
    assert failed(report) == "signatures"
    assert "does not verify" in report.check("signatures").detail
    # A board whose header carries the forger's key is consistent, but not with the real key.
    swapped = build(PROJECTS, projects_votes(), key=OTHER_KEY)
    assert verify(swapped.data).ok
    assert failed(verify(swapped.data, key=public_bytes(KEY))) == "signatures"


def test_truncated_and_garbled_files_name_the_line() -> None:
    built = build(PROJECTS, projects_votes())
    with pytest.raises(BoardFormatError, match="truncated") as caught:
        read_board(built.data[:-40])
    assert caught.value.line == len(built.data.splitlines())
    lines = built.data.splitlines(keepends=True)
    garbled = b"".join([*lines[:4], b'{"kind":"leaf","index":3,\n', *lines[5:]])
    with pytest.raises(BoardFormatError, match="line 5: not valid JSON"):
        read_board(garbled)
    with pytest.raises(BoardFormatError, match="line 1: format 'luwan-vote-board/9'"):
        read_board(built.data.replace(b"luwan-vote-board/1", b"luwan-vote-board/9", 1))
    with pytest.raises(BoardFormatError, match="line 1: empty file"):
        read_board(b"")
    with pytest.raises(BoardFormatError, match="line 3: empty line"):
        read_board(b"".join([*lines[:2], b"\n", *lines[2:]]))
    with pytest.raises(BoardFormatError, match="line 2: a second header"):
        read_board(lines[0] + lines[0])
    with pytest.raises(BoardFormatError, match="line 2: tree_size"):
        read_board(
            lines[0]
            + b'{"kind":"tree_head","tree_size":"1","root_hash":"","timestamp":0,"signature":""}\n'
        )


def test_board_rewritten_after_a_receipt_fails_the_consistency_proof() -> None:
    honest = build(PROJECTS, projects_votes())
    saved = honest.heads[1]  # the voter kept the tree head their receipt came with
    assert verify(honest.data, since=saved).ok
    votes = projects_votes()
    votes[1].answers = answers_for(2)  # the operator changes an early ballot and re-signs
    rewritten = build(PROJECTS, votes)
    assert verify(rewritten.data).ok  # on its own the rewritten board looks fine
    report = verify(rewritten.data, since=saved)
    assert failed(report) == "since"
    assert "consistency proof fails" in report.check("since").detail
    # A board cut back below the saved head is a rollback.
    earlier = build(PROJECTS, projects_votes()[:2], close=False)
    assert failed(verify(earlier.data, since=honest.heads[-1])) == "since"
    # A saved head signed by someone else is rejected.
    alien = sign_tree_head(
        OTHER_KEY,
        ballot_id=honest.ballot_id,
        tree_size=saved.tree_size,
        root_hash=bytes.fromhex(saved.root_hash),
        timestamp=1,
    )
    assert failed(verify(honest.data, since=alien)) == "since"


def test_stuffing_beyond_the_electorate_is_caught() -> None:
    built = build(PROJECTS, projects_votes(12), electorate=tally.Electorate(size=10))
    assert failed(verify(built.data)) == "electorate"


def test_a_second_vote_without_replaces_is_caught() -> None:
    votes = projects_votes()
    votes.append(Vote(tracker="double", answers=answers_for(1), unit="u1"))
    assert failed(verify(build(PROJECTS, votes).data)) == "revoting"
    no_revoting = build(PROJECTS, projects_votes(), revoting=False)
    assert failed(verify(no_revoting.data)) == "revoting"
    wrong_chain = projects_votes()
    wrong_chain[-1].replaces = "trk-002"  # already replaced by trk-r1
    assert failed(verify(build(PROJECTS, wrong_chain).data)) == "revoting"


def test_an_invalid_ballot_is_caught() -> None:
    votes = projects_votes()
    votes[0].answers = {**answers_for(0), "operator": ["mayor"]}
    report = verify(build(PROJECTS, votes).data)
    assert failed(report) == "casts"
    assert "answers.operator: no such option 'mayor'" in report.check("casts").detail
    assert report.check("recount").status == "fail"
    duplicate = projects_votes()
    duplicate[1].tracker = "trk-000"
    assert failed(verify(build(PROJECTS, duplicate).data)) == "casts"
    heavy = projects_votes()
    heavy[0].weight = 2.0  # weighting is none: every cast weighs 1
    assert failed(verify(build(PROJECTS, heavy).data)) == "casts"


def test_close_count_participation_and_tie_seed_are_checked() -> None:
    assert failed(verify(build(PROJECTS, projects_votes(), counted=8).data)) == "close"
    short_list = build(
        PROJECTS, projects_votes(), participation=True, entries=[("张*明", "3号楼201")]
    )
    assert failed(verify(short_list.data)) == "participation"
    seed = "00" * 32
    assert failed(verify(build(PROJECTS, projects_votes(), tie_seed=seed).data)) == "tie-seed"


def test_events_out_of_order_are_caught() -> None:
    built = build(PROJECTS, projects_votes())
    lines = lines_of(built.data)
    close_at = leaf_positions(lines, "close")[0]
    cast_at = leaf_positions(lines, "cast")[0]
    moved = lines.pop(cast_at)
    lines.insert(close_at, moved)  # a cast after close
    report = verify(join(renumber(lines)))
    assert report.check("events").status == "fail"
    assert "a cast event is not allowed after close" in report.check("events").detail


def test_receipt_not_on_the_board_fails() -> None:
    built = build(PROJECTS, projects_votes())
    report = verify(built.data, receipt="nope")
    assert failed(report) == "receipt"


def test_saved_tree_head_files() -> None:
    built = build(PROJECTS, projects_votes())
    line = tree_head_line(built.heads[1])
    assert read_tree_head(line) == built.heads[1]
    loose = json.loads(line)
    del loose["kind"]
    loose["ballot_id"] = built.ballot_id
    assert read_tree_head(json.dumps(loose)) == built.heads[1]
    with pytest.raises(ValueError):
        read_tree_head(b"[1]")
    assert leaf_line(0, b'{"type":"close"}').endswith(b"\n")


# --- The command line ---------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_verify_good_board(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = build(PROJECTS, projects_votes(), participation=True)
    board = tmp_path / "board.jsonl"
    board.write_bytes(built.data)
    head = tmp_path / "head.json"
    head.write_bytes(tree_head_line(built.heads[1]))
    key = tmp_path / "key.txt"
    key.write_text(base64.b64encode(built.public).decode())
    status, out, err = run(
        capsys,
        "verify",
        str(board),
        "--receipt",
        "trk-003",
        "--since",
        str(head),
        "--key",
        str(key),
    )
    assert status == 0, out + err
    assert "OK: every check passed" in out
    assert "receipt" in out and "since" in out
    assert err == ""
    status, out, _ = run(capsys, "verify", str(board), "--json", "--key", built.public.hex())
    assert status == 0
    assert json.loads(out)["checks"][0] == {
        "name": "format",
        "status": "pass",
        "detail": "luwan-vote-board/1, 15 leaves",
    }


def test_cli_verify_names_the_first_failed_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = build(PROJECTS, projects_votes(), key=OTHER_KEY, header_key=KEY)
    board = tmp_path / "board.jsonl"
    board.write_bytes(forged.data)
    status, out, err = run(capsys, "verify", str(board))
    assert status == 1
    assert "FAILED: the first failed check is signatures" in out
    assert "FAIL  signatures" in out
    assert err.startswith("tally: verify: FAILED: signatures: line ")


def test_cli_verify_unreadable_boards(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = build(PROJECTS, projects_votes())
    board = tmp_path / "board.jsonl"
    board.write_bytes(built.data[:-25])
    status, out, err = run(capsys, "verify", str(board))
    assert status == 1
    assert out == ""
    last = len(built.data.splitlines())
    assert (
        err
        == f"tally: error: {board} line {last}: truncated: the last line does not end with a newline\n"
    )
    status, _, err = run(capsys, "verify", str(tmp_path / "missing.jsonl"))
    assert status == 1 and "cannot read" in err
    status, _, err = run(capsys, "verify", str(board), "--key", "not-a-key")
    assert status == 1 and "--key" in err
    status, _, err = run(capsys, "verify", str(board), "--since", str(board))
    assert status == 1 and "not a tree head" in err


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    directory = str(tmp_path)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=directory, **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def test_cli_verify_from_a_url(
    served: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, folder = served
    (folder / "board.jsonl").write_bytes(build(PROJECTS, projects_votes()).data)
    status, out, _ = run(capsys, "verify", f"{base}/board.jsonl", "--receipt", "trk-001")
    assert status == 0, out
    status, _, err = run(capsys, "verify", f"{base}/missing.jsonl")
    assert status == 1 and "cannot read" in err


def test_cli_count_still_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(msgspec.json.encode(msgspec.structs.replace(PROJECTS, tie_seed="s")))
    records = tmp_path / "records.jsonl"
    records.write_text("\n".join(json.dumps({"answers": answers_for(i)}) for i in range(4)) + "\n")
    status, out, _ = run(capsys, "count", str(spec), str(records))
    assert status == 0
    assert json.loads(out)["ballots"] == 4


def test_the_documented_example_board_verifies() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "bulletin-board.md").read_text(
        encoding="utf-8"
    )
    example = text.split("The whole board (line breaks\nonly between lines):\n\n```json\n", 1)[
        1
    ].split("```", 1)[0]
    report = verify(example.encode("utf-8"), receipt="m2pa-c4rt-88ne-q0zz")
    assert report.ok, report.first_failure
    assert report.root_hash == "c2b26c8d061365ca3e62027a4268f329829f12c29b010eae23c56de7ac9ece14"
    assert "t7wd-ee3k-a1b2-c3d4" in report.check("receipt").detail
    assert base64.b64decode(read_board(example.encode()).header.public_key) == public_bytes(
        Ed25519PrivateKey.from_private_bytes(bytes(32))
    )
