"""The client intake contract (docs/intake.md) as data.

One place says which tables and columns exist, their types, enums, defaults and help text.
Validation (`workbench.intake.validation`), the blank workbook (`workbench.intake.template`) and the
docs all read from here, so the three cannot drift apart.

Types of a column (after validation, in the DataFrames every other module receives):
- ``id``     : str, stripped; a number typed in Excel (``1`` or ``1.0``) becomes ``"1"``.
- ``text``   : str or None.
- ``number`` : float (NaN when empty).
- ``int``    : float holding a whole number (NaN when empty); range in ``min``/``max``.
- ``yesno``  : bool (default False).
- ``date``   : ``pandas.Timestamp`` (NaT when empty).
- ``enum``   : canonical English value (Chinese aliases accepted on input).
- ``idlist`` : list[str] (comma / 、 / ; separated on input).
- ``any``    : kept as given (``actuals.actual``: its meaning depends on the KPI's method;
               validation turns it into float, str grade or bool).
Every validated table also carries ``_row``: the row as Excel shows it (header is row 1).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workbench.core.yesno import NO, YES  # noqa: F401  (re-exported: older importers read them here)
from workbench.intake.methods import DEFAULT_GRADES, get_method, method_aliases, method_names  # noqa: F401

ColType = Literal["id", "text", "number", "int", "yesno", "date", "enum", "idlist", "any"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColType
    required: bool = False
    help_en: str = ""
    help_zh: str = ""
    enum: Sequence[str] = ()
    default: object = None
    min: float | None = None
    max: float | None = None
    multiple_of: float | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that must be unique together
    required_table: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


PERSPECTIVES: tuple[str, ...] = ("financial", "customer", "process", "learning")
PERSPECTIVE_ALIASES: dict[str, str] = {
    "financial": "financial", "finance": "financial", "财务": "financial",
    "customer": "customer", "客户": "customer", "顾客": "customer",
    "process": "process", "internal process": "process", "internal": "process", "内部流程": "process", "流程": "process",
    "learning": "learning", "learning and growth": "learning", "learning & growth": "learning", "学习与成长": "learning", "学习成长": "learning",
}
PERSPECTIVE_LABELS: dict[str, dict[str, str]] = {
    "financial": {"en": "Financial", "zh": "财务"},
    "customer": {"en": "Customer", "zh": "客户"},
    "process": {"en": "Internal process", "zh": "内部流程"},
    "learning": {"en": "Learning and growth", "zh": "学习与成长"},
}
OWNER_LEVELS: tuple[str, ...] = ("company", "division", "department", "position")
OWNER_LEVEL_LABELS: dict[str, dict[str, str]] = {
    "company": {"en": "Company", "zh": "公司"},
    "division": {"en": "Division", "zh": "事业部"},
    "department": {"en": "Department", "zh": "部门"},
    "position": {"en": "Position", "zh": "岗位"},
}


class _MethodView(Mapping[str, Any]):
    """A live view of the KPI method registry (`workbench.intake.methods`), so a registered method is
    everywhere these names are read."""

    def __init__(self, pick: Callable[[Any], Any]):
        self._pick = pick

    def __getitem__(self, key: str) -> Any:
        m = get_method(key)
        if m is None:
            raise KeyError(key)
        return self._pick(m)

    def __iter__(self) -> Iterator[str]:
        return iter(method_names())

    def __len__(self) -> int:
        return len(method_names())


class _MethodNames(Sequence[str]):
    def __getitem__(self, i: Any) -> Any:
        return method_names()[i]

    def __len__(self) -> int:
        return len(method_names())

    def __repr__(self) -> str:
        return repr(method_names())


METHODS: Sequence[str] = _MethodNames()
METHOD_LABELS: Mapping[str, dict[str, str]] = _MethodView(lambda m: {"en": m.label_en, "zh": m.label_zh})
# Fields a KPI must have for its method (scoring.md, "needs").
METHOD_NEEDS: Mapping[str, tuple[str, ...]] = _MethodView(lambda m: m.needs)
FREQUENCIES: tuple[str, ...] = ("monthly", "quarterly", "annual")
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "deferred")
PDCA: tuple[str, ...] = ("plan", "do", "check", "act")
FEEDBACK_KINDS: tuple[str, ...] = ("strength", "opportunity")
# Examiner dimensions (v2): ADLI for process items, LeTCI for results items; which fit an item comes from the
# framework's lens (``dimensions[].code`` in data/frameworks/<edition>.yaml).
DIMENSIONS: tuple[str, ...] = ("A", "D", "L", "I", "Le", "T", "C")
ENUM_ALIASES: dict[str, Mapping[str, str]] = {
    "perspective": PERSPECTIVE_ALIASES,
    "owner_level": {"company": "company", "公司": "company", "集团": "company", "division": "division", "事业部": "division",
                    "本部": "division", "department": "department", "部门": "department", "position": "position", "岗位": "position"},
    "frequency": {"monthly": "monthly", "月": "monthly", "月度": "monthly", "quarterly": "quarterly", "季": "quarterly",
                  "季度": "quarterly", "annual": "annual", "年": "annual", "年度": "annual", "yearly": "annual"},
    "direction": {"higher": "higher", "越高越好": "higher", "高": "higher", "lower": "lower", "越低越好": "lower", "低": "lower"},
    "status": {"planned": "planned", "计划": "planned", "未开始": "planned", "in_progress": "in_progress", "in progress": "in_progress",
               "进行中": "in_progress", "done": "done", "完成": "done", "已完成": "done", "deferred": "deferred", "延期": "deferred",
               "转入下一周期": "deferred"},
    "pdca": {"plan": "plan", "p": "plan", "do": "do", "d": "do", "check": "check", "c": "check", "act": "act", "a": "act"},
    "kind": {"strength": "strength", "strengths": "strength", "优势": "strength", "长处": "strength", "+": "strength",
             "opportunity": "opportunity", "opportunities": "opportunity", "ofi": "opportunity",
             "改进机会": "opportunity", "改进": "opportunity", "-": "opportunity"},
    "dimension": {"a": "A", "approach": "A", "方法": "A", "d": "D", "deployment": "D", "展开": "D",
                  "l": "L", "learning": "L", "学习": "L", "i": "I", "integration": "I", "整合": "I",
                  "le": "Le", "levels": "Le", "level": "Le", "水平": "Le", "t": "T", "trends": "T", "trend": "T",
                  "趋势": "T", "c": "C", "comparisons": "C", "comparison": "C", "对比": "C"},
}


class _MethodAliases(Mapping[str, str]):
    """kpis.method spellings, read live from the registry (name, Chinese label, declared aliases)."""

    def __getitem__(self, key: str) -> str:
        return method_aliases()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(method_aliases())

    def __len__(self) -> int:
        return len(method_aliases())


ENUM_ALIASES["method"] = _MethodAliases()  # type: ignore[assignment]


def enum_aliases(column: str) -> Mapping[str, str]:
    """Accepted spellings (lower-case) → canonical value of an enum column."""
    return ENUM_ALIASES.get(column, {})


def _c(name: str, type: ColType, required: bool = False, en: str = "", zh: str = "", **kw: object) -> Column:
    return Column(name, type, required, en, zh, **kw)  # type: ignore[arg-type]


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("problems", "问题", "Problems", (
        _c("problem_id", "id", True, "Unique id of the problem, e.g. P1", "问题编号, 如 P1"),
        _c("problem", "text", True, "The symptom as observed", "问题描述(症状)"),
        _c("metric", "text", False, "Metric that shows the problem", "反映问题的指标"),
        _c("current", "number", False, "Current value of the metric", "指标现状值"),
        _c("target", "number", False, "Target value of the metric", "指标目标值"),
        _c("unit", "text", False, "Unit of the metric", "单位"),
    ), key=("problem_id",)),
    Table("causes", "原因(鱼骨图)", "Causes (fishbone)", (
        _c("cause_id", "id", True, "Unique id of the cause, e.g. C01", "原因编号, 如 C01"),
        _c("problem_id", "id", True, "Problem this cause belongs to (problems.problem_id)", "所属问题编号"),
        _c("category", "text", True, "Fishbone category: one of the client's categories (English or Chinese label)", "鱼骨类别(中文或英文标签)"),
        _c("cause", "text", True, "The cause", "原因描述"),
        _c("parent_cause_id", "id", False, "Parent cause when this is a sub-cause (any depth)", "上级原因编号(子原因时填写)"),
        _c("evidence", "text", False, "Evidence supporting the cause", "证据"),
        _c("impact", "int", False, "Impact on the problem, 1 (low) to 5 (high)", "影响程度 1-5", min=1, max=5),
        _c("effort", "int", False, "Cost/effort of fixing, 1 (low) to 5 (high)", "解决难度/成本 1-5", min=1, max=5),
        _c("verified", "yesno", False, "Verified with data (yes/no)", "是否已验证(是/否)", default=False),
    ), key=("cause_id",)),
    Table("whys", "5个为什么", "5-Why chains", (
        _c("problem_id", "id", True, "Problem the chain analyses", "所属问题编号"),
        _c("chain_id", "id", True, "Id of the chain, e.g. W1", "追问链编号, 如 W1"),
        _c("step", "int", True, "Step number 1, 2, 3 ... consecutive within the chain", "步骤序号, 链内连续", min=1, max=20),
        _c("why", "text", True, "The question asked", "为什么?"),
        _c("answer", "text", True, "The answer found", "回答"),
        _c("root_cause", "yesno", False, "This answer is the root cause (at most one per chain)", "是否根本原因(每链至多一个)", default=False),
        _c("cause_id", "id", False, "Fishbone cause the root cause corresponds to", "对应的鱼骨原因编号"),
    ), key=("chain_id", "step")),
    Table("objectives", "战略目标", "Strategic objectives", (
        _c("objective_id", "id", True, "Unique id, e.g. F1, C1, P1, L1", "目标编号, 如 F1"),
        _c("perspective", "enum", True, "Scorecard perspective", "平衡计分卡维度", enum=PERSPECTIVES),
        _c("objective", "text", True, "The strategic objective", "战略目标"),
        _c("theme", "text", False, "Strategic theme", "战略主题"),
        _c("description", "text", False, "Description", "说明"),
    ), key=("objective_id",)),
    Table("links", "因果关系", "Cause-effect links", (
        _c("from_objective", "id", True, "Cause objective (objectives.objective_id)", "原因目标编号"),
        _c("to_objective", "id", True, "Effect objective (objectives.objective_id)", "结果目标编号"),
    ), key=("from_objective", "to_objective")),
    Table("kpis", "KPI指标", "KPIs", (
        _c("kpi_id", "id", True, "Unique id of the KPI", "指标编号"),
        _c("kpi", "text", True, "KPI name", "指标名称"),
        _c("parent_kpi_id", "id", False, "Parent KPI in the cascade", "上级指标编号(分解来源)"),
        _c("objective_id", "id", False, "Strategic objective the KPI measures", "对应战略目标编号"),
        _c("owner_unit", "text", True, "Owning unit (company, division, department or position)", "责任单位"),
        _c("owner_level", "enum", False, "Level of the owner", "责任层级", enum=OWNER_LEVELS, default="company"),
        _c("owner", "text", False, "Owning person", "责任人"),
        _c("unit", "text", False, "Unit of measure", "计量单位"),
        _c("formula", "text", False, "Formula / definition", "计算公式/定义"),
        _c("data_source", "text", False, "Data source", "数据来源"),
        _c("frequency", "enum", False, "Measurement frequency", "统计周期", enum=FREQUENCIES),
        _c("direction", "enum", False, "higher or lower is better", "方向: 越高越好/越低越好", enum=DIRECTIONS, default="higher"),
        _c("method", "enum", True, "Scoring method (see scoring.md)", "评分方法", enum=METHODS),
        _c("baseline", "number", False, "Baseline value", "基准值"),
        _c("threshold", "number", False, "Threshold (scores 60)", "门槛值(60分)"),
        _c("target", "number", False, "Target (scores 100)", "目标值(100分)"),
        _c("stretch", "number", False, "Stretch (scores the cap)", "挑战值(封顶分)"),
        _c("weight", "number", True, "Weight in percent of the owner's contract", "权重(%, 占责任人业绩合同)", min=0, max=100),
        _c("step", "number", False, "Step size in percent of target (steps method)", "步长(目标值的%)", min=0),
        _c("step_points", "number", False, "Points per step or per occurrence", "每步/每次加减分", min=0),
        _c("cap", "number", False, "Maximum score (default 120)", "封顶分(默认120)", default=120.0),
        _c("floor", "number", False, "Minimum score (default 0)", "保底分(默认0)", default=0.0),
        _c("veto", "yesno", False, "Veto KPI: below 60 sets the owner's contract to 0", "一票否决(是/否)", default=False),
    ), key=("kpi_id",), required_table=True),
    Table("actuals", "实际值", "Actuals", (
        _c("kpi_id", "id", True, "KPI (kpis.kpi_id)", "指标编号"),
        _c("period", "text", True, "Period, e.g. 2026Q3, 2026-09, 2026", "期间, 如 2026Q3"),
        _c("actual", "any", True, "Actual: a number; a grade for qualitative; yes/no for binary", "实际值: 数值; 定性法填等级; 是否法填是/否"),
    ), key=("kpi_id", "period")),
    Table("assessment", "自评", "Self-assessment", (
        _c("item_id", "id", True, "Framework item, e.g. 4.1.2", "评分条款, 如 4.1.2"),
        _c("assessor", "text", True, "Assessor name", "评价人"),
        _c("score_pct", "number", True, "Score in percent, 0-100, multiple of 5", "得分率(%), 0-100, 5的倍数", min=0, max=100, multiple_of=5),
        _c("strengths", "text", False, "Strengths", "优势"),
        _c("opportunities", "text", False, "Opportunities for improvement", "改进机会"),
        _c("evidence", "text", False, "Evidence", "证据"),
    ), key=("item_id", "assessor")),
    Table("actions", "改进行动", "Improvement actions", (
        _c("action_id", "id", True, "Unique id, e.g. A01", "行动编号"),
        _c("action", "text", True, "The action", "改进措施"),
        _c("addresses", "idlist", False, "Ids of causes, KPIs, objectives or assessment items, comma separated", "针对的原因/指标/目标/条款编号, 逗号分隔"),
        _c("goal", "text", False, "Goal", "改进目标"),
        _c("owner_unit", "text", True, "Responsible unit", "责任单位"),
        _c("owner", "text", False, "Responsible person", "责任人"),
        _c("start", "date", False, "Start date YYYY-MM-DD", "开始日期"),
        _c("due", "date", True, "Due date YYYY-MM-DD", "完成日期"),
        _c("resources", "text", False, "Resources needed", "所需资源"),
        _c("acceptance", "text", False, "Acceptance criteria", "验收标准"),
        _c("status", "enum", False, "Status", "状态", enum=STATUSES, default="planned"),
        _c("pdca", "enum", False, "PDCA stage", "PDCA阶段", enum=PDCA),
        _c("reason", "text", False, "Why it was deferred or carried into the next round", "延期或转入下一周期的原因"),
    ), key=("action_id",)),
    Table("findings", "主要发现", "Key findings", (
        _c("finding_id", "id", True, "Unique id, e.g. F01", "发现编号, 如 F01"),
        _c("finding", "text", True, "The headline, written as a conclusion", "发现(以结论形式表述)"),
        _c("so_what", "text", False, "Why it matters to this organisation", "影响(为什么重要)"),
        _c("recommendation", "text", False, "What to do about it", "建议"),
        _c("addresses", "idlist", False, "Ids of items, KPIs, objectives, causes or actions, comma separated",
           "相关的条款/指标/目标/原因/行动编号, 逗号分隔"),
        _c("rank", "int", False, "Order in the executive summary, 1 first (default: table order)",
           "排序(1 为最先; 默认按表中顺序)", min=1, max=1000),
    ), key=("finding_id",)),
    Table("feedback", "评审反馈", "Examiner feedback", (
        _c("item_id", "id", True, "Framework item, e.g. 4.1.2", "评分条款, 如 4.1.2"),
        _c("kind", "enum", True, "strength or opportunity for improvement", "类型: 优势/改进机会", enum=FEEDBACK_KINDS),
        _c("comment", "text", True, "The comment the team agreed", "评语(团队共识)"),
        _c("key", "yesno", False, "A key strength or key opportunity (shown ++ / −−)", "是否关键(++/−−)",
           default=False),
        _c("dimension", "enum", False, "A/D/L/I for 4.1-4.6; Le/T/C/I for 4.7", "维度: 4.1-4.6 填 A/D/L/I, 4.7 填 Le/T/C/I",
           enum=DIMENSIONS),
        _c("evidence", "text", False, "Evidence", "证据"),
    )),
    Table("reviews", "季度回顾", "Quarterly review", (
        _c("kpi_id", "id", True, "KPI (kpis.kpi_id)", "指标编号"),
        _c("period", "text", True, "Period of the actual reviewed, e.g. 2026Q3", "期间, 如 2026Q3"),
        _c("cause", "text", True, "Why the KPI deviated", "偏差原因"),
        _c("countermeasure", "text", False, "What is done about it", "对策"),
        _c("owner", "text", False, "Who does it", "责任人"),
        _c("due", "date", False, "By when, YYYY-MM-DD", "完成日期"),
    )),
)}

TABLE_ORDER: tuple[str, ...] = tuple(TABLES)

# Fishbone presets: key -> (en label, zh label). Input accepts either label or the key, case-insensitive.
FISHBONE_PRESETS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "6M": (("people", "People", "人"), ("machines", "Machines", "机"), ("materials", "Materials", "料"),
           ("methods", "Methods", "法"), ("environment", "Environment", "环"), ("measurement", "Measurement", "测")),
    "4M": (("people", "People", "人"), ("machines", "Machines", "机"), ("materials", "Materials", "料"),
           ("methods", "Methods", "法")),
    "4S": (("surroundings", "Surroundings", "环境"), ("suppliers", "Suppliers", "供应商"), ("systems", "Systems", "系统"),
           ("skills", "Skills", "技能")),
    "4P": (("policies", "Policies", "政策"), ("procedures", "Procedures", "程序"), ("people", "People", "人员"),
           ("plant", "Plant", "厂房设备")),
    "8P": (("product", "Product", "产品"), ("price", "Price", "价格"), ("place", "Place", "渠道"),
           ("promotion", "Promotion", "促销"), ("people", "People", "人员"), ("process", "Process", "流程"),
           ("physical evidence", "Physical evidence", "有形展示"), ("productivity", "Productivity", "生产率与质量")),
    "org": (("organisation", "Organisation", "组织"), ("process", "Process", "流程"), ("resources", "Resources", "资源"),
            ("individual", "Individual", "个人")),
}

LANGUAGES: tuple[str, ...] = ("zh", "en")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
HISTORY_DIR = "history"  # (v2) <period>.json: results.json of earlier rounds

# Limits (intake.md v2): each a located error, checked while reading so memory stays bounded.
MAX_CELL_CHARS = 32_767  # Excel's own limit
MAX_TABLE_ROWS = 100_000
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_CLIENT_YAML_BYTES = 1024 * 1024
MAX_HISTORY_BYTES = 20 * 1024 * 1024  # a results.json is a few hundred KB; more is not one
