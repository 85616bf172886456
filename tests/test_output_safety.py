"""Outputs never land on inputs, are written all together or not at all, and Ctrl-C or a
killed parent leaves nothing behind: through the real command line (subprocesses), with
in-process runs (typer's CliRunner) only where a failure has to be injected.

Each refusal asserts: exit 2, exactly one line ``semxhs: error: ...`` on stderr, no
traceback, no new (or removed) file anywhere in the working folder, and every file's
SHA-256 unchanged."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reference_cases import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
POLDEM = FIXTURES / "shared" / "poldem_sem"
INTAKE = FIXTURES / "intake"


def run(*args: str, cwd: Path | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "semxhs", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` (hidden ones and links included) with its SHA-256."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_dir():
            out[rel] = "<dir>"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def assert_refused(folder: Path, args: list[str], *needles: str, cwd: Path | None = None) -> str:
    """Run a command that must be refused and check the whole contract; return the error line."""
    before = snapshot(folder)
    proc = run(*args, cwd=cwd)
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(err.splitlines()) == 1, err
    assert err.startswith("semxhs: error:"), err
    for needle in needles:
        assert needle in err, err
    assert snapshot(folder) == before
    return err


@pytest.fixture
def fit_case(tmp_path: Path) -> Path:
    shutil.copy(POLDEM / "model.lav", tmp_path / "model.lav")
    shutil.copy(POLDEM / "data.csv", tmp_path / "data.csv")
    return tmp_path


@pytest.fixture
def survey_case(tmp_path: Path) -> Path:
    shutil.copy(INTAKE / "wjx_text.xlsx", tmp_path / "wjx_text.xlsx")
    shutil.copy(INTAKE / "instrument.yaml", tmp_path / "instrument.yaml")
    return tmp_path


@pytest.fixture
def demo_case(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "surveys" / "demo" / "responses.csv", tmp_path / "responses.csv")
    shutil.copy(ROOT / "models" / "trust_purchase.lav", tmp_path / "constructs.lav")
    return tmp_path


# --------------------------------------------------------------------------- the four seen cases

def test_screen_json_over_the_instrument_is_refused(survey_case):
    f = survey_case
    assert_refused(f, ["screen", str(f / "wjx_text.xlsx"), "--instrument", str(f / "instrument.yaml"),
                       "--json", str(f / "instrument.yaml")],
                   "refusing to overwrite the input file", "instrument.yaml")


@pytest.mark.parametrize("option", ["--json", "--html"])
def test_process_output_over_the_constructs_model_is_refused(demo_case, option):
    f = demo_case
    assert_refused(f, ["process", str(f / "responses.csv"), "--model", "4", "--x", "PI", "--m", "TR", "--y", "PU",
                       "--constructs", str(f / "constructs.lav"), "--boot", "100", option, str(f / "constructs.lav")],
                   "refusing to overwrite the input file", "constructs.lav", option)


def test_study_whose_output_json_is_its_model_is_refused(fit_case):
    f = fit_case
    (f / "study.yaml").write_text("data: data.csv\nmodel: model.lav\noutput: {dir: ., json: model.lav}\n",
                                  encoding="utf-8")
    assert_refused(f, ["run", str(f / "study.yaml")], "refusing to overwrite the input file", "model.lav")


def test_fit_json_over_its_instrument_is_refused(survey_case):
    f = survey_case
    (f / "model.lav").write_text("PI =~ PI1 + PI2 + PI3 + PI4\nTR =~ TR1 + TR2 + TR3 + TR4\nTR ~ PI\n",
                                 encoding="utf-8")
    assert_refused(f, ["fit", str(f / "model.lav"), str(f / "wjx_text.xlsx"), "--instrument", str(f / "instrument.yaml"),
                       "--json", str(f / "instrument.yaml")], "refusing to overwrite the input file", "instrument.yaml")


# --------------------------------------------------------------------------- every way to name an input

def _same_file_spellings(f: Path) -> dict[str, Path]:
    (f / "sub").mkdir()
    (f / "link.csv").symlink_to(f / "data.csv")
    os.link(f / "data.csv", f / "hard.csv")
    return {"dotdot": f / "sub" / ".." / "data.csv", "symlink": f / "link.csv", "hardlink": f / "hard.csv",
            "case": f / "DATA.CSV", "relative": Path("data.csv")}


@pytest.mark.parametrize("spelling", ["dotdot", "symlink", "hardlink", "case", "relative"])
@pytest.mark.parametrize("option", ["--json", "--html", "--docx"])
def test_fit_output_over_the_data_under_any_spelling_is_refused(fit_case, spelling, option):
    f = fit_case
    target = _same_file_spellings(f)[spelling]
    assert_refused(f, ["fit", str(f / "model.lav"), "data.csv", option, str(target)],
                   "refusing to overwrite the input file", cwd=f)


def test_fit_output_over_the_model_is_refused(fit_case):
    f = fit_case
    assert_refused(f, ["fit", str(f / "model.lav"), str(f / "data.csv"), "--html", str(f / "Model.lav")],
                   "refusing to overwrite the input file", "model.lav")


@pytest.mark.parametrize("key,value", [("json", "study.yaml"), ("html", "data.csv"), ("docx", "model.lav"),
                                       ("html", "./sub/../STUDY.YAML")])
def test_study_outputs_over_any_file_it_names_are_refused(fit_case, key, value):
    f = fit_case
    (f / "sub").mkdir()
    (f / "study.yaml").write_text(f"data: data.csv\nmodel: model.lav\noutput: {{dir: ., {key}: '{value}'}}\n",
                                  encoding="utf-8")
    assert_refused(f, ["run", str(f / "study.yaml")], "refusing to overwrite the input file")


def test_study_output_over_its_instrument_is_refused(survey_case):
    f = survey_case
    (f / "model.lav").write_text("PI =~ PI1 + PI2 + PI3 + PI4\nTR =~ TR1 + TR2 + TR3 + TR4\nTR ~ PI\n",
                                 encoding="utf-8")
    (f / "study.yaml").write_text("data: wjx_text.xlsx\nmodel: model.lav\ninstrument: instrument.yaml\n"
                                  "screening: {attention: true}\noutput: {dir: ., json: instrument.yaml}\n",
                                  encoding="utf-8")
    assert_refused(f, ["run", str(f / "study.yaml")], "refusing to overwrite the input file", "instrument.yaml")


def test_study_screening_files_never_land_on_an_input(survey_case):
    """The derived wjx_text.cleaned.csv would be the study's model file (a link in the output folder)."""
    f = survey_case
    (f / "model.lav").write_text("PI =~ PI1 + PI2 + PI3 + PI4\nTR =~ TR1 + TR2 + TR3 + TR4\nTR ~ PI\n",
                                 encoding="utf-8")
    (f / "out").mkdir()
    (f / "out" / "wjx_text.cleaned.csv").symlink_to(f / "model.lav")
    (f / "study.yaml").write_text("data: wjx_text.xlsx\nmodel: model.lav\ninstrument: instrument.yaml\n"
                                  "screening: {attention: true}\noutput: {dir: out}\n", encoding="utf-8")
    assert_refused(f, ["run", str(f / "study.yaml")], "refusing to overwrite the input file", "model.lav",
                   "the cleaned data")


