"""The ``ephyto-dip`` command. Exit codes: 0 clean, 1 findings at error level, 2 usage or I/O.

Each sub-command lives in ``ephyto_dip.commands.<name>`` with ``register(subparsers)`` and
``run(args) -> int``; they are imported only when used, so ``convert`` pays for nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .commands.common import EXIT_OK, EXIT_USAGE

COMMANDS = {
    "convert": "ephyto_dip.commands.convert",
    "validate": "ephyto_dip.commands.validate",
    "check": "ephyto_dip.commands.check",
    "gaps": "ephyto_dip.commands.gaps",
    "report": "ephyto_dip.commands.report",
    "diff": "ephyto_dip.commands.diff",
    "attach": "ephyto_dip.commands.attach",
    "ledger": "ephyto_dip.commands.ledger",
    "review": "ephyto_dip.commands.review",
}

_ROLE = re.compile(r":[a-z]+:`([^`]*)`")  # :class:`Finding` -> Finding
_LITERAL = re.compile(r"``([^`]*)``|`([^`]*)`")  # ``--table`` -> --table


def plain_text(text: str | None) -> str | None:
    """A docstring as plain text for --help: reST roles and literals unwrapped, indentation removed."""
    if not text or text is argparse.SUPPRESS:
        return text
    text = _ROLE.sub(r"\1", inspect.cleandoc(text))
    return _LITERAL.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


class _Parser(argparse.ArgumentParser):
    """Help reads as plain text: module docstrings serve as descriptions, with their paragraphs."""

    def __init__(self, *args: Any, description: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs["description"] = plain_text(description)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if "help" in kwargs:
            kwargs["help"] = plain_text(kwargs["help"])
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # usage errors: one line, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="ephyto-dip",
        description="Convert IPPC ePhyto certificates to a WCO DM DIP and back; validate and review the mapping.",
    )
    parser.add_argument("--version", action="version", version=f"ephyto-dip {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        if only and name != only:
            # keep the usage listing complete without importing every command
            sub.add_parser(name, help=_HELP.get(name, ""))
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        mod.register(sub)
    return parser


_HELP = {
    "convert": "convert ePhyto (or a Hub envelope) to a DIP, or a DIP back to ePhyto",
    "validate": "validate certificates: schema, ISPM 12 business rules",
    "check": "check the mapping table's alignment with both schemas",
    "gaps": "list ISPM 12 elements without a WCO DM equivalent (proposed DMRs)",
    "report": "render the mapping table as a review page",
    "diff": "compare two versions of the mapping table",
    "attach": "attach a certificate to a WCO DM goods declaration",
    "ledger": "a certificate's quantity ledger: balance, release or cancel a declaration's write-off",
    "review": "merge review decisions (exported from the review page) into the table",
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(args, "command", None) or not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        sys.stderr.write("ephyto-dip: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: one line for the operator, the traceback on request
        if os.environ.get("EPHYTO_DIP_DEBUG"):
            raise
        sys.stderr.write(
            f"ephyto-dip: internal error: {type(exc).__name__}: {exc} "
            "(set EPHYTO_DIP_DEBUG=1 for the traceback and please report it)\n"
        )
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
