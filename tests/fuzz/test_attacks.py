"""The issue-17 attacks, built in tmp: each refused in one line naming the limit, within
10 s and 1 GiB of memory (the reading process's peak RSS), also inside `catalog build`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bombs

HERE = Path(__file__).resolve().parent
GIB_MIB = 1024.0
SECONDS = 10.0


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("attacks") / "archive"
    folder.mkdir()
    bombs.ndax_bomb(folder / "inflates-2GB.ndax")  # 14.7 MB, ratio 136
    bombs.ndax_bomb(folder / "lying-header.ndax", lie=True)
    bombs.gzip_bomb(folder / "bomb.res.gz")
    bombs.xlsx_bomb(folder / "pathological.xlsx")  # 1.7 MB, 600 MiB of sheet XML
    bombs.tiny_parquet(folder / "sixty-million-rows.parquet")  # 0.4 MB
    secret = folder.parent / "outside.csv"
    secret.write_text("Test_Time(s),Voltage(V)\n1,3.5\n")
    (folder / "link-out.csv").symlink_to(secret)
    cmd = [sys.executable, str(HERE / "attacks.py"), str(folder)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {line["name"]: line for line in lines}


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("inflates-2GB.ndax", "member_bytes"),
        ("lying-header.ndax", "data.ndc"),  # zipfile stops at the declared 1 MiB
        ("bomb.res.gz", "compression_ratio"),
        ("pathological.xlsx", "xlsx_xml_bytes"),
        ("sixty-million-rows.parquet", "rows"),
    ],
)
def test_attack_is_refused_in_one_line_quickly(outcomes, name, limit):
    got = outcomes[name]
    assert got["refused"], got
    assert name in got["message"] and limit in got["message"], got["message"]
    assert "\n" not in got["message"]
    assert got["seconds"] < SECONDS, got


def test_catalog_build_refuses_every_attack_and_the_link_out(outcomes):
    got = outcomes["catalog"]
    assert set(got["statuses"].values()) == {"refused"}, got
    assert "link-out.csv" in got["statuses"]
    assert got["seconds"] < 6 * SECONDS


def test_peak_memory_of_all_attacks_stays_under_one_gib(outcomes):
    assert outcomes["peak_rss_mib"]["value"] < GIB_MIB, outcomes["peak_rss_mib"]
