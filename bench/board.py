"""Benchmark of the bulletin board (``tally.board``), measured against baselines in the same run.

Part 1 — verifying a board: builds a board of N ballots (default 1,000,000; a single-choice or an
approval question, 1% of voters revote) with the server's builder API (``cast_event``,
``MerkleLog``, ``sign_tree_head``, ``BoardWriter``) into a temporary file, then, in a fresh
process each (so peak memory is its own), times:

- **verify**: ``read_board`` + ``verify_board`` (every check, with a receipt and a saved tree head),
  which is what ``tally verify BOARD --receipt T --since HEAD`` does;
- **baseline**: reading the same file's lines and one plain SHA-256 over each leaf's bytes (the
  least any verifier must do), and, for scale, ``msgspec`` decoding every line without hashing.

It prints seconds, the ratio verify / baseline, each process's peak resident memory and whether
the aim holds (issue 4: under 10 s for 1,000,000 ballots). Not a test: nothing asserts a time.

Part 2 — casting with the log on: runs ``bench/cast.py --against nolog``, which drives the real
cast endpoint of two servers on the embedded default in the same run, one as shipped and one with
the board append switched off, and prints the throughput ratio (aim: the log keeps at least 80%).

Run: ``python bench/board.py [--ballots N] [--kind single|approval] [--keep DIR] [--skip-cast]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Make "import tally" find the repository's package when run without an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20240501
AIM_SECONDS = 10.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_board(path: Path, ballots: int, kind: str) -> tuple[str, str]:
    """Write a closed board of ``ballots`` casts; return a tracker and the first tree head line."""
    import msgspec
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tally import BallotSpec, Electorate, Option, Question, Record, count_weighted
    from tally.board import (
        BoardWriter,
        cast_event,
        close_event,
        make_header,
        result_event,
        setup_event,
        sign_tree_head,
        tree_head_line,
    )
    from tally.merkle import MerkleLog

    rng = random.Random(SEED)
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    option_ids = [f"o{i}" for i in range(8 if kind == "single" else 20)]
    question = Question(
        id="q",
        kind="single" if kind == "single" else "multiple",
        prompt="Which project?",
        options=[Option(id=option, label=f"Project {option}") for option in option_ids],
        max_choices=None if kind == "single" else 5,
        rule={} if kind == "single" else {"name": "approval", "winners": 3},
    )
    spec = BallotSpec(questions=[question], title="Benchmark ballot")
    ballot_id = "bench-1"
    opened = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    electorate = Electorate(size=ballots + ballots // 5)
    weights = [1.0 / (1 + 0.3 * i) for i in range(len(option_ids))]
    log = MerkleLog()
    saved_head = ""
    tracker_for_receipt = ""
    counted: dict[str, tuple[str, ...]] = {}
    last_tracker: dict[str, str] = {}
    with path.open("wb") as stream:
        writer = BoardWriter(stream, make_header(ballot_id, public))

        def append(data: bytes) -> None:
            writer.leaf(data)
            log.append(data)

        def sign(timestamp: int) -> str:
            head = sign_tree_head(
                key,
                ballot_id=ballot_id,
                tree_size=log.size,
                root_hash=log.root(),
                timestamp=timestamp,
            )
            writer.tree_head(head)
            return tree_head_line(head).decode()

        append(
            setup_event(
                ballot_id=ballot_id,
                title=spec.title,
                spec=spec,
                electorate=electorate,
                opened_at=opened,
                revoting=True,
            )
        )
        sign(1_714_550_400_000)
        revoters = ballots // 100
        for number in range(ballots):
            unit = f"{number:032x}"
            if kind == "single":
                chosen = tuple(rng.choices(option_ids, weights=weights, k=1))
            else:
                picks = set(rng.choices(option_ids, weights=weights, k=rng.randint(1, 5)))
                chosen = tuple(sorted(picks))
            tracker = f"{rng.getrandbits(80):020x}"
            hour = opened + timedelta(hours=number * 10 // max(ballots, 1))
            append(cast_event(tracker=tracker, answers={"q": list(chosen)}, unit=unit, hour=hour))
            counted[unit] = chosen
            last_tracker[unit] = tracker
            if number == ballots // 2:
                tracker_for_receipt = tracker
            if (number + 1) % max(1, ballots // 10) == 0:
                line = sign(1_714_550_400_000 + number)
                if not saved_head:
                    saved_head = line
        for number in range(revoters):
            unit = f"{number * 37 % ballots:032x}"
            tracker = f"{rng.getrandbits(80):020x}"
            chosen = (option_ids[number % len(option_ids)],)
            append(
                cast_event(
                    tracker=tracker,
                    answers={"q": list(chosen)},
                    unit=unit,
                    hour=opened + timedelta(hours=10),
                    replaces=last_tracker[unit],
                )
            )
            counted[unit] = chosen
            last_tracker[unit] = tracker
        closed = opened + timedelta(hours=11)
        append(close_event(closed_at=closed, counted=len(counted)))
        seed = log.root().hex()
        sign(1_714_590_000_000)
        groups: dict[tuple[str, ...], int] = {}
        for chosen in counted.values():
            groups[chosen] = groups.get(chosen, 0) + 1
        result = count_weighted(
            msgspec.structs.replace(spec, tie_seed=seed),
            [(Record(answers={"q": list(chosen)}), n) for chosen, n in groups.items()],
            electorate,
        )
        append(result_event(result=result, tie_seed=seed))
        sign(1_714_590_060_000)
    return tracker_for_receipt, saved_head or ""


def run_verify(path: str, tracker: str, saved_head: str) -> tuple[float, float, str]:
    from tally.board import read_board, read_tree_head, verify_board

    start = time.perf_counter()
    board = read_board(path)
    report = verify_board(board, receipt=tracker, since=read_tree_head(saved_head))
    elapsed = time.perf_counter() - start
    failed = report.first_failure
    status = "all checks pass" if failed is None else f"FAILED {failed.name}: {failed.detail}"
    return elapsed, peak_mb(), status


def run_baseline(path: str) -> tuple[float, float, str]:
    """Read the lines, decode each, SHA-256 over each leaf's bytes: the floor for any verifier."""
    import hashlib

    import msgspec

    start = time.perf_counter()
    decode = msgspec.json.Decoder(dict[str, object]).decode
    sha256 = hashlib.sha256
    leaves = 0
    with open(path, "rb") as stream:
        for line in stream:
            item = decode(line)
            data = item.get("data")
            if isinstance(data, str):
                sha256(b"\x00" + data.encode("utf-8")).digest()
                leaves += 1
    return time.perf_counter() - start, peak_mb(), f"{leaves} leaves hashed"


