"""Atomistic results cached on disk, keyed by their inputs and the potential's version.

A relaxation or NEB takes minutes on a laptop; its result is a small JSON
document. The key is the SHA-256 of the job's parameters, the potential name,
weights and package version (:func:`ssblab.atomistic.calculator.model_version`)
and the data of the structures the job uses: each one's own table in
``structures.toml`` (parsed, so comments, prose and other entries do not count), its
packaged CIF and, for an ordered model, the builder code in
:mod:`ssblab.atomistic.ordered`. A new potential release or an edited structure
never returns a stale number, and adding or editing one structure leaves every
other structure's cached results valid. The structures of a job are the
parameter values that name an entry (host, adsorbate, film, substrate, ...),
plus bcc Li for the kinds whose energies are referenced to Li metal. The folder
is ``$SSBLAB_CACHE`` or ``~/.cache/ssblab/atoms``; ``SSBLAB_CACHE=off``
disables the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ssblab.atomistic.calculator import model_version


def cache_dir() -> Path | None:
    """The cache folder, or None when ``SSBLAB_CACHE=off``."""
    setting = os.environ.get("SSBLAB_CACHE", "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "ssblab" / "atoms"


#: Structures a kind of job reads besides the ones its parameters name.
IMPLICIT_STRUCTURES: dict[str, tuple[str, ...]] = {
    "binding": ("Li",),
    "interface": ("Li",),
    "interface_neb": ("Li",),
}


@cache
def _entries() -> dict[str, Any]:
    text = resources.files("ssblab.data").joinpath("structures.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def _package_file(package: str, filename: str) -> bytes:
    return resources.files(package).joinpath(filename).read_bytes()


#: Code files of a builder that does not live in ``ordered.py`` alone (all of them hashed).
BUILDER_MODULES: dict[str, tuple[str, ...]] = {
    "argyrodite_cl_rich": ("ordered.py", "ordered_argyrodite.py"),
}
#: Entry fields that document a structure without changing its atoms (left out of the key).
PROSE_FIELDS = frozenset({"description", "source"})


def _numbers_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _numbers_only(v) for k, v in value.items() if k not in PROSE_FIELDS}
    return value


def structure_digest(name: str) -> str:
    """Hex digest of everything that defines structure *name* (its entry, CIF and builder).

    The prose fields (``description``, ``source``) are left out: correcting a
    citation does not invalidate computed numbers.
    """
    entry = _entries()[name]
    blob = hashlib.sha256(json.dumps(_numbers_only(entry), sort_keys=True, default=str).encode())
    if "cif" in entry:
        blob.update(_package_file("ssblab.data", entry["cif"]))
    if "builder" in entry:
        for module in BUILDER_MODULES.get(entry["builder"], ("ordered.py",)):
            blob.update(_package_file("ssblab.atomistic", module))
    return blob.hexdigest()[:16]


def job_structures(kind: str, params: dict[str, Any]) -> tuple[str, ...]:
    """Names of the structures a job of *kind* with *params* depends on, sorted."""
    names = set(IMPLICIT_STRUCTURES.get(kind, ()))
    known = _entries()
    for value in params.values():
        values = value if isinstance(value, list | tuple) else (value,)
        names.update(v for v in values if isinstance(v, str) and v in known)
    return tuple(sorted(names))


def cache_key(kind: str, params: dict[str, Any], model: str) -> str:
    """Hex key of one calculation (*kind* ``binding``, ``neb``, ...) with *model*."""
    data = {name: structure_digest(name) for name in job_structures(kind, params)}
    blob = json.dumps(
        {"kind": kind, "params": params, "model": model_version(model), "data": data},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def load(key: str) -> dict[str, Any] | None:
    """The cached payload for *key*, or None (missing, unreadable or cache off)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save(key: str, payload: dict[str, Any]) -> None:
    """Store *payload* under *key* (atomic rename; silently skipped when the cache is off)."""
    folder = cache_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / f"{key}.json")
