"""The blank intake workbook (generated from `workbench.intake.contract`, so it cannot drift) and `workbench new`.

Regenerate the repository copy with ``python -m workbench.intake.template`` (writes templates/intake_template.xlsx).
"""
from __future__ import annotations

import io
import math
import re
import sys
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from workbench.intake import contract
from workbench.intake.contract import Column, Table
from workbench.intake.methods import methods
from workbench.core.atomic import atomic_write_bytes, atomic_write_text
from workbench.core.resources import intake_template

INSTRUCTIONS_SHEET = "说明 Instructions"
VALIDATION_ROWS = 500  # rows 2..501 carry dropdowns / number checks
REPO_TEMPLATE = intake_template()
_FIXED_TIME = datetime(2026, 1, 1)  # fixed document timestamps: regenerating gives the same content

REQUIRED_FILL = PatternFill("solid", fgColor="F4B183")  # orange: required
OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")  # light blue: optional
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)

_YESNO_LIST = ("yes", "no", "是", "否")


def _zh_alias(column: str, value: str) -> str | None:
    """The first Chinese alias of an enum value (for bilingual dropdowns)."""
    for alias, canon in contract.ENUM_ALIASES.get(column, {}).items():
        if canon == value and re.search(r"[\u4e00-\u9fff]", alias):
            return alias
    return None


def enum_choices(col: Column) -> list[str]:
    """Dropdown values: canonical English first, then one Chinese alias each (both are accepted on input)."""
    zh = [z for z in (_zh_alias(col.name, v) for v in col.enum) if z]
    return [*col.enum, *zh]


def _allowed_text(col: Column) -> tuple[str, str]:
    """(zh, en) description of the allowed values of a column, for header notes."""
    if col.type == "enum":
        vals = ", ".join(enum_choices(col))
        return f"可选值: {vals}", f"Allowed: {vals}"
    if col.type == "yesno":
        return "是/否 (yes/no, y/n, true/false, 1/0)", "yes/no (also y/n, true/false, 1/0, 是/否)"
    if col.type == "date":
        return "日期 YYYY-MM-DD", "Date YYYY-MM-DD"
    if col.type in ("int", "number"):
        rng = []
        if col.min is not None:
            rng.append(f">= {col.min:g}")
        if col.max is not None:
            rng.append(f"<= {col.max:g}")
        if col.multiple_of:
            rng.append(f"x{col.multiple_of:g}")
        kind_zh = "整数" if col.type == "int" else "数值"
        kind_en = "Whole number" if col.type == "int" else "Number"
        extra = f" ({', '.join(rng)})" if rng else ""
        return kind_zh + extra, kind_en + extra
    if col.type == "idlist":
        return "多个编号用逗号分隔", "Ids separated by commas"
    return "", ""


def _note(col: Column) -> str:
    zh_allowed, en_allowed = _allowed_text(col)
    req = "必填 / required" if col.required else "选填 / optional"
    lines = [f"{col.name} ({req})", col.help_zh, col.help_en]
    if zh_allowed:
        lines += [zh_allowed, en_allowed]
    if col.default not in (None, False):
        lines.append(f"默认 / default: {col.default:g}" if isinstance(col.default, float) else
                     f"默认 / default: {col.default}")
    return "\n".join(line for line in lines if line)


def _width(col: Column) -> float:
    if col.type in ("text",) and col.name not in ("unit", "owner", "assessor", "owner_unit"):
        return 32
    if col.type == "idlist":
        return 22
    return max(12, len(col.name) + 4)