def test_screen_rules_file_is_protected_from_json_and_derived_files(survey_case):
    f = survey_case
    (f / "wjx_text.flow.csv").write_text("attention: true\n", encoding="utf-8")  # rules under a derived name
    base = ["screen", str(f / "wjx_text.xlsx"), "--instrument", str(f / "instrument.yaml")]
    assert_refused(f, [*base, "--rules", str(f / "wjx_text.flow.csv")], "refusing to overwrite the input file",
                   "the flow table")
    (f / "rules.yaml").write_text("attention: true\n", encoding="utf-8")
    assert_refused(f, [*base, "--rules", str(f / "rules.yaml"), "--json", str(f / "rules.yaml")],
                   "refusing to overwrite the input file", "rules.yaml")


def test_screen_derived_file_linked_to_the_instrument_is_refused(survey_case):
    f = survey_case
    (f / "out").mkdir()
    (f / "out" / "wjx_text.exclusions.csv").symlink_to(f / "instrument.yaml")
    assert_refused(f, ["screen", str(f / "wjx_text.xlsx"), "--instrument", str(f / "instrument.yaml"),
                       "--out", str(f / "out")], "refusing to overwrite the input file", "instrument.yaml")


def test_process_plot_over_an_input_is_refused(demo_case):
    """The HTML report's plots go beside it; one of them would be the constructs model."""
    f = demo_case
    shutil.copy(f / "constructs.lav", f / "p_interaction_plot.svg")
    assert_refused(f, ["process", str(f / "responses.csv"), "--model", "1", "--x", "PI", "--w", "TR", "--y", "PU",
                       "--constructs", str(f / "p_interaction_plot.svg"), "--html", str(f / "p.html")],
                   "refusing to overwrite the input file", "p_interaction_plot.svg")


