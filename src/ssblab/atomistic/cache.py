"""Atomistic results cached on disk, keyed by their inputs and the potential's version.

A relaxation or NEB takes minutes on a laptop; its result is a small JSON
document. The key is the SHA-256 of the job's parameters, the potential name,
weights and package version (:func:`ssblab.atomistic.calculator.model_version`)
and the packaged structure data, so a new potential release or an edited
structure never returns a stale number. The folder is ``$SSBLAB_CACHE`` or
``~/.cache/ssblab/atoms``; ``SSBLAB_CACHE=off`` disables the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
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


@cache
def _data_digest() -> str:
    text = resources.files("ssblab.data").joinpath("structures.toml").read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


def cache_key(kind: str, params: dict[str, Any], model: str) -> str:
    """Hex key of one calculation (*kind* ``binding`` or ``neb``) with *model*."""
    blob = json.dumps(
        {"kind": kind, "params": params, "model": model_version(model), "data": _data_digest()},
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