_INSTRUCTIONS: tuple[tuple[str, str], ...] = (
    ("每个工作表对应一张数据表, 工作表名称必须与表名完全一致。第 1 行是列名, 从第 2 行开始填写数据。",
     "Each sheet is one table; the sheet name must be exactly the table name. Row 1 holds the column names; "
     "data starts on row 2."),
    ("橙色列名(以及本说明中带 * 的列)为必填; 蓝色为选填。可以增加自己的列, 系统会保留但不使用。",
     "Orange headers (marked * below) are required; blue ones are optional. Extra columns are kept and ignored."),
    ("编号(id)在表内唯一; 引用列(如 problem_id、parent_kpi_id、objective_id)必须填写已存在的编号。",
     "Ids are unique within their table; reference columns (problem_id, parent_kpi_id, objective_id, ...) "
     "must name an id that exists."),
    ("是/否列可填: 是/否, yes/no, y/n, true/false, 1/0。日期填 YYYY-MM-DD 或 Excel 日期。",
     "Yes/no columns accept 是/否, yes/no, y/n, true/false, 1/0. Dates are YYYY-MM-DD or real Excel dates."),
    ("同一责任人(owner_unit + owner)的 KPI 权重之和必须为 100。",
     "The weights of one owner's KPIs (owner_unit + owner) must sum to 100."),
    ("linear 方法要求 门槛值 < 目标值 < 挑战值 (越低越好时相反)。百分比指标请直接填 90 而不是 90%。",
     "The linear method needs threshold < target < stretch (reversed for lower is better). In a % KPI type 90, "
     "not 90% (Excel stores 90% as 0.9)."),
    ("feedback 的维度须与条款相符: 4.1-4.6 填 A/D/L/I, 4.7 填 Le/T/C/I; reviews 的期间须有该指标的实际值。",
     "feedback.dimension must fit the item: A/D/L/I for 4.1-4.6, Le/T/C/I for 4.7; a reviews period needs "
     "an actual of that KPI."),
    ("除 kpis 外所有表均为选填; 不需要的表可以留空。",
     "Every table except kpis is optional; leave unused sheets empty."),
    ("数据也可以用每表一个 <表名>.csv 文件 (UTF-8) 提供, 但不能与 intake.xlsx 同时存在。",
     "Tables may instead be <table>.csv files (UTF-8), but not together with intake.xlsx."),
)



# Instructions sheet layout: A sheet / method, B 中文, C English / needs, D columns / score.
# Each rule is one row: Chinese in A:B (merged), English in C:D (merged).
_INSTRUCTION_WIDTHS = (20, 18, 28, 74)
_LINE_HEIGHT = 15.0  # points per wrapped line (11 pt text; CJK fallback fonts included)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def _display_width(text: str) -> int:
    """Width of ``text`` in column-width units: CJK and other full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` needs when wrapped in a column ``width`` wide (a little slack for word breaks)."""
    usable = max(1.0, width * 0.9 - 1)
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in str(text).split("\n"))


def _fit_row(ws, row: int, cells: list[tuple[str, float]], font_size: float = 11) -> None:  # type: ignore[no-untyped-def]
    """Set an explicit row height from the (text, width) pairs of the row: LibreOffice and Excel do not
    grow rows of wrapped text written by openpyxl, so long text would overprint the next row."""
    lines = max((_wrapped_lines(text, width) for text, width in cells if text), default=1)
    ws.row_dimensions[row].height = round(lines * _LINE_HEIGHT * font_size / 11 + 3, 1)


