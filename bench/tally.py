"""Benchmark of tally against pyrankvote, pref_voting and a naive loop, measured in the same run.

Every contender starts from the same input: the bytes of a JSON Lines records file (one
``{"answers": {"q": [...]}}`` a line, the format ``tally count`` reads), with N ranked ballots
over 8 candidates (default N = 1,000,000), or N approval ballots over 20 options. Each contender
runs in a fresh process (so its peak memory is its own) and is timed in two phases:

Budget ballots keep their approvals only while they fit the 1,000,000 limit (so they are valid).

- **read**: from the JSON Lines bytes to the contender's own ballot objects. tally
  (``tally.read_lines``): count identical lines, decode and check only the distinct ones.
  tally-records: decode every line into a ``Record`` (what ``tally.count`` takes). The others:
  decode every line with msgspec (the fastest decoder we know) and build pyrankvote ``Ballot``
  objects / lists of candidate numbers. Only tally checks the answers against the spec.
- **count**: from those objects to the result (pref_voting's includes building its ``Profile``,
  which is where it aggregates).

**End to end** = read + count, from the same bytes: that is what the aims are judged on (IRV at
least 20x faster than pyrankvote; approval and budget rules under 1 s; peak memory under
500 MB). "Count only" ratios are printed too, for comparison with pure counting.

Each contender runs ``--repeat`` times (default 3) on the same input and its fastest run (by end
to end time) is reported, as the machine may be busy. Python's cyclic garbage collector is off
during every contender's runs (tally switches it off while it counts; the baselines get the same
help); ``--gc`` leaves it on everywhere.

Run: ``python bench/tally.py [--ballots N] [--repeat K] [--gc] [--skip NAME ...]``. Not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import random
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

# This file is called tally.py: keep its folder off the import path so "import tally" finds
# the package (the repository root is put there instead, for runs without an install).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

CANDIDATES = 8
OPTIONS = 20
SEED = 20240501
LIMIT = 1_000_000


def ranked_ballots(n: int) -> bytes:
    """n full rankings over 8 candidates, 8 bytes each; candidates have different popularity."""
    rng = random.Random(SEED)
    popularity = [1.0 + 0.15 * i for i in range(CANDIDATES)]
    out = bytearray()
    for _ in range(n):
        keys = sorted(range(CANDIDATES), key=lambda c: -(rng.random() ** (1.0 / popularity[c])))
        out.extend(keys)
    return bytes(out)


def approval_masks(n: int) -> list[int]:
    """n approval ballots over 20 options as bit masks, 1 to 5 approvals each."""
    rng = random.Random(SEED + 1)
    weights = [1.0 / (1 + i * 0.2) for i in range(OPTIONS)]
    masks = []
    for _ in range(n):
        chosen = set(rng.choices(range(OPTIONS), weights=weights, k=rng.randint(1, 5)))
        mask = 0
        for option in chosen:
            mask |= 1 << option
        masks.append(mask)
    return masks


def rankings(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CANDIDATES):
        yield data[start : start + CANDIDATES]


def ranked_lines(n: int) -> bytes:
    """The JSON Lines records file of the n ranked ballots (identical ballots, identical lines)."""
    names = [f"c{i}" for i in range(CANDIDATES)]
    encoded: dict[bytes, bytes] = {}

    def line(ranking: bytes) -> bytes:
        found = encoded.get(ranking)
        if found is None:
            found = encoded[ranking] = msgspec.json.encode(
                {"answers": {"q": [names[c] for c in ranking]}}
            )
        return found

    return b"\n".join(map(line, rankings(ranked_ballots(n)))) + b"\n"


def project_cost(option: int) -> int:
    """The cost of budget project ``option`` (100,000 to 322,000)."""
    return 100_000 + 37_000 * (option % 7)


def approval_lines(n: int, limit: int = 0) -> bytes:
    """The JSON Lines records file of the n approval ballots; with a budget ``limit``, each
    ballot keeps its approvals (in option order) only while their total cost fits."""
    names = [f"p{i}" for i in range(OPTIONS)]
    encoded: dict[int, bytes] = {}

    def line(mask: int) -> bytes:
        found = encoded.get(mask)
        if found is None:
            chosen = [i for i in range(OPTIONS) if mask >> i & 1]
            if limit:
                kept, total = [], 0
                for option in chosen:
                    if total + project_cost(option) <= limit:
                        kept.append(option)
                        total += project_cost(option)
                chosen = kept
            answer = [names[i] for i in chosen]
            found = encoded[mask] = msgspec.json.encode({"answers": {"q": answer}})
        return found

    return b"\n".join(map(line, approval_masks(n))) + b"\n"


def decode_answers(data: bytes) -> list[list[str]]:
    """Every line's answer to question q, decoded with msgspec (the baselines' read phase)."""

    class Line(msgspec.Struct):
        answers: dict[str, list[str]]

    decoder = msgspec.json.Decoder(Line)
    return [line.answers["q"] for line in decoder.decode_lines(data)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ranked_spec() -> Any:
    from tally import BallotSpec, Option, Question

    names = [f"c{i}" for i in range(CANDIDATES)]
    options = [Option(id=name, label=name) for name in names]
    return BallotSpec(questions=[Question(id="q", kind="ranked", prompt="?", options=options)])


# --- contenders: each returns (read seconds, count seconds, winner) -------------------------


def run_tally_irv(data: bytes) -> tuple[float, float, str]:
    from tally import count_weighted, read_lines

    spec = ranked_spec()
    start = time.perf_counter()
    counted = read_lines(spec, data)
    read = time.perf_counter()
    result = count_weighted(spec, counted)
    done = time.perf_counter()
    return read - start, done - read, result.questions[0].winners[0]


def run_tally_records_irv(data: bytes) -> tuple[float, float, str]:
    from tally import Record, count

    spec = ranked_spec()
    decoder = msgspec.json.Decoder(Record)
    start = time.perf_counter()
    # Streamed: each line is decoded as count() reads it, so "read" is inside "count".
    result = count(spec, map(decoder.decode, io.BytesIO(data)))
    done = time.perf_counter()
    return 0.0, done - start, result.questions[0].winners[0]


def run_naive_irv(data: bytes) -> tuple[float, float, str]:
    start = time.perf_counter()
    ballots = decode_answers(data)
    read = time.perf_counter()
    candidates = sorted({choice for ballot in ballots[:1000] for choice in ballot})
    continuing = set(candidates)
    while True:
        tallies = dict.fromkeys(continuing, 0)
        for ballot in ballots:
            for choice in ballot:
                if choice in continuing:
                    tallies[choice] += 1
                    break
        leader = max(tallies, key=lambda c: tallies[c])
        if tallies[leader] * 2 > sum(tallies.values()) or len(continuing) == 1:
            break
        continuing.remove(min(tallies, key=lambda c: tallies[c]))
    done = time.perf_counter()
    return read - start, done - read, leader


def run_pyrankvote(data: bytes) -> tuple[float, float, str]:
    import pyrankvote

    start = time.perf_counter()
    candidates = {f"c{i}": pyrankvote.Candidate(f"c{i}") for i in range(CANDIDATES)}
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[candidates[c] for c in answer])
        for answer in decode_answers(data)
    ]
    read = time.perf_counter()
    result = pyrankvote.instant_runoff_voting(list(candidates.values()), ballots)
    done = time.perf_counter()
    return read - start, done - read, result.get_winners()[0].name


def run_pref_voting(data: bytes) -> tuple[float, float, str]:
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.profiles import Profile

    start = time.perf_counter()
    number = {f"c{i}": i for i in range(CANDIDATES)}
    ballots = [[number[c] for c in answer] for answer in decode_answers(data)]
    read = time.perf_counter()
    winners = instant_runoff(Profile(ballots))
    done = time.perf_counter()
    return read - start, done - read, f"c{winners[0]}"


def approval_run(rule: dict[str, object], kind: str) -> Runner:
    def run(data: bytes) -> tuple[float, float, str]:
        from tally import BallotSpec, Option, Question, count_weighted, read_lines

        names = [f"p{i}" for i in range(OPTIONS)]
        options = [
            Option(id=name, label=name, cost=project_cost(i)) for i, name in enumerate(names)
        ]
        question = Question(
            id="q",
            kind=kind,  # type: ignore[arg-type]
            prompt="?",
            options=options,
            max_choices=5,
            rule=rule,
            budget_limit=LIMIT if kind == "budget" else None,
        )
        spec = BallotSpec(questions=[question])
        start = time.perf_counter()
        counted = read_lines(spec, data)
        read = time.perf_counter()
        result = count_weighted(spec, counted)
        done = time.perf_counter()
        return read - start, done - read, ",".join(result.questions[0].winners)

    return run


def budget_lines(n: int) -> bytes:
    return approval_lines(n, LIMIT)


Runner = Callable[[bytes], tuple[float, float, str]]
CONTENDERS: dict[str, tuple[Callable[[int], bytes], Runner]] = {
    "tally-irv": (ranked_lines, run_tally_irv),
    "tally-records-irv": (ranked_lines, run_tally_records_irv),
    "naive-irv": (ranked_lines, run_naive_irv),
    "pyrankvote-irv": (ranked_lines, run_pyrankvote),
    "pref_voting-irv": (ranked_lines, run_pref_voting),
    "tally-approval": (approval_lines, approval_run({"winners": 5}, "multiple")),
    "tally-budget-greedy": (budget_lines, approval_run({}, "budget")),
    "tally-budget-mes": (budget_lines, approval_run({"name": "mes"}, "budget")),
}
INCLUDES = {
    "tally-irv": "collapse identical lines, decode+check distinct ones; count_weighted",
    "tally-records-irv": "decode every line to a Record, streamed into tally.count",
    "naive-irv": "decode every line; pure-Python IRV loop",
    "pyrankvote-irv": "decode every line, build pyrankvote Ballots; instant_runoff_voting",
    "pref_voting-irv": "decode every line to lists; build Profile + instant_runoff",
    "tally-approval": "tally.read_lines; count_weighted, approval k = 5",
    "tally-budget-greedy": "tally.read_lines; count_weighted, greedy",
    "tally-budget-mes": "tally.read_lines; count_weighted, MES with completion",
}


def child(name: str, n: int, queue: Any, collect: bool, repeat: int) -> None:
    try:
        make_input, runner = CONTENDERS[name]
        data = make_input(n)
        if not collect:
            gc.disable()
        runs = []
        for _ in range(repeat):
            runs.append(runner(data))
            gc.collect()
        read, counting, winner = min(runs, key=lambda run: run[0] + run[1])
        queue.put((name, read, counting, winner, peak_mb(), ""))
    except ImportError as error:
        queue.put((name, 0.0, 0.0, "", peak_mb(), f"not installed: {error.name}"))
    except Exception as error:  # report it instead of leaving the parent waiting
        queue.put((name, 0.0, 0.0, "", peak_mb(), f"failed: {error!r}"))


def measure(
    name: str, n: int, collect: bool, repeat: int
) -> tuple[str, float, float, str, float, str]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=child, args=(name, n, queue, collect, repeat))
    process.start()
    result: tuple[str, float, float, str, float, str] = queue.get()
    process.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000, help="ballots per profile")
    parser.add_argument("--skip", nargs="*", default=[], choices=sorted(CONTENDERS))
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per contender; the fastest is reported"
    )
    parser.add_argument(
        "--gc",
        action="store_true",
        help="leave Python's cyclic garbage collector on in every contender (default: off in "
        "all of them, as tally switches it off while it counts)",
    )
    arguments = parser.parse_args()
    n = arguments.ballots
    print(
        f"tally benchmark: {n:,} ballots; every contender starts from the same JSON Lines bytes, "
        f"each in its own process, best of {arguments.repeat} runs, cyclic GC "
        f"{'on' if arguments.gc else 'off'} in all",
        flush=True,
    )
    print(
        f"{'contender':20} {'read s':>7} {'count s':>7} {'e2e s':>7} {'peak MB':>8}  "
        "winner   (what read; count include)"
    )
    rows = {}
    for name in CONTENDERS:
        if name in arguments.skip:
            continue
        row = measure(name, n, arguments.gc, arguments.repeat)
        rows[name] = row
        _, read, counting, winner, peak, note = row
        if note:
            print(f"{name:20} {note}")
            continue
        print(
            f"{name:20} {read:7.2f} {counting:7.2f} {read + counting:7.2f} {peak:8.0f}  "
            f"{winner[:40]:8} ({INCLUDES[name]})",
            flush=True,
        )
    ours = rows.get("tally-irv")
    if ours and not ours[5]:
        print(
            "\nIRV ratios, baseline time / tally time (higher: tally faster). The aim (>= 20x "
            "pyrankvote) is judged end to end."
        )
        for name in ("tally-records-irv", "naive-irv", "pyrankvote-irv", "pref_voting-irv"):
            row = rows.get(name)
            if row and not row[5]:
                count_ratio = row[2] / ours[2]
                total_ratio = (row[1] + row[2]) / (ours[1] + ours[2])
                print(
                    f"  {name:18} end to end {total_ratio:6.1f}x   count only {count_ratio:6.1f}x"
                )
        winners = {rows[name][3] for name in rows if name.endswith("-irv") and not rows[name][5]}
        print(
            f"  all IRV contenders agree on the winner: {len(winners) == 1} "
            f"({', '.join(sorted(winners))})"
        )
    print("\nAims (end to end, from the JSON Lines bytes):")
    row = rows.get("pyrankvote-irv")
    if ours and not ours[5] and row and not row[5]:
        ratio = (row[1] + row[2]) / (ours[1] + ours[2])
        print(f"  IRV >= 20x faster than pyrankvote: {ratio:.1f}x -> {_verdict(ratio >= 20)}")
    for name in ("tally-approval", "tally-budget-greedy", "tally-budget-mes"):
        row = rows.get(name)
        if row and not row[5]:
            total = row[1] + row[2]
            print(f"  {name:20} under 1 s: {total:.2f} s -> {_verdict(total < 1)}")
    tally_peaks = [row[4] for name, row in rows.items() if name.startswith("tally") and not row[5]]
    if tally_peaks:
        peak = max(tally_peaks)
        print(
            f"  tally peak memory under 500 MB (input bytes and their generation included): "
            f"{peak:.0f} MB -> {_verdict(peak < 500)}"
        )
    return 0


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
