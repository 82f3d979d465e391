"""Every file in ``arbin/``, ``gitt/`` and ``maccor/`` is read, or refused with a reason."""

from __future__ import annotations

import pytest

from ssblab.errors import ReadError
from ssblab.io import read

FOLDERS = ("arbin", "gitt", "maccor")
#: file name -> words the refusal must contain
REFUSED = {
    "2017-05-09_test-TC-contact_CH33_Metadata.csv": "metadata sidecar without records",
    "FastCharge_000025_CH8_Metadata.csv": "metadata sidecar without records",
    "maccor_test_file_4267-66-6519.EDA0001.041": "AC-impedance (EIS) export",
}
FORMATS = {"arbin": {"arbin_res", "arbin_csv", "arbin_xlsx"}, "gitt": {"arbin_res"}}


def test_every_file_is_read_or_refused_with_a_reason(data_dir):
    seen = 0
    for folder in FOLDERS:
        for path in sorted((data_dir / folder).iterdir()):
            if not path.is_file():
                continue  # reference_cellpy/ holds another reader's output
            seen += 1
            if path.name in REFUSED:
                with pytest.raises(ReadError) as info:
                    read(path)
                message = str(info.value)
                assert message.startswith(str(path)), message
                assert REFUSED[path.name] in message and "\n" not in message
                continue
            run = read(path)
            assert run.n_rows > 0, path
            assert run.meta.source_format in FORMATS.get(folder, {"maccor_text"}), path
    assert seen == 23
