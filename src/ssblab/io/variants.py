"""Every file variant ssblab knows, one table: format, variant, example, peers, status.

``ssblab formats`` prints it, the README's formats table is made from it
(``python -m ssblab.io.variants`` prints that Markdown), and a test reads
every example file in ``shared/data`` to check that the status is true.

Status: ``read`` (by ``ssblab.io.read``), ``spectrum`` (by
``ssblab.io.eis.read_eis``), ``refused`` (one line giving the reason) or
``not yet`` (a variant a peer reads that ssblab does not). Peers are the
open-source readers whose own test suites read the variant (galvani, yadg,
cellpy, fastnda, NewareNDA, impedance.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One variant of one format (``format`` is the registered reader name)."""

    format: str
    variant: str
    example: str  # a file under shared/data, "" when none is there
    peers: str
    status: str


VARIANTS: tuple[Variant, ...] = (
    Variant("neware_nda", ".nda v8, v22, v29, BTS 9 (v130)", "neware/TestFile.nda",
            "NewareNDA, fastnda, cellpy", "read"),
    Variant("neware_nda", ".nda zipped (.nda.zip)", "neware/SIM.nda.zip", "-", "read"),
    Variant("neware_ndax", ".ndax ndc 5, 11, 14, 16, 17 (BTS 8.x)", "neware/test_2.ndax",
            "NewareNDA, fastnda", "read"),
    Variant("neware_ndax", ".ndax ndc 2 with aux channel", "neware/scrubbed_ndc2.ndax",
            "fastnda", "read"),
    Variant("neware_ndax", ".ndax with no record (0 rows, noted)", "neware/empty.ndax",
            "fastnda", "read"),
    Variant("neware_btsda_csv", "BTSDA record CSV export", "neware/neware_uio.btsda-export.csv",
            "cellpy", "read"),
    Variant("neware_regular_csv", "BTS 'regular' cycle/step/record CSV export",
            "neware/nw_regular_export_ife_example.csv", "cellpy", "read"),
    Variant("biologic_mpr", ".mpr GCPL, MB, PEIS, GEIS, CP, CV, coC, BCD, WAIT",
            "biologic/gcpl.issue_211.mpr", "galvani, yadg, cellpy", "read"),
    Variant("biologic_mpr", ".mpr EC-Lab 11.50+ module header, column IDs 441/880",
            "biologic/mb.issue_223.mpr", "yadg", "read"),
    Variant("biologic_mpr", ".mpr of a technique that wrote no rows (0 rows)",
            "biologic/wait.mpr", "yadg", "read"),
    Variant("biologic_mpt", ".mpt EC-Lab, any locale (decimal comma)",
            "biologic/gcpl.issue_149.mpt", "yadg, galvani (old header only)", "read"),
    Variant("biologic_mpt", ".mpt EC-Lab 11.50 <Ewe/V> header", "biologic/coc.issue_185.mpt",
            "yadg", "read"),
    Variant("biologic_mpt", ".mpt BT-Lab Ecell/V", "biologic/bcd.issue_241.mpt", "yadg", "read"),
    Variant("biologic_mpt", ".mpt with Ece columns past the rows' fields",
            "biologic/peis.issue_225.with_ece.mpt", "yadg", "read"),
    Variant("biologic_mpt", ".mpt header only (0 rows)", "biologic/wait.mpt", "yadg", "read"),
    Variant("biologic_mpt", "EC-Lab text export without preamble (.txt, decimal comma)",
            "threeelectrode/T-cell_pOCV_data.txt", "-", "read"),
    Variant("biologic_mpt", "EC-Lab time/potential-only text export (set current from the .mps)",
            "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_03_GCPL_C05.txt",
            "-", "read"),
    Variant("biologic_mpt", "EC-Lab CSV export (;-separated)", "", "-", "not yet"),
    Variant("arbin_res", ".res (MS Access; also .res.gz)", "arbin/arbin_example.res",
            "cellpy, galvani", "read"),
    Variant("arbin_res", ".res auxiliary channel (temperature, dX/dt)",
            "arbin/aux_one_x_dx.res", "cellpy", "read"),
    Variant("arbin_csv", "Arbin CSV export", "arbin/arbin_example.csv", "cellpy", "read"),
    Variant("arbin_xlsx", "Arbin XLSX export",
            "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx", "cellpy", "read"),
    Variant("arbin_xlsx", "XLSX with several channels (first read, others named)", "", "-",
            "read"),
    Variant("maccor_text", "MIMS text export (Rec#, Cyc#, ...)", "maccor/maccor_001.txt",
            "cellpy", "read"),
    Variant("maccor_text", "MacNet text (Name:/Channel:, units in brackets, decimal comma)",
            "maccor/maccor_two.txt", "cellpy", "read"),
    Variant("maccor_text", "MIMS text with the test's numbered suffix (.001, .041, ...)",
            "maccor/maccor_example.001", "cellpy", "read"),
    Variant("maccor_text", "Maccor binary raw data (refused: export it as text)", "", "-",
            "refused"),
    Variant("maccor_text", "Maccor AC-impedance export",
            "maccor/maccor_test_file_4267-66-6519.EDA0001.041", "-", "refused"),
    Variant("landt_csv", "LANDT CSV export",
            "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", "-", "read"),
    Variant("novonix_csv", "Novonix CSV", "novonix/test_Nova_Form-CH01-01_short.csv", "-", "read"),
    Variant("bdf_csv", "Battery Data Format CSV",
            "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv", "cellpy", "read"),
    Variant("bdf_parquet", "Battery Data Format Parquet", "", "-", "read"),
    Variant("gamry_dta", "Gamry .DTA (ZCURVE impedance)", "eis/impedancepy_exampleDataGamry.DTA",
            "impedance.py", "spectrum"),
    Variant("eis", "ZPlot .z", "eis/exampleDataZPlot.z", "impedance.py", "spectrum"),
    Variant("eis", "ZView / Autolab text", "eis/exampleDataAutolab.txt", "impedance.py",
            "spectrum"),
    Variant("eis", "CH Instruments text", "eis/exampleDataCHInstruments.txt", "impedance.py",
            "spectrum"),
    Variant("eis", "plain f, Z', Z'' CSV/TSV", "eis/impedancepy_exampleData.csv", "impedance.py",
            "spectrum"),
    Variant("eis", "EC-Lab PEIS/GEIS .mpr/.mpt", "eis/peis.mpr", "impedance.py (.mpt), galvani",
            "spectrum"),
    Variant("eis", "Parstat/VersaStudio .par, PowerSuite text", "", "impedance.py", "not yet"),
)  # fmt: skip


def rows() -> list[dict[str, str]]:
    """The table as plain-text rows (for ``ssblab formats`` and its ``--json``)."""
    return [
        {
            "format": v.format,
            "variant": v.variant,
            "example": v.example.rsplit("/", 1)[-1] or "-",
            "peers": v.peers,
            "ssblab": v.status,
        }
        for v in VARIANTS
    ]


def markdown() -> str:
    """The README's formats table (Markdown), made from :data:`VARIANTS`."""
    lines = [
        "| format | variant | example file | peer readers | ssblab |",
        "|---|---|---|---|---|",
    ]
    for row in rows():
        lines.append("| " + " | ".join(row[k].replace("<", "\\<") for k in row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
