"""Battery Data Format (BDF) tables: CSV and Parquet readers and writers (:mod:`.reader`)."""

from ssblab.io.bdf.reader import (
    bdf_machine_names,
    read_bdf_csv,
    read_bdf_parquet,
    read_sidecar,
    write_bdf_csv,
    write_parquet,
)

__all__ = [
    "bdf_machine_names",
    "read_bdf_csv",
    "read_bdf_parquet",
    "read_sidecar",
    "write_bdf_csv",
    "write_parquet",
]
