"""Plain conversion of plain command-line values, so a command starts without Pydantic.

Typer 0.2x converts every parameter through a Pydantic ``TypeAdapter``; building
them imports Pydantic, about a quarter of ``ssblab info``'s start-up. ssblab's
options are plain ``str``, ``int``, ``float``, ``bool`` and ``Path`` values (or
lists of them) without constraints, for which a plain conversion gives the same
result. :func:`install` wraps Typer's ``build_runtime_param``: such parameters get
the plain converter; anything else (choices, ranges, path checks, parsers, files,
dates, tuples) goes to Typer's own adapter as before. If Typer's internals are
not the ones this was written against, nothing is changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}
#: Path flags that, when not at their default, need Typer's path checks.
_PATH_DEFAULTS = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a valid boolean")


def _number(kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, kind) and not isinstance(value, bool):
            return value
        try:
            return kind(_text(value).strip())
        except ValueError:
            name = "integer" if kind is int else "float"
            raise ValueError(f"{value!r} is not a valid {name}") from None

    return convert


_LEAF: dict[Any, Callable[[Any], Any]] = {
    str: _text,
    int: _number(int),
    float: _number(float),
    bool: _boolean,
    Path: lambda v: v if isinstance(v, Path) else Path(_text(v)),
}


def plain_converter(annotation: Any, info: Any) -> Callable[[Any], Any] | None:
    """A converter for *annotation* when it is plain and unconstrained, else None."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None):
        return None
    if getattr(info, "min", None) is not None or getattr(info, "max", None) is not None:
        return None
    if any(getattr(info, k, d) != d for k, d in _PATH_DEFAULTS.items()):
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        leaf = _LEAF.get(item)
        return None if leaf is None else (lambda values: [leaf(v) for v in values])
    return _LEAF.get(annotation)


def install() -> bool:
    """Route plain parameters around Pydantic; return whether Typer was patched."""
    try:
        from typer import core
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:
        return False
    original = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "_ssblab", False):
        return False

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        convert: Callable[[Any], Any] = _text

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None

    def build_runtime_param(descriptor: Any) -> Any:
        convert = None
        with contextlib.suppress(Exception):
            if getattr(descriptor, "file_annotation", None) is None:
                convert = plain_converter(descriptor.annotation, descriptor.parameter_info)
        if convert is None:
            return original(descriptor)
        return PlainRuntimeParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            convert=convert,
        )

    build_runtime_param._ssblab = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param
    return True
