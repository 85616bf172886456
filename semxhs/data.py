"""Reading response files and preparing the columns a model needs.

CSV in UTF-8 (with or without BOM) or GBK/GB18030 (as Excel and Wenjuanxing save them on
Chinese Windows), UTF-16 text with a byte-order mark (Excel's "Unicode text"), Excel
workbooks (openpyxl), SPSS ``.sav`` (pyreadstat; codes kept, value labels recorded) and
Stata ``.dta`` (likewise). Reading never modifies the file.

:func:`read_data` returns the frame with what was learnt while reading (format, encoding,
value labels); :func:`read_table` returns the frame alone. :func:`validate_responses`
checks responses against an instrument, reporting every problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from semxhs.errors import DataError, InputFileError, name_list

if TYPE_CHECKING:
    from semxhs.instrument import Instrument, ResponseScale

ENCODINGS = ("utf-8-sig", "gb18030")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def detect_encoding(raw: bytes) -> str:
    """Guess the text encoding of a CSV file: UTF-8 (BOM or not), else GB18030 (a superset of GBK).

    Examples
    --------
    >>> detect_encoding("题项,得分".encode("gbk"))
    'gb18030'
    >>> detect_encoding("题项,得分".encode("utf-8"))
    'utf-8-sig'
    >>> detect_encoding("题项\t得分".encode("utf-16"))
    'utf-16'
    """
    if raw[:2] in _UTF16_BOMS:
        return "utf-16"
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

    See Also
    --------
    read_data : the same, with the format, encoding and value labels found.
    """
    return read_data(path, encoding).frame


@dataclass(frozen=True)
class TableData:
    """A data file as read: the frame and what the reader learnt about it.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per respondent, columns as in the file; SPSS/Stata codes kept as numbers.
    path : Path
        The file read.
    format : str
        ``"csv"``, ``"excel"``, ``"spss"`` or ``"stata"``.
    encoding : str or None
        The text encoding used (given or detected); ``None`` for binary formats.
    encoding_detected : bool
        Whether the encoding was detected rather than given.
    value_labels : dict
        ``{column: {code: label}}`` from SPSS/Stata value labels (empty for CSV/Excel).
    variable_labels : dict
        ``{column: label}`` from SPSS/Stata variable labels (often the question wording).
    sheet : str or None
        The Excel sheet read.
    """

    frame: pd.DataFrame
    path: Path
    format: str
    encoding: str | None = None
    encoding_detected: bool = False
    value_labels: Mapping[str, Mapping[float, str]] = field(default_factory=dict)
    variable_labels: Mapping[str, str] = field(default_factory=dict)
    sheet: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (no data): file, format, encoding, rows, columns, labels."""
        return {
            "file": str(self.path),
            "format": self.format,
            "encoding": self.encoding,
            "encoding_detected": self.encoding_detected,
            "sheet": self.sheet,
            "n_rows": int(len(self.frame)),
            "n_columns": int(self.frame.shape[1]),
            "value_labels": {str(c): {_code_key(k): str(v) for k, v in labs.items()}
                             for c, labs in self.value_labels.items()},
            "variable_labels": {str(c): str(v) for c, v in self.variable_labels.items()},
        }


def _code_key(code: object) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def read_data(path: str | Path, encoding: str | None = None, *, sheet: str | int = 0) -> TableData:
    """Read a data file and record its format, encoding and value labels.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``, ``.sav``/``.zsav`` or ``.dta``.
    encoding : str, optional
        Text encoding of a CSV file (``"gbk"``, ``"gb18030"``, ``"utf-8"``...); detected
        when not given (:func:`detect_encoding`).
    sheet : str or int, default 0
        The Excel sheet (name or 0-based position).

    Returns
    -------
    TableData

    Raises
    ------
    InputFileError
        When the file is missing, unreadable, of an unknown kind, or not decodable
        with the given encoding.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            from io import StringIO

            raw = path.read_bytes()
            enc = encoding or detect_encoding(raw)
            sep = "\t" if suffix == ".tsv" else None
            text = raw.decode(enc)
            frame = pd.read_csv(StringIO(text), sep=sep, engine="python")
            return TableData(frame, path, "csv", enc, encoding is None)
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            names = book.sheetnames
            book.close()
            if isinstance(sheet, int):
                if not 0 <= sheet < len(names):
                    raise InputFileError(f"{path.name} has {len(names)} sheet(s); sheet {sheet} does not exist")
                sheet_name = names[sheet]
            else:
                if sheet not in names:
                    raise InputFileError(f"{path.name} has no sheet '{sheet}'; sheets: {name_list(names)}")
                sheet_name = sheet
            frame = pd.read_excel(path, engine="openpyxl", sheet_name=sheet_name)
            return TableData(frame, path, "excel", sheet=sheet_name)
        if suffix == ".xls":
            raise InputFileError(
                f"{path.name} is an old Excel 97-2003 .xls file: open it in Excel or WPS and save it as .xlsx "
                "(or download the survey data again as .xlsx or .csv)"
            )
        if suffix in (".sav", ".zsav", ".dta"):
            import pyreadstat

            reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
            frame, meta = reader(str(path))
            return TableData(
                frame, path, "stata" if suffix == ".dta" else "spss", meta.file_encoding or None, False,
                value_labels={c: dict(v) for c, v in (meta.variable_value_labels or {}).items()},
                variable_labels={c: v for c, v in (meta.column_names_to_labels or {}).items() if v},
            )
    except InputFileError:
        raise
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


