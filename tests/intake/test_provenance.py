"""data_provenance: hash, row counts per step and options, JSON-ready."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from semxhs.survey.provenance import STEPS, make_provenance
from semxhs.survey.screening import screen_file


def test_provenance_of_a_screening_run(tmp_path, intake_dir, instrument):
    data = tmp_path / "wjx_codes_gbk.csv"
    shutil.copyfile(intake_dir / "wjx_codes_gbk.csv", data)
    run = screen_file(data, instrument, {"speed": {"fraction_of_median": 0.3}}, write=False)
    prov = run.provenance.to_dict()
    assert prov["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert prov["size_bytes"] == data.stat().st_size
    assert (prov["format"], prov["encoding"], prov["encoding_detected"]) == ("csv", "gb18030", True)
    assert (prov["platform"], prov["answer_format"]) == ("wenjuanxing", "codes")
    assert prov["instrument"].endswith("instrument.yaml") and len(prov["instrument_sha256"]) == 64
    assert [r["step"] for r in prov["rows"]] == list(STEPS)
    assert [r["n"] for r in prov["rows"]] == [112, 112, 100, 99]
    assert prov["options"]["screening"]["speed"]["fraction_of_median"] == 0.3
    assert prov["options"]["encoding"] is None
    json.dumps(run.to_dict(), ensure_ascii=False, allow_nan=False)  # strict JSON, no NaN
    assert run.files is None and not list(tmp_path.glob("*.cleaned.csv"))


def test_make_provenance_plain_values(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    prov = make_provenance(path, options={"out": tmp_path, "items": ("a",)}).with_rows("read", 1)
    d = prov.to_dict()
    assert d["options"] == {"out": str(tmp_path), "items": ["a"]} and d["format"] == "csv"
    assert prov.n("read") == 1 and prov.n("screened") is None
    with pytest.raises(FileNotFoundError):
        make_provenance(tmp_path / "missing.csv")
