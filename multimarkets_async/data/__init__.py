"""Market data to files and frames, for the ``data`` extra (``pip install "multimarkets-async[data]"``:
pandas and pyarrow, imported only when a function needs them).

* Bars: ``to_pandas`` and ``to_arrow`` (frames), ``export_bars`` (CSV, JSON lines, Parquet files
  written all or nothing).
* Recording: ``Recorder`` and ``record`` (live events to rotated Parquet files).
"""

from __future__ import annotations

from ._export import FORMATS, ExportFormat, export_bars, format_of
from ._frames import COLUMNS, DATA_EXTRA, PriceFormat, to_arrow, to_pandas
from ._recorder import DEFAULT_MAX_BYTES, Recorder, RecorderStats, record

__all__ = [
    "COLUMNS",
    "DATA_EXTRA",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "ExportFormat",
    "PriceFormat",
    "Recorder",
    "RecorderStats",
    "export_bars",
    "format_of",
    "record",
    "to_arrow",
    "to_pandas",
]
