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

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from semxhs.errors import InputFileError, name_list

if TYPE_CHECKING:
    pass

ENCODINGS = ("utf-8-sig", "gb18030")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _read_delimited(text: str, sep: str | None, raw: bytes | None = None,
                    encoding: str | None = None) -> pd.DataFrame:
    """Read delimited text with pandas' C parser; the delimiter, when not given, sniffed as pandas does.

    pandas' ``sep=None`` runs :class:`csv.Sniffer` on the first line and then parses with
    its slow Python engine; sniffing the same line here and handing the delimiter to the C
    parser gives the same table many times faster (90% of loading a 200,000-row file was
    the Python engine). Text the sniffer cannot read goes to pandas' own sniffing path.
    UTF-8 files are parsed from their ``raw`` bytes, which the C parser reads as they are
    (from decoded ``text`` it must encode every chunk back to UTF-8 first: a third slower).
    """
    import csv
    from io import BytesIO, StringIO

    if sep is None:
        first = text[:text.find("\n")] if "\n" in text else text
        try:
            dialect = csv.Sniffer().sniff(first)
        except csv.Error:
            return pd.read_csv(StringIO(text), sep=None, engine="python")
        sep = dialect.delimiter
        options: dict[str, Any] = {"quotechar": dialect.quotechar, "skipinitialspace": dialect.skipinitialspace}
    else:
        options = {}
    if raw is not None and encoding in ("utf-8", "utf-8-sig"):
        return pd.read_csv(BytesIO(raw), sep=sep, engine="c", encoding=encoding, **options)
    return pd.read_csv(StringIO(text), sep=sep, engine="c", **options)


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


def check_unique_columns(names: list[object], where: str) -> None:
    """Refuse a header that names a column twice (pandas would silently rename the second ``x.1``).

    Empty header cells are left to the reader (pandas calls them ``Unnamed: k``).

    Raises
    ------
    InputFileError
        Naming every repeated column and the positions (1-based) where it stands.

    Examples
    --------
    >>> check_unique_columns(["id", "x", "y", "x"], "d.csv")
    Traceback (most recent call last):
    ...
    semxhs.errors.InputFileError: d.csv names a column twice: 'x' (columns 2 and 4); rename one so that every column has its own name
    >>> check_unique_columns(["id", None, float("nan"), "x"], "d.csv")
    """
    positions: dict[str, list[int]] = {}
    for k, name in enumerate(names, start=1):
        if name is None or (isinstance(name, float) and name != name):
            continue
        text = str(name).strip()
        if text:
            positions.setdefault(text, []).append(k)
    repeated = {n: ks for n, ks in positions.items() if len(ks) > 1}
    if repeated:
        def cols(ks: list[int]) -> str:
            return ", ".join(str(k) for k in ks[:-1]) + f" and {ks[-1]}"

        listed = "; ".join(f"'{n}' (columns {cols(ks)})" for n, ks in list(repeated.items())[:12])
        more = f" and {len(repeated) - 12} more" if len(repeated) > 12 else ""
        raise InputFileError(f"{where} names {'a column' if len(repeated) == 1 else 'columns'} twice: "
                             f"{listed}{more}; rename one so that every column has its own name")


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


def _blank(raw: bytes) -> bool:
    """Whether a file holds nothing but byte-order marks and white space.

    A byte that is neither (found in the first 4 KiB of any real file) settles it without
    copying the whole file twice, as stripping it does.

    Examples
    --------
    >>> _blank(b"\\xef\\xbb\\xbf \\r\\n"), _blank(b"a,b\\n1,2\\n"), _blank(b"\\xef\\xbb")
    (True, False, False)
    """
    if raw[:4096].translate(None, b" \t\n\r\x0b\x0c\xef\xbb\xbf"):
        return False
    return not raw.replace(b"\xef\xbb\xbf", b"").strip()


#: The header row is read from this much of the text (then to the end of the line it is in).
_HEADER_CHARS = 1 << 16


def _header_row(text: str, sep: str | None) -> pd.DataFrame:
    """The first record, every cell as text (pandas' Python engine, its delimiter sniffing).

    Read from the first 64 KiB of the text, cut at a line end, when that prefix cannot end
    inside a quoted field (an even number of each quote character); else from all of it.
    Handing pandas the whole text of a 200,000-row file cost as much as parsing a quarter
    of it, only to read one line.
    """
    from io import StringIO

    if len(text) > 2 * _HEADER_CHARS:
        end = text.find("\n", _HEADER_CHARS)
        prefix = text[: end + 1] if end >= 0 else text
        if prefix.count('"') % 2 == 0 and prefix.count("'") % 2 == 0:
            try:
                header = pd.read_csv(StringIO(prefix), sep=sep, engine="python", header=None, nrows=1, dtype=str)
            except Exception:  # whatever the prefix cannot settle, the whole text does (or raises)
                header = pd.DataFrame()
            if len(header):
                return header
    return pd.read_csv(StringIO(text), sep=sep, engine="python", header=None, nrows=1, dtype=str)


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
            raw = path.read_bytes()
            if _blank(raw):
                raise InputFileError(f"data file {path.name} is empty")
            try:
                enc = encoding or detect_encoding(raw)
            except InputFileError:
                raise InputFileError(f"{path.name} is neither UTF-8 nor GBK/GB18030 text (is it a data file?); "
                                     "give its encoding with --encoding") from None
            sep = "\t" if suffix == ".tsv" else None
            text = raw.decode(enc)
            header = _header_row(text, sep)
            check_unique_columns(header.iloc[0].tolist() if len(header) else [], path.name)
            frame = _read_delimited(text, sep, raw, enc)
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
            header = pd.read_excel(path, engine="openpyxl", sheet_name=sheet_name, header=None, nrows=1, dtype=str)
            check_unique_columns(header.iloc[0].tolist() if len(header) else [], f"{path.name} (sheet '{sheet_name}')")
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
            check_unique_columns(list(frame.columns), path.name)
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