def test_two_outputs_to_one_file_are_refused(fit_case):
    f = fit_case
    assert_refused(f, ["fit", str(f / "model.lav"), str(f / "data.csv"), "--json", str(f / "r.out"),
                       "--html", str(f / "sub" / ".." / "R.OUT")], "--json and --html name the same file")


# --------------------------------------------------------------------------- unusable output paths

@pytest.mark.parametrize("case", ["folder", "under_a_file", "empty", "dot"])
@pytest.mark.parametrize("option", ["--json", "--html", "--docx"])
def test_fit_unusable_output_paths(fit_case, case, option):
    f = fit_case
    (f / "results").mkdir()
    target = {"folder": str(f / "results"), "under_a_file": str(f / "data.csv" / "deeper" / "r.json"),
              "empty": "", "dot": "."}[case]
    needle = {"folder": "is a folder", "under_a_file": "is a file, not a folder", "empty": "file name is empty",
              "dot": "file name is empty"}[case]
    assert_refused(f, ["fit", str(f / "model.lav"), str(f / "data.csv"), option, target], option, needle, cwd=f)


def test_a_device_is_not_replaced_by_an_output(fit_case):
    """Writing 'to /dev/null' would rename a regular file over the device (as root): refused."""
    f = fit_case
    assert_refused(f, ["fit", str(f / "model.lav"), str(f / "data.csv"), "--json", os.devnull],
                   "--json", "not a regular file")
    assert Path(os.devnull).is_char_device()


@pytest.mark.parametrize("command", ["run", "demo"])
def test_run_and_demo_out_must_be_a_folder(fit_case, command):
    f = fit_case
    (f / "study.yaml").write_text("data: data.csv\nmodel: model.lav\n", encoding="utf-8")
    (f / "afile.txt").write_text("not a folder\n", encoding="utf-8")
    args = ["run", str(f / "study.yaml")] if command == "run" else ["demo"]
    assert_refused(f, [*args, "--out", str(f / "afile.txt")], "--out must be a folder", "afile.txt")
    assert_refused(f, [*args, "--out", str(f / "afile.txt" / "sub")], "--out", "is a file, not a folder")


def test_study_output_dir_under_a_file_is_refused(fit_case):
    f = fit_case
    (f / "study.yaml").write_text("data: data.csv\nmodel: model.lav\noutput: {dir: data.csv/reports}\n",
                                  encoding="utf-8")
    assert_refused(f, ["run", str(f / "study.yaml")], "output.dir", "is a file, not a folder")


def test_screen_out_is_a_file(survey_case):
    f = survey_case
    assert_refused(f, ["screen", str(f / "wjx_text.xlsx"), "--instrument", str(f / "instrument.yaml"),
                       "--out", str(f / "instrument.yaml")], "--out must be a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder; see the in-process test")
def test_read_only_folder_is_refused(fit_case):
    f = fit_case
    (f / "ro").mkdir()
    (f / "ro").chmod(0o555)
    try:
        assert_refused(f, ["fit", str(f / "model.lav"), str(f / "data.csv"), "--json", str(f / "ro" / "r.json")],
                       "--json", "permission denied")
    finally:
        (f / "ro").chmod(0o755)


def test_read_only_folder_is_refused_before_computing(fit_case, monkeypatch):
    """As root every folder is writable, so the permission is simulated (os.access says no)."""
    from typer.testing import CliRunner

    import semxhs.atomic
    from semxhs.cli import app

    f = fit_case
    (f / "ro").mkdir()
    real_access = os.access
    monkeypatch.setattr(semxhs.atomic.os, "access",
                        lambda p, mode, **kw: False if Path(p) == f / "ro" else real_access(p, mode, **kw))
    import semxhs.study.pipeline

    def no_computing(*args, **kwargs):
        raise AssertionError("the fit ran before the output path was checked")

    monkeypatch.setattr(semxhs.study.pipeline, "fit_files", no_computing)
    before = snapshot(f)
    result = CliRunner().invoke(app, ["fit", str(f / "model.lav"), str(f / "data.csv"),
                                      "--json", str(f / "ro" / "new" / "r.json")])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [f"semxhs: error: --json: cannot write into {f / 'ro'}: permission denied"]
    assert snapshot(f) == before