def run_build(path: str, ballots: str, kind: str) -> tuple[float, float, str]:
    """Build the board (in its own process, so the others start from a small parent)."""
    start = time.perf_counter()
    tracker, saved_head = build_board(Path(path), int(ballots), kind)
    return time.perf_counter() - start, peak_mb(), tracker + "\n" + saved_head


def run_hash_only(path: str) -> tuple[float, float, str]:
    """Plain SHA-256 over every line's bytes, nothing else."""
    import hashlib

    start = time.perf_counter()
    lines = 0
    with open(path, "rb") as stream:
        for line in stream:
            hashlib.sha256(line).digest()
            lines += 1
    return time.perf_counter() - start, peak_mb(), f"{lines} lines hashed"


def _child(target: str, args: tuple[str, ...], queue: multiprocessing.Queue[object]) -> None:
    function = {
        "build": run_build,
        "verify": run_verify,
        "baseline": run_baseline,
        "hash": run_hash_only,
    }[target]
    try:
        queue.put(function(*args))
    except Exception as error:  # report it instead of leaving the parent waiting
        queue.put((float("nan"), peak_mb(), f"ERROR {error!r}"))
        raise


def in_process(target: str, *args: str) -> tuple[float, float, str]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[object] = context.Queue()
    process = context.Process(target=_child, args=(target, args, queue))
    process.start()
    result = queue.get()
    process.join()
    assert isinstance(result, tuple)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--kind", choices=("single", "approval"), default="single")
    parser.add_argument("--keep", metavar="DIR", help="write the board into DIR and keep it")
    parser.add_argument("--skip-cast", action="store_true", help="skip part 2 (cast throughput)")
    parser.add_argument("--cast-requests", type=int, default=4000, help="part 2: casts per run")
    arguments = parser.parse_args()
    folder = Path(arguments.keep or tempfile.mkdtemp(prefix="board-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"board-{arguments.kind}-{arguments.ballots}.jsonl"
    built, _, found = in_process("build", str(path), str(arguments.ballots), arguments.kind)
    tracker, saved_head = found.split("\n", 1)
    size_mb = path.stat().st_size / 1e6
    print(
        f"built a {arguments.kind} board of {arguments.ballots:,} ballots "
        f"(+1% revotes) in {built:.1f} s: {size_mb:.0f} MB, {path}"
    )
    rows = [
        (
            "verify (read_board + verify_board)",
            in_process("verify", str(path), tracker, saved_head),
        ),
        ("baseline: decode lines + SHA-256 leaves", in_process("baseline", str(path))),
        ("baseline: SHA-256 of each line only", in_process("hash", str(path))),
    ]
    verify_seconds = rows[0][1][0]
    print(f"{'what':<42} {'seconds':>8} {'x base':>7} {'peak MB':>8}  notes")
    for name, (seconds, peak, note) in rows:
        ratio = seconds / rows[1][1][0]
        print(f"{name:<42} {seconds:8.2f} {ratio:7.2f} {peak:8.0f}  {note}")
    aim = verify_seconds < AIM_SECONDS * arguments.ballots / 1_000_000
    print(
        f"aim: verify {arguments.ballots:,} ballots in under "
        f"{AIM_SECONDS * arguments.ballots / 1_000_000:.1f} s: {'met' if aim else 'NOT met'}"
    )
    if not arguments.keep:
        path.unlink()
        folder.rmdir()
    if not arguments.skip_cast:
        print(
            "\npart 2: casting with the board on vs off (bench/cast.py --against nolog)", flush=True
        )
        cast = Path(__file__).with_name("cast.py")
        command = [sys.executable, str(cast), "--against", "nolog"]
        subprocess.run([*command, "--requests", str(arguments.cast_requests)], check=True)


if __name__ == "__main__":
    main()
