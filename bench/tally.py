"""Benchmark of ``tally.count`` against pyrankvote and pref_voting, measured in the same run.

Builds N ranked ballots over 8 candidates (default N = 1,000,000) and N approval ballots over
20 options, then times, each contender in a fresh process (so peak memory is its own):

- IRV: ``tally.count`` vs ``pyrankvote.instant_runoff_voting`` vs ``pref_voting``'s
  ``instant_runoff`` vs a naive pure-Python loop, on the same ballots. "count" times only the
  counting from each library's own ballot objects (pref_voting's includes building its Profile,
  which is where it aggregates); "total" adds building those objects from the raw ballots.
- Approval (k = 5), budget greedy and budget MES (with completion) with ``tally.count``.

It prints seconds, the ratios (how many times slower each baseline is than tally) and each
process's peak resident memory. Run: ``python bench/tally.py [--ballots N] [--skip NAME ...]``.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# This file is called tally.py: keep its folder off the import path so "import tally" finds
# the package (the repository root is put there instead, for runs without an install).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

CANDIDATES = 8
OPTIONS = 20
SEED = 20240501


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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- contenders: each returns (build seconds, count seconds, winner) ------------------------


def run_tally_irv(n: int) -> tuple[float, float, str]:
    from tally import BallotSpec, Option, Question, Record, count

    data = ranked_ballots(n)
    names = [f"c{i}" for i in range(CANDIDATES)]
    options = [Option(id=name, label=name) for name in names]
    spec = BallotSpec(questions=[Question(id="q", kind="ranked", prompt="?", options=options)])
    start = time.perf_counter()
    records = [Record(answers={"q": [names[c] for c in ranking]}) for ranking in rankings(data)]
    built = time.perf_counter()
    result = count(spec, records)
    done = time.perf_counter()
    return built - start, done - built, result.questions[0].winners[0]


def run_tally_irv_stream(n: int) -> tuple[float, float, str]:
    from tally import BallotSpec, Option, Question, Record, count

    data = ranked_ballots(n)
    names = [f"c{i}" for i in range(CANDIDATES)]
    options = [Option(id=name, label=name) for name in names]
    spec = BallotSpec(questions=[Question(id="q", kind="ranked", prompt="?", options=options)])
    start = time.perf_counter()
    records = (Record(answers={"q": [names[c] for c in ranking]}) for ranking in rankings(data))
    result = count(spec, records)
    done = time.perf_counter()
    return 0.0, done - start, result.questions[0].winners[0]


def run_naive_irv(n: int) -> tuple[float, float, str]:
    data = ranked_ballots(n)
    start = time.perf_counter()
    ballots = [list(ranking) for ranking in rankings(data)]
    built = time.perf_counter()
    continuing = set(range(CANDIDATES))
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
    return built - start, done - built, f"c{leader}"


def run_pyrankvote(n: int) -> tuple[float, float, str]:
    import pyrankvote

    data = ranked_ballots(n)
    start = time.perf_counter()
    candidates = [pyrankvote.Candidate(f"c{i}") for i in range(CANDIDATES)]
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[candidates[c] for c in ranking])
        for ranking in rankings(data)
    ]
    built = time.perf_counter()
    result = pyrankvote.instant_runoff_voting(candidates, ballots)
    done = time.perf_counter()
    return built - start, done - built, result.get_winners()[0].name


def run_pref_voting(n: int) -> tuple[float, float, str]:
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.profiles import Profile

    data = ranked_ballots(n)
    start = time.perf_counter()
    ballots = [list(ranking) for ranking in rankings(data)]
    built = time.perf_counter()
    winners = instant_runoff(Profile(ballots))
    done = time.perf_counter()
    return built - start, done - built, f"c{winners[0]}"


def approval_run(rule: dict[str, object], kind: str) -> Callable[[int], tuple[float, float, str]]:
    def run(n: int) -> tuple[float, float, str]:
        from tally import BallotSpec, Option, Question, Record, count

        masks = approval_masks(n)
        names = [f"p{i}" for i in range(OPTIONS)]
        options = [
            Option(id=name, label=name, cost=100_000 + 37_000 * (i % 7))
            for i, name in enumerate(names)
        ]
        question = Question(
            id="q",
            kind=kind,  # type: ignore[arg-type]
            prompt="?",
            options=options,
            max_choices=5,
            rule=rule,
            budget_limit=1_000_000 if kind == "budget" else None,
        )
        spec = BallotSpec(questions=[question])
        start = time.perf_counter()
        decoded = {}
        records = []
        for mask in masks:
            answer = decoded.get(mask)
            if answer is None:
                answer = decoded[mask] = [names[i] for i in range(OPTIONS) if mask >> i & 1]
            records.append(Record(answers={"q": list(answer)}))
        built = time.perf_counter()
        result = count(spec, records)
        done = time.perf_counter()
        return built - start, done - built, ",".join(result.questions[0].winners)

    return run


CONTENDERS: dict[str, Callable[[int], tuple[float, float, str]]] = {
    "tally-irv": run_tally_irv,
    "tally-irv-stream": run_tally_irv_stream,
    "naive-irv": run_naive_irv,
    "pyrankvote-irv": run_pyrankvote,
    "pref_voting-irv": run_pref_voting,
    "tally-approval": approval_run({"winners": 5}, "multiple"),
    "tally-budget-greedy": approval_run({}, "budget"),
    "tally-budget-mes": approval_run({"name": "mes"}, "budget"),
}


def child(name: str, n: int, queue: Any) -> None:
    try:
        build, counting, winner = CONTENDERS[name](n)
        queue.put((name, build, counting, winner, peak_mb(), ""))
    except ImportError as error:
        queue.put((name, 0.0, 0.0, "", peak_mb(), f"not installed: {error.name}"))


def measure(name: str, n: int) -> tuple[str, float, float, str, float, str]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=child, args=(name, n, queue))
    process.start()
    result: tuple[str, float, float, str, float, str] = queue.get()
    process.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000, help="ballots per profile")
    parser.add_argument("--skip", nargs="*", default=[], choices=sorted(CONTENDERS))
    arguments = parser.parse_args()
    n = arguments.ballots
    print(f"tally benchmark: {n:,} ballots; each contender in its own process", flush=True)
    print(f"{'contender':22} {'build s':>8} {'count s':>8} {'total s':>8} {'peak MB':>8}  winner")
    rows = {}
    for name in CONTENDERS:
        if name in arguments.skip:
            continue
        row = measure(name, n)
        rows[name] = row
        _, build, counting, winner, peak, note = row
        if note:
            print(f"{name:22} {note}")
            continue
        print(
            f"{name:22} {build:8.2f} {counting:8.2f} {build + counting:8.2f} {peak:8.0f}  {winner}",
            flush=True,
        )
    ours = rows.get("tally-irv")
    if ours and not ours[5]:
        print("\nIRV ratios (baseline time / tally time; higher means tally is faster):")
        for name in ("naive-irv", "pyrankvote-irv", "pref_voting-irv"):
            row = rows.get(name)
            if row and not row[5]:
                count_ratio = row[2] / ours[2]
                total_ratio = (row[1] + row[2]) / (ours[1] + ours[2])
                print(
                    f"  {name:18} count {count_ratio:6.1f}x   total (incl. building ballots) {total_ratio:6.1f}x"
                )
        winners = {rows[name][3] for name in rows if name.endswith("-irv") and not rows[name][5]}
        print(
            f"  all IRV contenders agree on the winner: {len(winners) == 1} ({', '.join(sorted(winners))})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