def test_a_second_output_that_cannot_be_written_leaves_the_first_behind_neither(fit_case):
    """Checks pass (root may write to /proc), the write fails: exit 2 and not even the JSON is left."""
    f = fit_case
    if os.access("/proc", os.W_OK) is False or not Path("/proc/self").exists():
        pytest.skip("needs /proc")
    err = assert_refused(f, ["fit", str(f / "model.lav"), str(f / "data.csv"), "--no-measurement",
                             "--json", str(f / "r.json"), "--html", "/proc/semxhs-no-such/r.html"], "cannot ")
    assert "internal error" not in err


# --------------------------------------------------------------------------- staging, in process

def _invoke_fit(f: Path, *extra: str):
    from typer.testing import CliRunner

    from semxhs.cli import app

    return CliRunner().invoke(app, ["fit", str(f / "model.lav"), str(f / "data.csv"), "--no-measurement", "-q",
                                    "--json", str(f / "out" / "r.json"), "--html", str(f / "out" / "r.html"), *extra])


def test_failure_while_writing_the_second_file_removes_the_first_and_the_folder(fit_case, monkeypatch):
    import semxhs.atomic

    f = fit_case
    before = snapshot(f)
    real = semxhs.atomic.tempfile.mkstemp
    calls = []

    def mkstemp(*args, **kwargs):
        calls.append(kwargs.get("prefix"))
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(f / "out" / "r.html"))
        return real(*args, **kwargs)

    monkeypatch.setattr(semxhs.atomic.tempfile, "mkstemp", mkstemp)
    result = _invoke_fit(f)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [f"semxhs: error: cannot write {f / 'out' / 'r.html'}: "
                                                  "No space left on device"]
    assert snapshot(f) == before  # no r.json, no temporary file, no 'out' folder


def test_a_failed_move_puts_back_the_earlier_outputs(fit_case, monkeypatch):
    import semxhs.atomic

    f = fit_case
    (f / "out").mkdir()
    (f / "out" / "r.json").write_text("old results\n", encoding="utf-8")
    before = snapshot(f)
    real = semxhs.atomic.os.replace
    moves = []

    def replace(src, dst):
        if str(src).endswith(".tmp"):
            moves.append(dst)
            if len(moves) == 2:
                raise OSError(5, "Input/output error", str(dst))
        return real(src, dst)

    monkeypatch.setattr(semxhs.atomic.os, "replace", replace)
    result = _invoke_fit(f)
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(f) == before  # the old r.json is back, nothing else


def test_ctrl_c_while_writing_leaves_nothing_and_says_so(fit_case, monkeypatch):
    import semxhs.atomic

    f = fit_case
    before = snapshot(f)
    real = semxhs.atomic.os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(fd)

    monkeypatch.setattr(semxhs.atomic.os, "fsync", fsync)
    result = _invoke_fit(f)
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines() == ["semxhs: interrupted: nothing was written"]
    assert snapshot(f) == before


def test_ctrl_c_while_moving_completes_the_moves_and_says_so(fit_case, monkeypatch):
    """Ctrl-C is held back while the files are moved into place: all are written, and the line says so."""
    import semxhs.atomic

    f = fit_case
    real = semxhs.atomic.os.replace

    def replace(src, dst):
        real(src, dst)
        if str(dst).endswith("r.json"):
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C in the middle of the moves

    monkeypatch.setattr(semxhs.atomic.os, "replace", replace)
    result = _invoke_fit(f)
    assert result.exit_code == 130
    lines = result.stderr.strip().splitlines()
    # the JSON, the HTML and the path diagram saved beside the report (SVG and PNG)
    assert len(lines) == 1 and lines[0].startswith("semxhs: interrupted: 4 output file(s) had been written completely"), lines
    assert sorted(p.name for p in (f / "out").iterdir()) == [  # complete, no temporary file
        "r.html", "r.json", "r_path_diagram.png", "r_path_diagram.svg"]