def _page_setup(ws, landscape: bool, title_rows: str | None) -> None:  # type: ignore[no-untyped-def]
    """A4, one page wide (as many pages tall as needed), modest margins, optional repeated header rows."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A  &P / &N"


def _instructions(ws) -> None:  # type: ignore[no-untyped-def]
    wa, wb_, wc, wd = _INSTRUCTION_WIDTHS
    total = sum(_INSTRUCTION_WIDTHS)
    for letter, width in zip("ABCD", _INSTRUCTION_WIDTHS):
        ws.column_dimensions[letter].width = width

    def put(r: int, c: int, value: str, font: Font | None = None) -> None:
        cell = ws.cell(r, c, value)
        cell.alignment = WRAP_TOP
        if font is not None:
            cell.font = font

    title = "客户资料收集模板 Client intake workbook"
    put(1, 1, title, TITLE_FONT)
    ws.merge_cells("A1:D1")
    _fit_row(ws, 1, [(title, total)], font_size=14)
    subtitle = "依据 docs/intake.md (v2) 自动生成 · generated from the intake contract v2"
    put(2, 1, subtitle)
    ws.merge_cells("A2:D2")
    _fit_row(ws, 2, [(subtitle, total)])
    r = 4
    put(r, 1, "填写规则 Rules", BOLD)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
    _fit_row(ws, r, [("填写规则 Rules", total)])
    r += 1
    for zh, en in _INSTRUCTIONS:
        put(r, 1, zh)
        put(r, 3, en)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
        _fit_row(ws, r, [(zh, wa + wb_), (en, wc + wd)])
        r += 1
    r += 1

    def block(r: int, heads: tuple[str, ...], rows: list[tuple[str, ...]]) -> int:
        """A bold header row, then the rows; each row as tall as its longest wrapped cell. Returns the next row."""
        for i, row in enumerate([heads, *rows]):
            for c, v in enumerate(row, start=1):
                if i == 0:
                    put(r, c, v, BOLD)
                else:
                    put(r, c, v)
            _fit_row(ws, r, list(zip(row, _INSTRUCTION_WIDTHS)))
            r += 1
        return r

    r = block(r, ("工作表 Sheet", "中文", "English", "列 Columns (* = 必填 required)"),
              [(t.name + (" *" if t.required_table else ""), t.title_zh, t.title_en,
                ", ".join(c.name + ("*" if c.required else "") for c in t.columns)) for t in contract.TABLES.values()])
    r += 1
    r = block(r, ("评分方法 method", "中文", "需要的列 needs", "计分 score"),
              [(m.name, m.label_zh, ", ".join(m.needs) or "—", f"{m.help_zh} / {m.help_en}") for m in methods()])
    ws.print_area = f"A1:D{r - 1}"
    _page_setup(ws, landscape=False, title_rows=None)


def _table_sheet(wb: Workbook, table: Table) -> None:
    ws = wb.create_sheet(table.name)
    last = VALIDATION_ROWS + 1
    for i, col in enumerate(table.columns, start=1):
        cell = ws.cell(1, i, col.name)
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if col.required else OPTIONAL_FILL
        note = Comment(_note(col), "workbench")
        note.width, note.height = 320, 160
        cell.comment = note
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        dim.width = _width(col)
        if col.type in ("id", "text", "idlist") or col.name == "period":
            dim.number_format = "@"  # keep 001, 2026-09 and 4.1.2 as typed (Excel would convert them)
        elif col.type == "date":
            dim.number_format = "yyyy-mm-dd"
        rng = f"{letter}2:{letter}{last}"
        dv: DataValidation | None = None
        if col.type == "enum":
            dv = DataValidation(type="list", formula1='"' + ",".join(enum_choices(col)) + '"', allow_blank=True)
        elif col.type == "yesno":
            dv = DataValidation(type="list", formula1='"' + ",".join(_YESNO_LIST) + '"', allow_blank=True)
        elif col.type == "int" and col.min is not None and col.max is not None:
            dv = DataValidation(type="whole", operator="between", formula1=f"{col.min:g}", formula2=f"{col.max:g}",
                                allow_blank=True)
        elif col.type == "number" and col.min is not None:
            if col.max is not None:
                dv = DataValidation(type="decimal", operator="between", formula1=f"{col.min:g}",
                                    formula2=f"{col.max:g}", allow_blank=True)
            else:
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=f"{col.min:g}",
                                    allow_blank=True)
        elif col.type == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        if dv is not None:
            zh_allowed, en_allowed = _allowed_text(col)
            dv.error = f"{zh_allowed} / {en_allowed}"[:255]
            dv.errorTitle = col.name[:32]
            dv.prompt = f"{col.help_zh} / {col.help_en}"[:255]
            dv.promptTitle = col.name[:32]
            dv.showInputMessage = True
            dv.showErrorMessage = True
            # Enum lists warn instead of refusing: other Chinese aliases (越高越好, 进行中, ...) are valid too.
            dv.errorStyle = "warning" if col.type in ("enum", "yesno") else "stop"
            ws.add_data_validation(dv)
            dv.add(rng)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}1"
    # Header names wrap (never cut off at the cell edge); the row is as tall as the longest wrapped name.
    for i, col in enumerate(table.columns, start=1):
        ws.cell(1, i).alignment = Alignment(wrap_text=True, vertical="top")
    _fit_row(ws, 1, [(col.name, _width(col)) for col in table.columns])
    # Wide sheets print landscape; every sheet one page wide with the header row repeated on each page.
    _page_setup(ws, landscape=sum(_width(c) for c in table.columns) > 90, title_rows="1:1")


def build_template() -> Workbook:
    """The blank intake workbook: instructions sheet, then one sheet per contract table."""
    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    _instructions(ws)
    for table in contract.TABLES.values():
        _table_sheet(wb, table)
    wb.properties.creator = "workbench"
    wb.properties.created = _FIXED_TIME
    return wb


def template_bytes() -> bytes:
    """The workbook as bytes, byte-for-byte reproducible (fixed timestamps), so a regenerated
    templates/intake_template.xlsx only shows up in git when the contract changed."""
    buf = io.BytesIO()
    build_template().save(buf)
    out = io.BytesIO()
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def write_template(path: str | Path) -> Path:
    """Write the blank intake workbook to ``path`` atomically."""
    path = Path(path)
    atomic_write_bytes(path, template_bytes())
    return path


def write_repo_template() -> Path:
    """Regenerate templates/intake_template.xlsx (the copy consultants download)."""
    return write_template(REPO_TEMPLATE)


def current_quarter(today: date | None = None) -> str:
    d = today or date.today()
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def client_yaml_text(client_id: str, period: str | None = None) -> str:
    """A commented client.yaml holding every key of the contract, valid as written."""
    period = period or current_quarter()
    presets = ", ".join(contract.FISHBONE_PRESETS)
    return f"""\
