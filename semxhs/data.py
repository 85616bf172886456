"""Reading response files and preparing the columns a model needs.

CSV in UTF-8 (with or without BOM) or GBK/GB18030 (as Excel and Wenjuanxing save them on
Chinese Windows), Excel workbooks (openpyxl), SPSS ``.sav`` (pyreadstat) and Stata
``.dta``. Reading never modifies the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from semxhs.errors import DataError, InputFileError, name_list

ENCODINGS = ("utf-8-sig", "gb18030")


def detect_encoding(raw: bytes) -> str:
    """Guess the text encoding of a CSV file: UTF-8 (BOM or not), else GB18030 (a superset of GBK).

    Examples
    --------
    >>> detect_encoding("题项,得分".encode("gbk"))
    'gb18030'
    >>> detect_encoding("题项,得分".encode("utf-8"))
    'utf-8-sig'
    """
    for enc in ENCODINGS:
        try:
            raw.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise InputFileError("the file is neither UTF-8 nor GBK/GB18030 text; give --encoding")


def read_table(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read a data file into a DataFrame, choosing the reader by the file's extension.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``, ``.sav``/``.zsav`` or ``.dta``.
    encoding : str, optional
        Text encoding of a CSV file; detected when not given.

    Raises
    ------
    InputFileError
        When the file is missing, unreadable or of an unknown kind.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()
            enc = encoding or detect_encoding(raw)
            sep = "\t" if suffix == ".tsv" else None
            from io import StringIO

            text = raw.decode(enc)
            return pd.read_csv(StringIO(text), sep=sep, engine="python")
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, engine="openpyxl")
        if suffix in (".sav", ".zsav"):
            import pyreadstat

            frame, _meta = pyreadstat.read_sav(str(path))
            return frame
        if suffix == ".dta":
            return pd.read_stata(path)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(f"cannot decode {path.name} with encoding '{encoding}': {exc}") from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(f"cannot read {path.name}: {first}") from None
    except Exception as exc:  # readers of binary formats raise their own classes
        raise InputFileError(f"cannot read {path.name}: {type(exc).__name__}: {exc}") from None
    raise InputFileError(
        f"data file {path.name} has the unknown extension '{suffix}': use .csv, .xlsx, .sav or .dta"
    )


@dataclass(frozen=True)
class ModelData:
    """The complete rows of the model's observed variables."""

    values: np.ndarray  # (n, p)
    columns: tuple[str, ...]
    n_total: int
    n_dropped: int


def add_products(frame: pd.DataFrame, products: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Add the product column ``X:W`` for each observed product term ``X:W`` (as lavaan does).

    Examples
    --------
    >>> import pandas as pd
    >>> add_products(pd.DataFrame({"X": [1, 2], "W": [3, 4]}), (("X", "W"),))["X:W"].tolist()
    [3, 8]
    """
    out = frame.copy()
    for left, right in products:
        if left in out.columns and right in out.columns:
            out[f"{left}:{right}"] = out[left] * out[right]
    return out


def model_columns(frame: pd.DataFrame, observed: tuple[str, ...], missing: str = "listwise") -> ModelData:
    """Check and extract the observed variables of a model, dropping incomplete rows.

    Raises
    ------
    DataError
        Naming the variables that are not in the data, or the non-numeric columns with
        their first offending rows (1-based data rows).
    """
    absent = [v for v in observed if v not in frame.columns]
    if absent:
        raise DataError(
            f"some observed variables in the model are not in the data: {name_list(absent)}"
        )
    problems: list[str] = []
    numeric = {}
    for col in observed:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            series = series.astype(float)
        converted = pd.to_numeric(series, errors="coerce")
        bad = series.notna() & converted.isna()
        if bad.any():
            rows = [int(i) + 1 for i in np.flatnonzero(bad.to_numpy())[:3]]
            sample = str(series[bad].iloc[0])
            problems.append(f"'{col}' (rows {', '.join(map(str, rows))}: '{sample}')")
        numeric[col] = converted.astype(float)
    if problems:
        raise DataError("non-numeric values in model columns: " + "; ".join(problems))
    table = pd.DataFrame(numeric)
    n_total = len(table)
    if missing == "listwise":
        complete = table.notna().all(axis=1).to_numpy()
        values = table.to_numpy()[complete]
    else:
        values = table.to_numpy()
    n = values.shape[0]
    if n <= len(observed):
        raise DataError(
            f"only {n} complete rows for {len(observed)} model variables: too few to estimate the model"
        )
    constant = [c for c, sd in zip(observed, np.nanstd(values, axis=0)) if not sd > 0]
    if constant:
        raise DataError(f"model variables with no variance: {name_list(constant)}")
    return ModelData(values=values, columns=tuple(observed), n_total=n_total, n_dropped=n_total - n)
