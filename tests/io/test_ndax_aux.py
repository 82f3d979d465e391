"""The full .ndax reader and the light ``ssblab info`` summary walk one list of
auxiliary members (``ndax.aux_channels``) and name the columns with one rule."""

from __future__ import annotations

from ssblab.io import read
from ssblab.io.neware import ndax
from ssblab.io.neware.ndax_summary import ndax_summary
from ssblab.io.safety import zip_names


def _channels(path):
    names = zip_names(path)
    facts = ndax.archive_facts(path, names)
    return [
        (k, version, chl_type) for k, _, version, chl_type in ndax.aux_channels(path, names, facts)
    ]


def test_aux_channels_of_the_ife_archive(data_dir):
    """Three members sorted by channel then type pair with TestInfo's three AuxN entries."""
    path = data_dir / "neware/20260302_IFE_BTS85_2_9_8_1.ndax"
    assert _channels(path) == [(1, 17, 1122), (2, 17, 102), (3, 17, 103)]
    columns = read(path).table.columns
    aux = [c for c in columns if c.startswith("Aux ") or "Temperature" in c]
    assert aux == ["Ambient Temperature / degC", "Aux 1 Value / 1", "Aux 2 Voltage / V"]
    assert ndax_summary(path)["columns"] == columns


def test_the_ndc2_pointer_member_is_a_channel(data_dir):
    """scrubbed_ndc2: no data_AUX_* member; data_Aux.ndc points at the one that holds it."""
    assert _channels(data_dir / "neware/scrubbed_ndc2.ndax") == [(1, 2, 26)]


def test_aux_label():
    assert ndax.aux_label("temperature_degC", 3) == "Aux 3 Temperature / degC"
    assert ndax.aux_label("aux_voltage_V", 1) == "Aux 1 Voltage / V"
    assert ndax.aux_label("humidity", 2) == "Aux 2 Value / 1"