# Client profile (docs/intake.md). Edit name and period; optional keys may stay empty.
# 客户档案: 请修改 name 和 period; 选填项可以留空。

id: "{client_id}"               # must equal the folder name / 必须与文件夹名称一致
name: "{client_id}"             # organisation name on the deliverable / 报告上的组织名称
period: "{period}"              # period being scored: 2026Q3, 2026H1, 2026-09 or 2026 / 评价期间
language: zh                  # deliverable language: zh or en / 报告语言
industry:                     # free text, groups peers in benchmarking / 行业
framework: gbt19580-2012      # assessment framework edition / 评价准则版本
fishbone_categories: 6M       # preset ({presets}) or a list / 鱼骨图分类
mission:                      # 使命
vision:                       # 愿景
values: []                    # list of values / 核心价值观, e.g. [诚信, 创新]
consultant:                   # consultant shown on the cover / 顾问
missing_actuals: exclude      # exclude (renormalise weights) or zero / 缺少实际值: 剔除或计零分
profile:                      # organisation profile: products, scale, markets, key relationships / 组织概述
challenges: []                # strategic challenges and advantages / 战略挑战与优势
target_score:                 # assessment total aimed for, e.g. a quality award's level / 目标总分
grades:                       # qualitative KPI grades → points / 定性指标等级分值
  A: 100
  B: 85
  C: 70
  D: 60
  E: 0
"""


def new_client_command(client_id: str, root: Path) -> int:
    """`workbench new`: create root/<id>/ with client.yaml and a blank intake.xlsx. 0 on success, 1 on refusal."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    if not re.match(contract.ID_PATTERN, client_id) or "\n" in client_id:
        console.print(f"[red]error:[/] {escape(repr(client_id))} is not a valid client id: use lower-case letters, "
                      "digits and '-', starting with a letter or digit (at most 63 characters), e.g. acme-steel")
        return 1
    folder = Path(root) / client_id
    if folder.exists():
        console.print(f"[red]error:[/] {escape(str(folder))} already exists; choose another id or edit that client")
        return 1
    folder.mkdir(parents=True)
    atomic_write_text(folder / "client.yaml", client_yaml_text(client_id))
    write_template(folder / "intake.xlsx")
    console.print(f"[green]created[/] {escape(str(folder))}: edit client.yaml (name, period) and fill intake.xlsx, "
                  f"then run: workbench validate {escape(str(folder))}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    out = write_template(sys.argv[1]) if len(sys.argv) > 1 else write_repo_template()
    print(out)