# --------------------------------------------------------------------------- validation

#: Kinds of :class:`ValidationProblem`, in the order they are reported.
PROBLEM_KINDS = ("missing_item", "missing_id_column", "non_numeric", "out_of_scale",
                 "duplicate_id", "no_answers", "zero_variance")

#: Columns of :meth:`ValidationReport.to_frame`.
VALIDATION_COLUMNS = ("kind", "column", "n", "rows", "values", "message")


@dataclass(frozen=True)
class ValidationProblem:
    """One problem found in the responses.

    Attributes
    ----------
    kind : str
        One of :data:`PROBLEM_KINDS`.
    column : str
        The offending column (the id column for duplicated ids).
    rows : tuple of int
        1-based data rows concerned (row 1 is the first row under the header).
    values : tuple of str
        The offending values, one per row (duplicated ids for ``duplicate_id``).
    message : str
        One line naming the column, the rule and the first offending rows.
    """

    kind: str
    column: str
    rows: tuple[int, ...]
    values: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class ValidationReport:
    """Every problem :func:`validate_responses` found, in one record.

    Examples
    --------
    >>> frame = pd.DataFrame({"a1": [1, 2, 9], "a2": [3, 3, 3]})
    >>> report = validate_responses(frame, ["a1", "a2", "a3"], (1, 7))
    >>> report.ok, [p.kind for p in report.problems]
    (False, ['missing_item', 'out_of_scale', 'zero_variance'])
    >>> print(report.message())
    responses: items not in the data: 'a3'; 'a1': values outside the scale 1 to 7 in rows 3 (9); 'a2': no variance (every answer is 3)
    """

    problems: tuple[ValidationProblem, ...]
    n_rows: int
    items: tuple[str, ...]
    scale: tuple[int, int] | None

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def of_kind(self, kind: str) -> tuple[ValidationProblem, ...]:
        """The problems of one kind."""
        return tuple(p for p in self.problems if p.kind == kind)

    def message(self) -> str:
        """One line listing every problem (``''`` when there is none)."""
        if self.ok:
            return ""
        missing = [p.column for p in self.of_kind("missing_item")]
        parts = [f"items not in the data: {name_list(missing)}"] if missing else []
        parts += [p.message for p in self.problems if p.kind != "missing_item"]
        return "responses: " + "; ".join(parts)

    def raise_if_problems(self) -> None:
        """Raise :class:`DataError` with :meth:`message` when a problem was found."""
        if not self.ok:
            raise DataError(self.message())

    def to_frame(self) -> pd.DataFrame:
        """One row per problem, columns :data:`VALIDATION_COLUMNS` (rows/values joined by ', ')."""
        return pd.DataFrame(
            [(p.kind, p.column, len(p.rows), ", ".join(map(str, p.rows)), ", ".join(p.values), p.message)
             for p in self.problems],
            columns=list(VALIDATION_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "n_rows": self.n_rows,
            "items": list(self.items),
            "scale": list(self.scale) if self.scale else None,
            "problems": [
                {"kind": p.kind, "column": p.column, "rows": list(p.rows), "values": list(p.values),
                 "message": p.message}
                for p in self.problems
            ],
        }


def _rows_text(rows: Sequence[int], values: Sequence[object], limit: int = 5) -> str:
    shown = ", ".join(f"{r} ({v})" for r, v in zip(rows[:limit], values[:limit]))
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return shown + more


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_responses(
    frame: pd.DataFrame,
    items: Instrument | Sequence[str],
    scale: ResponseScale | tuple[int, int] | None = None,
    *,
    id_column: str | None = None,
) -> ValidationReport:
    """Check item responses before fitting and report every problem at once.

    Checks, in this order: model items missing from the data; the respondent-id
    column missing; cells that are not numbers (text answers not yet coded); values
    that are not a code of the scale (outside ``min..max`` or not whole); duplicated
    respondent ids; items nobody answered; items with zero variance (attention checks
    are exempt from the last two: everyone passing them is the hoped-for result).

    Parameters
    ----------
    frame : pandas.DataFrame
        The responses, one row per respondent, item ids as columns.
    items : Instrument or sequence of str
        An :class:`~semxhs.instrument.Instrument` (its items and attention checks, its
        scale and respondent-id column are used), or the item columns to check.
    scale : ResponseScale or (min, max), optional
        The response scale; taken from the instrument when ``items`` is one; with
        ``None`` and a plain list of items the range is not checked.
    id_column : str, optional
        The respondent-id column (default: the instrument's ``respondent_id``).

    Returns
    -------
    ValidationReport
        ``report.ok`` is true when nothing was found; see :func:`check_responses`
        for the raising form.
    """
    from semxhs.instrument import Instrument, ResponseScale

    checks: tuple[str, ...] = ()
    if isinstance(items, Instrument):
        checks = tuple(items.check_ids)  # range-checked, but everyone passing is no problem
        names = tuple(items.item_ids) + checks
        scale = items.scale if scale is None else scale
        id_column = items.respondent_id if id_column is None else id_column
    elif isinstance(items, str):
        names = (items,)
    else:
        names = tuple(str(i) for i in items)
    bounds: tuple[int, int] | None
    if isinstance(scale, ResponseScale):
        bounds = (scale.min, scale.max)
    elif scale is None:
        bounds = None
    else:
        bounds = (int(scale[0]), int(scale[1]))
    problems: list[ValidationProblem] = []
    present = [c for c in names if c in frame.columns]
    for col in names:
        if col not in frame.columns:
            problems.append(ValidationProblem("missing_item", col, (), (), f"item '{col}' is not in the data"))
    if id_column is not None and id_column not in frame.columns:
        problems.append(ValidationProblem(
            "missing_id_column", id_column, (), (), f"respondent-id column '{id_column}' is not in the data"))

    numeric: dict[str, pd.Series] = {}
    for col in present:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            series = series.astype(float)
        converted = pd.to_numeric(series, errors="coerce")
        bad = (series.notna() & converted.isna()).to_numpy()
        if bad.any():
            rows = tuple(int(i) + 1 for i in np.flatnonzero(bad))
            values = tuple(str(v) for v in series.to_numpy()[bad])
            problems.append(ValidationProblem(
                "non_numeric", col, rows, values,
                f"'{col}': not numbers in rows {_rows_text(rows, values)}"))
        numeric[col] = converted.astype(float)

    if bounds is not None:
        low, high = bounds
        for col, values in numeric.items():
            v = values.to_numpy()
            bad = np.isfinite(v) & ((v < low) | (v > high) | (np.floor(v) != v))
            bad |= np.isinf(v)
            if bad.any():
                rows = tuple(int(i) + 1 for i in np.flatnonzero(bad))
                shown = tuple(_cell_text(x) for x in v[bad])
                problems.append(ValidationProblem(
                    "out_of_scale", col, rows, shown,
                    f"'{col}': values outside the scale {low} to {high} in rows {_rows_text(rows, shown)}"))

    if id_column is not None and id_column in frame.columns:
        ids = frame[id_column]
        dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
        if dup.any():
            rows = tuple(int(i) + 1 for i in np.flatnonzero(dup))
            values = tuple(_cell_text(x) for x in ids.to_numpy()[dup])
            problems.append(ValidationProblem(
                "duplicate_id", id_column, rows, values,
                f"'{id_column}': duplicated respondent ids in rows {_rows_text(rows, values, limit=8)}"))

    for col, values in numeric.items():
        if col in checks:
            continue
        answered = values.dropna()
        if answered.empty:
            problems.append(ValidationProblem("no_answers", col, (), (), f"'{col}': no numeric answers at all"))
        elif answered.nunique() == 1:
            problems.append(ValidationProblem(
                "zero_variance", col, (), (_cell_text(answered.iloc[0]),),
                f"'{col}': no variance (every answer is {_cell_text(answered.iloc[0])})"))

    order = {k: n for n, k in enumerate(PROBLEM_KINDS)}
    problems.sort(key=lambda p: order[p.kind])
    return ValidationReport(tuple(problems), int(len(frame)), names, bounds)


def check_responses(
    frame: pd.DataFrame,
    items: Instrument | Sequence[str],
    scale: ResponseScale | tuple[int, int] | None = None,
    *,
    id_column: str | None = None,
) -> ValidationReport:
    """:func:`validate_responses`, raising :class:`DataError` listing every problem.

    Examples
    --------
    >>> check_responses(pd.DataFrame({"a1": [1, "很同意", 8], "a2": [1, 2, 3]}), ["a1", "a2"], (1, 7))
    Traceback (most recent call last):
    ...
    semxhs.errors.DataError: responses: 'a1': not numbers in rows 2 (很同意); 'a1': values outside the scale 1 to 7 in rows 3 (8)
    """
    report = validate_responses(frame, items, scale, id_column=id_column)
    report.raise_if_problems()
    return report


def reverse_code(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """A copy of ``frame`` with the instrument's reverse-keyed items recoded: x -> min + max - x.

    Missing values stay missing; non-numeric cells raise (run :func:`check_responses` first).

    Examples
    --------
    >>> from semxhs.instrument import parse_instrument
    >>> inst = parse_instrument({"scale": {"points": 5}, "constructs": [{"id": "A"}],
    ...     "items": [{"id": "a1", "construct": "A"}, {"id": "a2", "construct": "A", "reverse": True}]})
    >>> reverse_code(pd.DataFrame({"a1": [1, 2], "a2": [1, 4]}), inst)["a2"].tolist()
    [5, 2]
    """
    out = frame.copy()
    absent = [i for i in instrument.reverse_items() if i not in out.columns]
    if absent:
        raise DataError(f"reverse-keyed items not in the data: {name_list(absent)}")
    for item in instrument.reverse_items():
        values = out[item]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise DataError(f"reverse-keyed item '{item}' is not numeric (dtype {values.dtype}); code the answers first")
        out[item] = (instrument.scale.min + instrument.scale.max) - values
    return out