def test_stage_place_is_undone_when_the_stage_fails(tmp_path):
    from semxhs.atomic import OutputStage

    (tmp_path / "kept.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), OutputStage() as stage:
        stage.place(tmp_path / "new" / "a.txt", b"a")
        stage.place(tmp_path / "kept.txt", b"new")
        assert (tmp_path / "kept.txt").read_text() == "new"
        raise RuntimeError("the analysis failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]
    assert (tmp_path / "kept.txt").read_text() == "old"


# --------------------------------------------------------------------------- Ctrl-C and killed parents, for real

def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _wait_for_workers(proc: subprocess.Popen, n: int, limit: float = 120) -> list[int]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        kids = _children(proc.pid)
        if len(kids) >= n:
            return kids
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail("the bootstrap workers never started")


BOOT = ["fit", str(POLDEM / "model.lav"), str(POLDEM / "data.csv"), "--no-measurement", "--bootstrap", "400000",
        "--jobs", "2", "--no-progress"]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_with_two_workers_stops_everything_and_writes_nothing(tmp_path):
    """Ctrl-C from a terminal goes to the whole process group: parent and workers."""
    proc = subprocess.Popen([sys.executable, "-m", "semxhs", *BOOT, "--json", str(tmp_path / "b.json"),
                             "--html", str(tmp_path / "b.html")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            start_new_session=True)
    workers = _wait_for_workers(proc, 2)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["semxhs: interrupted: nothing was written"]
    assert list(tmp_path.iterdir()) == []
    assert not any(_alive(w) for w in workers)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_of_a_killed_parent_exit_quietly(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "semxhs", *BOOT, "--json", str(tmp_path / "b.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    workers = _wait_for_workers(proc, 2)
    time.sleep(0.5)
    proc.kill()
    _, err = proc.communicate(timeout=60)  # EOF only once the workers, which share stderr, are gone too
    assert "Traceback" not in err and err.strip() == "", err
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
    assert [p for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5, 4.0])
def test_ctrl_c_at_any_moment_leaves_all_outputs_or_none(tmp_path, delay):
    """From start-up to the last move: exit 130 with a truthful line (or a finished run), never a
    traceback, a temporary file or some outputs without the others."""
    json_out, html_out = tmp_path / "r.json", tmp_path / "r.html"
    proc = subprocess.Popen([sys.executable, "-m", "semxhs", "fit", str(POLDEM / "model.lav"), str(POLDEM / "data.csv"),
                             "--json", str(json_out), "--html", str(html_out), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    names = sorted(p.name for p in tmp_path.iterdir())
    everything = ["r.html", "r.json", "r_path_diagram.png", "r_path_diagram.svg"]  # the diagram beside the report
    assert "Traceback" not in err and "Aborted" not in err, err
    if proc.returncode == 0:
        assert names == everything
        return
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    if names:
        assert names == everything and lines[0].startswith("semxhs: interrupted: 4 output file(s) had been"), (names, err)
    else:
        assert lines == ["semxhs: interrupted: nothing was written"]


def test_ctrl_c_during_the_demo_removes_the_study_files_it_had_written(tmp_path):
    """The demo writes its study files first (the study reads them); Ctrl-C undoes them too."""
    out = tmp_path / "demo"
    proc = subprocess.Popen([sys.executable, "-m", "semxhs", "demo", "--out", str(out), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 120
    while not (out / "study.yaml").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (out / "study.yaml").exists(), "the demo never wrote its study files"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["semxhs: interrupted: nothing was written"]
    assert list(tmp_path.iterdir()) == []  # not even the folder it made


def test_ctrl_c_that_breaks_an_import_is_reported_as_the_interrupt(capsys):
    """A Ctrl-C that lands inside a C extension's import surfaces as ``ImportError:
    initialization failed``: that is the interrupt (exit 130, one line), not a bug of ours (exit 1)."""
    import typer

    from semxhs.cli import guarded

    @guarded
    def command() -> None:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            raise ImportError("initialization failed") from None

    with pytest.raises(typer.Exit) as exit_info:
        command()
    assert exit_info.value.exit_code == 130
    assert capsys.readouterr().err.strip().splitlines() == ["semxhs: interrupted: nothing was written"]
