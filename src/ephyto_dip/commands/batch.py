"""A directory of inputs, one job per file: the file list, worker processes, a progress bar.

``convert DIR`` and ``validate DIR`` share it. A worker returns a small picklable record per
file (``{"file", "ok", "findings"}``); only what the summary needs is kept, so memory stays
flat as a batch grows.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, TypeVar

from ..findings import Finding
from ..jsontypes import JSONObject
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

J = TypeVar("J")  # a worker's job: a picklable tuple of what it needs


class Record(TypedDict):
    """What a worker returns for one file: small and picklable."""

    file: str
    ok: bool
    findings: list[JSONObject]  # each as Finding.to_dict() gives it, with "file"


def finding_of(record: JSONObject) -> Finding:
    """A finding back from its record (``Finding.to_dict()`` form)."""
    return Finding(**record)  # type: ignore[arg-type]  # the keys and values are those to_dict gave

INPUT_SUFFIXES = (".xml", ".json")  # certificates, envelopes and DIPs; DIP JSON


def positive_int(text: str) -> int:
    """argparse type of ``--jobs``: a whole number of at least 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not a number of worker processes (at least 1)")
    return n


def input_files(src: Path, suffixes: tuple[str, ...] = INPUT_SUFFIXES) -> tuple[list[Path], list[Path]]:
    """``(inputs, skipped)``: the files of ``src`` with a suffix in ``suffixes``, and the others."""
    files = sorted(p for p in src.iterdir() if p.is_file())
    inputs = [p for p in files if p.suffix.lower() in suffixes]
    return inputs, [p for p in files if p.suffix.lower() not in suffixes]


def worker_count(jobs: int | None) -> int:
    return jobs or os.cpu_count() or 1


def run_jobs(worker: Callable[[J], Record], jobs: list[J], workers: int,
             warm: Callable[[], None]) -> Iterator[Record]:
    """``worker(job)`` for every job, in order, in ``workers`` processes (in this one for few)."""
    warm()  # once, before the workers fork from this process and inherit it all
    # What is loaded now lives for the whole run: out of the collector's sight, it is not
    # scanned again by every full collection, nor copied into each forked worker by it.
    gc.freeze()
    if workers <= 1 or len(jobs) < 4:
        for job in jobs:
            yield worker(job)
        return
    # small chunks (at most 8 files): the batch ends when its last chunk does
    chunk = max(1, min(8, len(jobs) // (workers * 8) or 1))
    from concurrent.futures import ProcessPoolExecutor  # (multiprocessing: only for a pool)

    with ProcessPoolExecutor(max_workers=workers, initializer=warm) as pool:
        yield from pool.map(worker, jobs, chunksize=chunk)


def records(findings: Iterable[Finding], path: str) -> list[JSONObject]:
    """Findings as a worker's picklable dictionaries, each naming its file."""
    return [{"file": path, **f.to_dict()} for f in findings]


def internal_error(path: str, exc: Exception) -> Record:
    """A bug must not stop a batch of thousands: the file is reported by name."""
    return {"file": path, "ok": False,
            "findings": [{"code": "IO-READ", "severity": "error", "file": path,
                          "message": f"internal error: {type(exc).__name__}: {exc}"}]}


class Progress:
    """A progress bar on a terminal (rich if installed, else a plain counter); silent otherwise."""

    _task: TaskID

    def __init__(self, total: int, enabled: bool, what: str = "converting") -> None:
        self.total, self.enabled, self.done = total, enabled, 0
        self._rich: RichProgress | None = None
        if enabled:
            try:
                from rich.progress import Progress as RichProgress

                self._rich = RichProgress(transient=True)
                self._rich.start()
                self._task = self._rich.add_task(what, total=total)
            except ImportError:
                self._rich = None

    def advance(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self._rich is not None:
            self._rich.update(self._task, advance=1)
        elif self.done % 50 == 0 or self.done == self.total:
            sys.stderr.write(f"\r{self.done}/{self.total}")
            sys.stderr.flush()

    def log(self, line: str) -> None:
        if self._rich is not None:
            self._rich.console.print(line, markup=False, highlight=False)
        else:
            sys.stderr.write(("\n" if self.enabled else "") + line + "\n")

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
        elif self.enabled:
            sys.stderr.write("\n")


def summarise(args: argparse.Namespace, src: Path, jobs: list[J], skipped: list[Path], worker: Callable[[J], Record],
              warm: Callable[[], None], verb: str, out_dir: Path | None = None) -> int:
    """Run a batch and report it: each failure by file, each warning (text), a closing line."""
    workers = worker_count(args.jobs)
    if skipped and not args.quiet:
        sys.stderr.write(f"{src}: skipped {len(skipped)} file(s) without an .xml or .json suffix\n")
    if not jobs:  # nothing done is not success: a wrong directory must not pass a pipeline
        sys.stderr.write(f"{src}: error: USAGE: no .xml or .json file to read ({len(skipped)} other file(s))\n")
        return EXIT_USAGE
    start = time.perf_counter()
    done, warned = 0, 0
    failures: list[Record] = []
    warned_files: list[Record] = []
    progress = Progress(len(jobs), enabled=not args.no_progress and sys.stderr.isatty(), what=verb)
    for rec in run_jobs(worker, jobs, workers, warm):
        progress.advance()
        if rec["ok"]:
            done += 1
            if rec["findings"]:
                warned += 1
                if args.summary == "json":  # kept only for the JSON summary, which lists them
                    warned_files.append(rec)
                elif not args.quiet:
                    for f in rec["findings"]:
                        progress.log(finding_of(f).one_line())
        else:
            failures.append(rec)  # only failures are kept: memory stays flat as the batch grows
    progress.close()
    seconds = time.perf_counter() - start
    summary = {
        "input": str(src),
        **({"output": str(out_dir)} if out_dir is not None else {}),
        "files": len(jobs),
        verb: done,
        "failed": len(failures),
        "with_warnings": warned,
        "skipped": [str(p) for p in skipped],
        "seconds": round(seconds, 3),
        "certificates_per_second": round(len(jobs) / seconds, 1) if seconds > 0 else None,
        "jobs": workers,
        "failures": [{"file": r["file"], "findings": r["findings"]} for r in failures],
        "warnings": [{"file": r["file"], "findings": r["findings"]} for r in warned_files],
    }
    if args.summary == "json":
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        for r in failures:
            errs = [f for f in r["findings"] if f.get("severity") == "error"] or r["findings"]
            first = finding_of(errs[0]).one_line() if errs else f"{r['file']}: failed"
            more = f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""
            sys.stderr.write(f"FAILED {first}{more}\n")
        sys.stderr.write(
            f"{verb} {done} of {len(jobs)} files, {len(failures)} failed, {warned} with warnings, "
            f"{len(skipped)} skipped, {seconds:.2f} s ({summary['certificates_per_second']} certificates/s, "
            f"{workers} jobs)\n"
        )
    return EXIT_FINDINGS if failures else EXIT_OK
