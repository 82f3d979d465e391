"""The variants table (``ssblab formats``, README) says what ssblab does with each example."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssblab.errors import SsblabError
from ssblab.io import read
from ssblab.io.eis import read_eis
from ssblab.io.variants import VARIANTS, markdown

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.example], ids=lambda v: v.example)
def test_example_file_behaves_as_the_table_says(data_dir, variant):
    path = data_dir / variant.example
    assert path.is_file(), path
    if variant.status == "read":
        run = read(path)
        assert run.meta.source_format == variant.format
        assert run.n_rows > 0 or "0 rows" in variant.variant
    elif variant.status == "spectrum":
        assert read_eis(path).height > 0
    elif variant.status == "refused":
        with pytest.raises(SsblabError, match=path.name):
            read(path)


def test_readme_table_is_the_code_table():
    text = README.read_text("utf-8")
    assert markdown() in text, "regenerate with: python -m ssblab.io.variants"
