"""``ephyto-dip convert IN [-o OUT]``: one file to stdout or a file; a directory to a directory.

A batch goes on past a bad file, prints a summary naming each failure and exits 1 if any
file failed. Output files are written atomically: a failure leaves nothing behind.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator

from ..findings import ERROR, WARNING, EphytoDipError, Finding
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, exit_code_for, print_findings


def register(sub) -> None:
    p = sub.add_parser("convert", help="convert ePhyto (or a Hub envelope) to a DIP, or a DIP back to ePhyto",
                       description=__doc__)
    p.add_argument("input", help="a certificate, Hub envelope or DIP file, or a directory of them")
    p.add_argument("-o", "--output", help="output file (default stdout) or, for a directory, output directory")
    p.add_argument("--format", choices=("xml", "json"), default="xml", help="output format (default xml)")
    p.add_argument("--to", choices=("dip", "ephyto"), help="target side (default: the other side of the input)")
    p.add_argument("--table", help="mapping table to use (default: the shipped one)")
    p.add_argument("--jobs", type=int, default=0, help="worker processes for a directory (default: number of cores)")
    p.add_argument("--summary", choices=("text", "json"), default="text", help="format of the batch summary")
    p.add_argument("--strict", action="store_true", help="treat warnings (e.g. a value not carried) as errors")
    p.add_argument("--quiet", action="store_true", help="print errors only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..output import refuse_output_over_input

    try:  # before anything is read or written: an output must never replace an input
        refuse_output_over_input(args.input, args.output, also=[args.table])
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return EXIT_USAGE
    src = Path(args.input)
    if src.is_dir():
        if not args.output:
            sys.stderr.write("ephyto-dip convert: a directory input needs -o OUTDIR\n")
            return EXIT_USAGE
        return run_batch(args, src, Path(args.output))
    return run_single(args, src)


def _failed(findings: list[Finding], strict: bool) -> bool:
    return any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)


def run_single(args, src: Path) -> int:
    from ..convert import convert
    from ..output import write_atomic

    try:
        result = convert(src, to=args.to, table=args.table)
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return exit_code_for(exc)
    shown = [f for f in result.findings if f.severity == ERROR or not args.quiet and f.severity == WARNING]
    print_findings(shown)
    if _failed(result.findings, args.strict):
        return EXIT_FINDINGS
    data = result.to_bytes(args.format)
    if args.output and args.output != "-":
        try:
            write_atomic(args.output, data)
        except EphytoDipError as exc:
            print_findings(exc.findings)
            return exit_code_for(exc)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return EXIT_OK


# ------------------------------------------------------------------------------ batch


def _inputs(src: Path) -> list[Path]:
    return sorted(p for p in src.iterdir() if p.is_file() and p.suffix.lower() == ".xml")


def _convert_one(job: tuple) -> dict:
    """Worker: convert one file, write its output; returns a small, picklable record."""
    from ..convert import convert
    from ..output import write_atomic

    path, out_dir, fmt, to, table, strict = job
    target = Path(out_dir) / (Path(path).stem + (".json" if fmt == "json" else ".xml"))
    try:
        result = convert(path, to=to, table=table)
        findings = result.findings
        if _failed(findings, strict):
            return {"file": path, "ok": False, "findings": [f.to_dict() for f in findings if f.severity != "info"]}
        write_atomic(target, result.to_bytes(fmt))
        warnings = [f.to_dict() for f in findings if f.severity == WARNING]
        return {"file": path, "ok": True, "findings": warnings}
    except EphytoDipError as exc:
        return {"file": path, "ok": False, "findings": [f.to_dict() for f in exc.findings]}
    except Exception as exc:  # a bug must not stop a batch of thousands; it is reported by name
        return {"file": path, "ok": False,
                "findings": [{"code": "IO-READ", "severity": "error", "file": path,
                              "message": f"internal error: {type(exc).__name__}: {exc}"}]}


def _results(jobs: list[tuple], workers: int) -> Iterator[dict]:
    _warm()  # once, before the workers fork from this process and inherit it all
    # What is loaded now lives for the whole run: out of the collector's sight, it is not
    # scanned again by every full collection, nor copied into each forked worker by it.
    gc.freeze()
    if workers <= 1 or len(jobs) < 4:
        for job in jobs:
            yield _convert_one(job)
        return
    # small chunks (at most 8 files): the batch ends when its last chunk does
    chunk = max(1, min(8, len(jobs) // (workers * 8) or 1))
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        yield from pool.map(_convert_one, jobs, chunksize=chunk)


def _warm() -> None:
    """Import the converter and load the table once per process (before the workers fork,
    which inherit it all; where workers are spawned, in each).

    Schemas compile on first use instead: a batch that goes one way never pays for the other
    side's set (compiling the SPS set alone takes ~0.15 s). A conversion builds no model.
    """
    from .. import convert  # noqa: F401  (the converter's imports)
    from ..mapping.table import load_table

    load_table()


def run_batch(args, src: Path, out_dir: Path) -> int:
    try:
        files = _inputs(src)
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        sys.stderr.write(f"{out_dir}: error: IO-WRITE: {exc.strerror or exc}\n")
        return EXIT_USAGE
    if not os.access(out_dir, os.W_OK):
        sys.stderr.write(f"{out_dir}: error: IO-WRITE: output directory is not writable\n")
        return EXIT_USAGE
    workers = args.jobs if args.jobs and args.jobs > 0 else (os.cpu_count() or 1)
    jobs = [(str(p), str(out_dir), args.format, args.to, args.table, args.strict) for p in files]
    start = time.perf_counter()
    converted, failures, warned = 0, [], 0
    progress = _progress(len(jobs), enabled=not args.no_progress and sys.stderr.isatty())
    for rec in _results(jobs, workers):
        progress.advance()
        if rec["ok"]:
            converted += 1
            if rec["findings"]:
                warned += 1
                if not args.quiet and args.summary == "text":
                    for f in rec["findings"]:
                        progress.log(Finding(**f).one_line())
        else:
            failures.append(rec)  # only failures are kept: memory stays flat as the batch grows
    progress.close()
    seconds = time.perf_counter() - start
    summary = {
        "input": str(src),
        "output": str(out_dir),
        "files": len(jobs),
        "converted": converted,
        "failed": len(failures),
        "with_warnings": warned,
        "seconds": round(seconds, 3),
        "certificates_per_second": round(len(jobs) / seconds, 1) if seconds > 0 else None,
        "jobs": workers,
        "failures": [{"file": r["file"], "findings": r["findings"]} for r in failures],
    }
    if args.summary == "json":
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        for r in failures:
            errs = [f for f in r["findings"] if f.get("severity") == "error"] or r["findings"]
            first = Finding(**errs[0]).one_line() if errs else f"{r['file']}: failed"
            more = f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""
            sys.stderr.write(f"FAILED {first}{more}\n")
        sys.stderr.write(
            f"converted {converted} of {len(jobs)} files, {len(failures)} failed, {warned} with warnings, "
            f"{seconds:.2f} s ({summary['certificates_per_second']} certificates/s, {workers} jobs)\n"
        )
    return EXIT_FINDINGS if failures else EXIT_OK


class _progress:
    """A progress bar on a terminal (rich if installed, else a plain counter); silent otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.done = total, enabled, 0
        self._rich = None
        if enabled:
            try:
                from rich.progress import Progress

                self._rich = Progress(transient=True)
                self._rich.start()
                self._task = self._rich.add_task("converting", total=total)
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
