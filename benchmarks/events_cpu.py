"""Whole-run CPU per article of ``wirebeam run --offline`` at HEAD beside the commit before the learned scorer.

Issue 12 asks that whole-run CPU per article be at most 1.3x "today's" on 500-word articles, "today" being the
commit before the learned grouping landed (f78e248's parent, ``b0d66cd``). This benchmark runs both on the same
input in one run:

- **input**: every real English report of 300-1,000 words in the shared data (GVC and ECB+ reports, LGL, GeoVirus
  and TR-News articles: 1,218 reports, 489 words on average, with their titles, URLs and, where the corpus has
  them, dates), as JSON Lines seed files;
- **runs**: ``--rounds`` rounds, each running the old commit, then HEAD, on the seeds into a fresh database, and on
  an empty seeds directory (the fixed cost), every run a fresh process; CPU is the user + system time of the run's
  process and the workers it waited for (``os.wait4``). The machine is shared, so each figure is the minimum over
  the rounds.

The old commit runs from its own checkout and virtualenv, ``--old_checkout``; when it is missing the benchmark
makes it (``git worktree add --detach OLD b0d66cd`` from this repository, then ``make .venv/.installed`` in it,
about 2 minutes). Prints a table and writes ``benchmarks/results/events_cpu.json``.

Run: ``nice -n 10 .venv/bin/python -m benchmarks.events_cpu [--rounds 2] [--old_checkout /work/wb-events-old]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results" / "events_cpu.json"
OLD_COMMIT = "b0d66cd"
TARGET_RATIO = 1.3
CORPORA = (
    "events/gvc-dev.jsonl",
    "events/ecbplus-dev.jsonl",
    "places/lgl-dev.jsonl",
    "places/geovirus-dev.jsonl",
    "places/trnews-dev.jsonl",
)
"""Shared corpora with full article texts (``title``, ``text``; ``url`` or ``source`` as a URL; maybe ``published``)."""
RECORDS_PER_FILE = 500


def real_reports(data: Path, min_words: int, max_words: int) -> list[dict]:
    """Seed records for every report of the corpora with ``min_words``-``max_words`` words (URLs made unique)."""
    records, seen = [], set()
    for name in CORPORA:
        with (data / name).open(encoding="utf-8") as handle:
            for number, row in enumerate(map(json.loads, filter(str.strip, handle))):
                if not min_words <= len(row["text"].split()) <= max_words:
                    continue
                url = row.get("url") or row.get("source")
                if not isinstance(url, str) or not url.startswith("http") or url in seen:
                    url = f"https://{Path(name).stem}.example/{number}"
                seen.add(url)
                record = {"title": row.get("title") or "", "text": row["text"], "url": url}
                if row.get("published"):
                    record["published"] = row["published"]
                records.append(record)
    return records


def write_seeds(records: list[dict], directory: Path) -> None:
    """``records`` as JSON Lines seed files of ``RECORDS_PER_FILE`` each."""
    directory.mkdir(parents=True)
    for offset in range(0, len(records), RECORDS_PER_FILE):
        with (directory / f"part-{offset // RECORDS_PER_FILE:04d}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(record) + "\n" for record in records[offset : offset + RECORDS_PER_FILE])


def ensure_old_checkout(old: Path, commit: str) -> Path:
    """The old commit's Python, making its worktree and virtualenv first when missing."""
    python = old / ".venv" / "bin" / "python"
    if not old.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), commit], check=True)
    if not (old / ".venv" / ".installed").exists():
        subprocess.run(["make", "-C", str(old), ".venv/.installed"], check=True)
    return python


def run_cpu(python: Path, checkout: Path, seeds: Path, db: Path) -> tuple[float, float]:
    """CPU seconds and peak RSS (MiB) of one ``wirebeam run --offline`` with ``python`` in ``checkout``."""
    command = [str(python), "-m", "pipeline", "run", "--offline", "--seeds", str(seeds), "--db", str(db)]
    process = subprocess.Popen(command, cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{stderr[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def counts(db: Path) -> dict:
    """Articles and events the run stored."""
    with duckdb.connect(str(db), read_only=True) as connection:
        return {
            "articles": connection.execute("SELECT count(*) FROM articles").fetchone()[0],
            "events": connection.execute("SELECT count(DISTINCT event_id) FROM articles").fetchone()[0],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old_checkout", type=Path, default=ROOT.parent / "wb-events-old")
    parser.add_argument("--old_commit", default=OLD_COMMIT)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--min_words", type=int, default=300)
    parser.add_argument("--max_words", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON file to write.")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.error("the shared data (../shared/data) is missing")
    sides = {
        f"before ({args.old_commit})": (ensure_old_checkout(args.old_checkout, args.old_commit), args.old_checkout),
        "HEAD": (Path(sys.executable), ROOT),
    }
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    records = real_reports(SHARED_DATA, args.min_words, args.max_words)
    words = sum(len(record["text"].split()) for record in records) / len(records)
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="wb-events-cpu-") as tmp:
        work = Path(tmp)
        write_seeds(records, work / "seeds")
        (work / "empty").mkdir()
        for round_number in range(args.rounds):
            for side, (python, checkout) in sides.items():
                db = work / f"{round_number}-{len(runs[side])}.duckdb"
                cpu, peak = run_cpu(python, checkout, work / "seeds", db)
                fixed, _ = run_cpu(python, checkout, work / "empty", work / f"{round_number}-empty.duckdb")
                runs[side].append({"cpu_s": cpu, "peak_mib": peak, "empty_cpu_s": fixed, **counts(db)})
                db.unlink()
                print(f"round {round_number + 1}: {side}: {cpu:.1f} s CPU, empty run {fixed:.1f} s", file=sys.stderr)
    summary = {}
    for side, side_runs in runs.items():
        cpu, fixed = min(run["cpu_s"] for run in side_runs), min(run["empty_cpu_s"] for run in side_runs)
        summary[side] = {
            "ms_per_article": 1000 * cpu / len(records),
            "ms_per_article_without_fixed": 1000 * (cpu - fixed) / len(records),
            "fixed_cpu_s": fixed,
            "articles_stored": side_runs[0]["articles"],
            "events": side_runs[0]["events"],
            "runs": side_runs,
        }
    before, after = summary.values()
    ratio = after["ms_per_article"] / before["ms_per_article"]
    marginal_ratio = after["ms_per_article_without_fixed"] / before["ms_per_article_without_fixed"]
    print(f"\n{len(records)} real reports, {words:.0f} words on average; min of {args.rounds} rounds")
    print("| run | whole-run ms CPU / article | without the empty run's | empty run s | articles | events |")
    print("|---|---|---|---|---|---|")
    for side, figures in summary.items():
        print(
            f"| {side} | {figures['ms_per_article']:.2f} | {figures['ms_per_article_without_fixed']:.2f} "
            f"| {figures['fixed_cpu_s']:.2f} | {figures['articles_stored']} | {figures['events']} |"
        )
    verdict = "met" if ratio <= TARGET_RATIO else "missed"
    print(f"HEAD / before: {ratio:.2f} whole run ({verdict}: target <= {TARGET_RATIO}), {marginal_ratio:.2f} marginal")
    args.out.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "head": head.stdout.strip(),
                "old_commit": args.old_commit,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
                "articles": len(records),
                "mean_words": words,
                "rounds": args.rounds,
                "target_ratio": TARGET_RATIO,
                "ratio": ratio,
                "marginal_ratio": marginal_ratio,
                "sides": summary,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
