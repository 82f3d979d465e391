"""The root options of ``ssblab`` (``--version``, ``--debug``): Typer's app callback.

Apart from :mod:`ssblab.cli` so that importing the package (the entry point)
does not import Typer: the light ``ssblab info`` path never needs it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ssblab import __version__

#: Set by the root callback and by :func:`ssblab.cli.main` (``--debug`` anywhere).
state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ssblab {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """A virtual lab for all-solid-state lithium batteries."""
    state["debug"] = debug
