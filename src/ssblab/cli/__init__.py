"""The ``ssblab`` command line (Typer).

Thin by design: each command parses its arguments, calls one library function
and prints the result (``--json`` for machines, Rich tables for people). Any
:class:`ssblab.errors.SsblabError` becomes one line on stderr and exit code 2;
``--debug`` shows the traceback instead.

Commands live in one module per area (``ssblab.cli.design``, ``ssblab.cli.io``,
...), each exposing ``register(app)``.

Importing this package imports no Typer: :func:`main` first offers the line to
the light ``ssblab info`` path (:mod:`ssblab.cli.fast_info`, no Typer, Rich or
Polars) and builds the Typer app only when that path does not take it.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

#: Command modules under ``ssblab.cli``; each has ``register(app: typer.Typer)``.
COMMAND_MODULES: tuple[str, ...] = (
    "design",
    "io",
    "cycling",
    "electrochem",
    "symmetric",
    "eis",
    "electrodes",
    "simulate",
    "calibrate",
    "bench",
    "report",
    "plot",
    "catalog",
    "atoms",
    "reproduce",
)

#: Command (or sub-app) name -> the module that registers it, so that ``main`` imports
#: only the module of the command it runs (a fast start); a test checks the table.
COMMAND_OWNERS: dict[str, str] = {
    "design": "design",
    "materials": "design",
    "read": "io",
    "info": "io",
    "formats": "io",
    "cycles": "cycling",
    "metrics": "cycling",
    "rate": "cycling",
    "gitt": "electrochem",
    "cv": "electrochem",
    "dqdv": "electrochem",
    "symmetric": "symmetric",
    "eis": "eis",
    "three-electrode": "electrodes",
    "simulate": "simulate",
    "calibrate": "calibrate",
    "bench": "bench",
    "report": "report",
    "plot": "plot",
    "catalog": "catalog",
    "atoms": "atoms",
    "reproduce": "reproduce",
}


def build_app(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    """The Typer app with the commands of *modules* (all by default)."""
    import typer

    from ssblab.cli import _fastparse
    from ssblab.cli._root import root

    _flags_without_type()
    _fastparse.install()
    new = typer.Typer(
        name="ssblab",
        help="A virtual lab for all-solid-state lithium batteries.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    new.callback()(root)
    for name in modules:
        full = f"ssblab.cli.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name != full:
                raise
            continue
        module.register(new)
    return new


def __getattr__(name: str) -> typer.Typer:
    """``ssblab.cli.app``: the full app, built on first use (tests, ``CliRunner``)."""
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module 'ssblab.cli' has no attribute {name!r}")


def _app_for(args: list[str]) -> typer.Typer:
    """Only the module of the command on the line, or every command (``--help``, unknown)."""
    command = next((a for a in args if not a.startswith("-")), None)
    owner = COMMAND_OWNERS.get(command or "")
    return build_app((owner,)) if owner in COMMAND_MODULES else build_app()


def _flags_without_type() -> None:
    """Show on/off options as flags in ``--help`` (Typer prints ``--json <bool>`` otherwise)."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "_ssblab", False):
        return

    def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
        if getattr(self, "is_flag", False) and self.metavar is None:
            return None
        return shown(self, ctx)

    display_type_rich._ssblab = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def split_debug(argv: list[str]) -> tuple[list[str], bool]:
    """Take ``--debug`` out of *argv* wherever it stands (before ``--`` only)."""
    end = argv.index("--") if "--" in argv else len(argv)
    head = [a for a in argv[:end] if a != "--debug"]
    return head + argv[end:], len(head) < end


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning ssblab errors into one line and exit code 2.

    ``--debug`` (show tracebacks) is accepted anywhere on the line. Output cut short by
    the reader (``ssblab info FILE | head``) ends quietly, as other command-line tools do.
    """
    try:
        _main(argv)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)  # no second error when Python flushes
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _command_words(ctx) -> str:
    """``ssblab eis fit`` for the click context of a subcommand, whatever argv[0] was."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["ssblab", *reversed(names)])


def _main(argv: list[str] | None) -> None:
    args, debug = split_debug(list(argv if argv is not None else sys.argv[1:]))
    from ssblab.cli import fast_info

    if fast_info.run(args):  # ``info FILE`` of a light format: printed, done
        return
    import typer

    from ssblab.cli._root import state
    from ssblab.errors import SsblabError

    state["debug"] = debug
    try:
        _app_for(args)(args=args, standalone_mode=False)
    except SsblabError as exc:
        if debug:
            raise
        one_line = str(exc).replace("\r", "\\r").replace("\n", "\\n")  # a name may hold them
        typer.echo(f"ssblab: error: {one_line}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("ssblab: aborted", err=True)
        sys.exit(1)
    except Exception as exc:
        # usage errors (missing option, bad value) of Typer's bundled click: one line too
        exit_code = getattr(exc, "exit_code", None)
        if callable(getattr(exc, "format_message", None)) and isinstance(exit_code, int):
            if debug:
                raise
            where = _command_words(getattr(exc, "ctx", None))
            message = exc.format_message().replace("\n", " ")
            typer.echo(f"ssblab: error: {where}: {message} (see '{where} --help')", err=True)
            sys.exit(exit_code)
        raise
