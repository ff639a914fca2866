"""Hand-made frames shaped like the `Analysis` fields (docs/architecture.md), in Chinese and English.

Used by tests/test_charts.py and for trying the charts without a client folder.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from workbench.intake.contract import FISHBONE_PRESETS
from workbench.intake.model import Category
from workbench.analysis.rollup import bands


def categories(preset: str = "6M") -> list[Category]:
    return [Category(k, en, zh) for k, en, zh in FISHBONE_PRESETS[preset]]


_CAUSES_ZH = [
    # cause_id, category, cause, parent, impact, effort
    ("C01", "people", "新员工上岗培训不足，未掌握换型作业标准", None, 5, 2),
    ("C02", "people", "班组长技能参差不齐", None, 3, 3),
    ("C03", "people", "培训计划只覆盖白班，夜班人员无法参加", "C01", 4, 2),
    ("C04", "people", "培训教材多年未更新", "C03", 3, 1),
    ("C05", "machines", "挤出机老化，故障停机频繁（月均 6 次）", None, 5, 4),
    ("C06", "machines", "预防性维护计划执行率低于 70%", "C05", 4, 2),
    ("C07", "machines", "关键备件库存不足，平均等待 3 天", "C05", 4, 3),
    ("C08", "materials", "原材料批次间质量波动大", None, 4, 4),
    ("C09", "materials", "供应商来料检验抽样比例偏低", "C08", 3, 1),
    ("C10", "methods", "换型作业无标准化作业指导书 (SOP)", None, 5, 1),
    ("C11", "methods", "工艺参数凭经验设定，未做实验设计 (DOE) 验证", None, 4, 3),
    ("C12", "methods", "首件检验流程形同虚设", "C10", 3, 1),
    ("C13", "environment", "车间夏季温度过高影响设备稳定性", None, 2, 4),
    ("C14", "measurement", "在线测厚仪未按期校准", None, 4, 1),
    ("C15", "measurement", "不良品统计口径不一致，各班组数据无法对比", None, 3, 2),
    ("C16", "measurement", "质量数据手工录入，延迟两天以上", "C15", 3, 3),
    ("C17", "measurement", "缺少统一的数据采集系统", "C16", 2, 5),
]

_CAUSES_EN = [
    ("C01", "people", "New operators not trained on the changeover standard", None, 5, 2),
    ("C02", "people", "Uneven skills of shift leaders", None, 3, 3),
    ("C03", "people", "Training only scheduled for the day shift; night shift cannot attend", "C01", 4, 2),
    ("C04", "people", "Training material not updated since 2019", "C03", 3, 1),
    ("C05", "machines", "Extruder ageing: frequent breakdowns (6 per month)", None, 5, 4),
    ("C06", "machines", "Preventive maintenance plan below 70% completion", "C05", 4, 2),
    ("C07", "machines", "Critical spare parts out of stock, 3-day average wait", "C05", 4, 3),
    ("C08", "materials", "Raw material quality varies between batches", None, 4, 4),
    ("C09", "materials", "Incoming inspection sample size too small", "C08", 3, 1),
    ("C10", "methods", "No standard operating procedure for changeovers", None, 5, 1),
    ("C11", "methods", "Process parameters set by experience, never validated by DOE", None, 4, 3),
    ("C12", "methods", "First-article inspection skipped in practice", "C10", 3, 1),
    ("C13", "environment", "High workshop temperature in summer destabilises the line", None, 2, 4),
    ("C14", "measurement", "Online thickness gauge not calibrated on schedule", None, 4, 1),
    ("C15", "measurement", "Scrap counted differently by each shift", None, 3, 2),
    ("C16", "measurement", "Quality data keyed in by hand, two or more days late", "C15", 3, 3),
    ("C17", "measurement", "No common data-collection system", "C16", 2, 5),
]


def causes(lang: str = "zh") -> pd.DataFrame:
    rows = _CAUSES_ZH if lang == "zh" else _CAUSES_EN
    df = pd.DataFrame(rows, columns=["cause_id", "category", "cause", "parent_cause_id", "impact", "effort"])
    df["problem_id"] = "P1"
    df["impact"] = df["impact"].astype(float)
    df["effort"] = df["effort"].astype(float)
    df["priority"] = df["impact"] * (6 - df["effort"])
    parents = dict(zip(df["cause_id"], df["parent_cause_id"]))

    def depth(c: str) -> int:
        d, p = 0, parents.get(c)
        while isinstance(p, str):
            d, p = d + 1, parents.get(p)
        return d

    df["depth"] = [depth(c) for c in df["cause_id"]]
    df["is_root"] = df["cause_id"].isin(ROOT_CAUSES)
    df["is_top"] = df["cause_id"].isin(TOP_CAUSES)
    return df


ROOT_CAUSES = ["C04", "C06", "C10"]
TOP_CAUSES = ["C10", "C01", "C14", "C06"]
PROBLEM = {"zh": "挤出车间一次合格率低：92.1%（目标 97%）", "en": "Low first-pass yield in extrusion: 92.1% (target 97%)"}


def objectives(lang: str = "zh") -> pd.DataFrame:
    zh = lang == "zh"
    rows = [
        ("F1", "financial", "提升股东价值" if zh else "Grow shareholder value", None, 96.0),
        ("F2", "financial", "收入增长 15%" if zh else "Grow revenue 15%", "增长" if zh else "Growth", 104.0),
        ("F3", "financial", "降低单位制造成本" if zh else "Cut unit manufacturing cost", "运营卓越" if zh else "Operational excellence", 72.0),
        ("C1", "customer", "提高大客户满意度与忠诚度" if zh else "Raise key-account satisfaction and loyalty", "增长" if zh else "Growth", 88.0),
        ("C2", "customer", "准时交付率达到 98%" if zh else "On-time delivery 98%", "运营卓越" if zh else "Operational excellence", 55.0),
        ("C3", "customer", "拓展新能源汽车客户" if zh else "Win EV customers", "增长" if zh else "Growth", math.nan),
        ("P1", "process", "缩短新产品开发周期" if zh else "Shorten new-product development", "增长" if zh else "Growth", 101.0),
        ("P2", "process", "提升一次合格率" if zh else "Improve first-pass yield", "运营卓越" if zh else "Operational excellence", 62.0),
        ("P3", "process", "精益生产与设备综合效率 (OEE) 提升" if zh else "Lean production and OEE", "运营卓越" if zh else "Operational excellence", 80.0),
        ("P4", "process", "建立关键客户管理流程" if zh else "Key-account management process", "增长" if zh else "Growth", 45.0),
        ("L1", "learning", "培养多技能员工" if zh else "Build a multi-skilled workforce", "运营卓越" if zh else "Operational excellence", 90.0),
        ("L2", "learning", "建设制造执行系统 (MES)" if zh else "Roll out the MES", None, 58.0),
        ("L3", "learning", "营造持续改进文化" if zh else "Continuous-improvement culture", None, 110.0),
    ]
    df = pd.DataFrame(rows, columns=["objective_id", "perspective", "objective", "theme", "score"]).set_index("objective_id")
    df["band"] = bands(df["score"]).tolist()
    return df


def links() -> pd.DataFrame:
    pairs = [("F2", "F1"), ("F3", "F1"), ("C1", "F2"), ("C3", "F2"), ("C2", "F3"), ("C2", "C1"), ("P1", "C3"),
             ("P2", "C2"), ("P3", "C2"), ("P3", "F3"), ("P4", "C1"), ("L1", "P2"), ("L1", "P3"), ("L2", "P3"),
             ("L2", "P2"), ("L3", "P1"), ("L3", "L1"), ("L2", "F3"), ("F3", "C2")]
    return pd.DataFrame(pairs, columns=["from_objective", "to_objective"])


def strategy_warnings(lang: str = "zh") -> list:
    from types import SimpleNamespace as F

    zh = lang == "zh"
    return [
        F(code="no_kpi", message="战略目标 C3 没有对应的 KPI" if zh else "Objective C3 has no KPI", refs=("C3",)),
        F(code="link_down", message="因果关系 F3 → C2 方向向下" if zh else "Link F3 → C2 runs down the perspectives",
          refs=("F3", "C2")),
        F(code="total_kpis", message="KPI 总数 14 不在 16-25 之间" if zh else "14 KPIs in total, outside 16-25", refs=()),
    ]


def kpis(lang: str = "zh", n_extra: int = 0) -> pd.DataFrame:
    zh = lang == "zh"
    rows = [
        # kpi_id, kpi, parent, objective, owner_unit, owner, level, weight, threshold, target, stretch, actual, score
        ("K01", "营业收入" if zh else "Revenue", None, "F2", "集团公司" if zh else "Group", "王总" if zh else "CEO Wang", "company", 30, 9.0, 10.0, 11.0, 10.4, 110.0),
        ("K02", "单位制造成本" if zh else "Unit manufacturing cost", None, "F3", "集团公司" if zh else "Group", "王总" if zh else "CEO Wang", "company", 25, 105, 100, 95, 103, 72.0),
        ("K03", "准时交付率" if zh else "On-time delivery", None, "C2", "集团公司" if zh else "Group", "王总" if zh else "CEO Wang", "company", 45, 90, 98, 99.5, 91, 55.0),
        ("K11", "华东事业部营业收入" if zh else "East division revenue", "K01", "F2", "华东事业部" if zh else "East division", "李明" if zh else "Li Ming", "division", 50, 4.5, 5.0, 5.5, 5.3, 112.0),
        ("K12", "华南事业部营业收入" if zh else "South division revenue", "K01", "F2", "华南事业部" if zh else "South division", "陈芳" if zh else "Chen Fang", "division", 50, 4.5, 5.0, 5.5, 5.1, 104.0),
        ("K111", "大客户销售额" if zh else "Key-account sales", "K11", "C1", "华东销售部" if zh else "East sales dept", "赵强" if zh else "Zhao Qiang", "department", 60, 2.5, 3.0, 3.3, 3.2, 113.0),
        ("K112", "新客户签约数" if zh else "New customers signed", "K11", "C3", "华东销售部" if zh else "East sales dept", "赵强" if zh else "Zhao Qiang", "department", 40, 8, 12, 15, None, math.nan),
        ("K1111", "客户经理人均销售额" if zh else "Sales per account manager", "K111", "C1", "大客户经理" if zh else "Key-account manager", "孙丽" if zh else "Sun Li", "position", 100, 0.2, 0.25, 0.3, 0.27, 107.0),
        ("K31", "挤出车间一次合格率" if zh else "Extrusion first-pass yield", "K03", "P2", "生产部" if zh else "Production dept", "周杰" if zh else "Zhou Jie", "department", 60, 94, 97, 98.5, 92.1, 0.0),
        ("K32", "设备综合效率 (OEE)" if zh else "Overall equipment effectiveness", "K03", "P3", "设备部" if zh else "Maintenance dept", "吴刚" if zh else "Wu Gang", "department", 40, 70, 80, 85, 76, 84.0),
        ("K321", "预防性维护计划完成率" if zh else "Preventive maintenance completion", "K32", "P3", "维修班组长" if zh else "Maintenance lead", "郑伟" if zh else "Zheng Wei", "position", 100, 80, 95, 100, 68, 0.0),
    ]
    for i in range(n_extra):
        rows.append((f"KX{i:02d}", (f"扩展指标{i}" if zh else f"Extra KPI {i}"), "K12", "F2",
                     "华南事业部" if zh else "South division", "陈芳" if zh else "Chen Fang", "department", 10, 1, 2, 3, 2, 100.0))
    df = pd.DataFrame(rows, columns=["kpi_id", "kpi", "parent_kpi_id", "objective_id", "owner_unit", "owner", "owner_level",
                                     "weight", "threshold", "target", "stretch", "actual", "score"]).set_index("kpi_id")
    df["weight"] = df["weight"].astype(float)
    df["contract"] = df["owner_unit"] + "/" + df["owner"].fillna("")
    parents = df["parent_kpi_id"].to_dict()

    def depth(k: str) -> int:
        d, p = 0, parents.get(k)
        while isinstance(p, str):
            d, p = d + 1, parents.get(p)
        return d

    df["depth"] = [depth(k) for k in df.index]
    df["status"] = ["excluded" if pd.isna(a) else "scored" for a in df["actual"]]
    df["band"] = bands(df["score"]).tolist()
    df["progress"] = np.nan
    return df


def kpi_history(kpis_df: pd.DataFrame) -> pd.DataFrame:
    periods = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    rows = []
    rng = np.random.default_rng(7)
    for kid, r in kpis_df.iterrows():
        if pd.isna(r["actual"]):
            continue
        for i, p in enumerate(periods):
            a = float(r["actual"]) * (0.9 + 0.035 * i + rng.normal(0, 0.01))
            if i == len(periods) - 1:
                a = float(r["actual"])
            s = float(r["score"]) * (0.85 + 0.05 * i) if not pd.isna(r["score"]) else math.nan
            rows.append((kid, p, a, s))
    return pd.DataFrame(rows, columns=["kpi_id", "period", "actual", "score"])


def contract_history(kpis_df: pd.DataFrame) -> pd.DataFrame:
    periods = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    rows = []
    for j, c in enumerate(sorted(kpis_df["contract"].unique())):
        for i, p in enumerate(periods):
            rows.append((c, p, 60 + 8 * ((i + j) % 5) + 3 * j % 17))
    return pd.DataFrame(rows, columns=["contract", "period", "score"])


def assessment(lang: str = "zh") -> tuple[pd.DataFrame, pd.DataFrame]:
    zh = lang == "zh"
    items = [
        ("4.1.2", "4.1", "高层领导的作用", "Role of senior leaders", 50), ("4.1.3", "4.1", "组织治理", "Governance", 30),
        ("4.1.4", "4.1", "社会责任", "Social responsibility", 30), ("4.2.2", "4.2", "战略制定", "Strategy development", 40),
        ("4.2.3", "4.2", "战略部署", "Strategy deployment", 50), ("4.3.2", "4.3", "顾客和市场的了解", "Customer and market knowledge", 40),
        ("4.3.3", "4.3", "顾客关系与顾客满意", "Customer relationships and satisfaction", 50),
        ("4.4.2", "4.4", "人力资源", "Human resources", 60), ("4.4.3", "4.4", "财务资源", "Financial resources", 15),
        ("4.4.4", "4.4", "信息和知识资源", "Information and knowledge", 20), ("4.4.5", "4.4", "技术资源", "Technology", 15),
        ("4.4.6", "4.4", "基础设施", "Infrastructure", 10), ("4.4.7", "4.4", "相关方关系", "Partner relationships", 10),
        ("4.5.2", "4.5", "过程的识别与设计", "Process identification and design", 50),
        ("4.5.3", "4.5", "过程的实施与改进", "Process implementation and improvement", 50),
        ("4.6.2", "4.6", "测量、分析和评价", "Measurement, analysis and review", 40), ("4.6.3", "4.6", "改进与创新", "Improvement and innovation", 40),
        ("4.7.2", "4.7", "产品和服务结果", "Product and service results", 80), ("4.7.3", "4.7", "顾客与市场结果", "Customer and market results", 80),
        ("4.7.4", "4.7", "财务结果", "Financial results", 80), ("4.7.5", "4.7", "资源结果", "Resource results", 60),
        ("4.7.6", "4.7", "过程有效性结果", "Process effectiveness results", 50), ("4.7.7", "4.7", "领导方面的结果", "Leadership results", 50),
    ]
    pcts = [60, 45, 40, 55, 35, 50, 45, 40, 50, 30, 35, 45, 40, 55, 50, 30, 25, 45, 40, 50, 35, np.nan, 30]
    spreads = [10, 25, 5, 15, 30, 10, 5, 20, 10, 15, 5, 10, 10, 25, 10, 5, 10, 15, 20, 10, 5, np.nan, 35]
    df = pd.DataFrame(items, columns=["item_id", "category", "name_zh", "name_en", "points"])
    df["name"] = df["name_zh"] if zh else df["name_en"]
    df["consensus_pct"] = pcts
    df["score"] = df["points"] * df["consensus_pct"] / 100
    df["spread"] = spreads
    df["flagged"] = df["spread"] > 20
    df["band"] = [_pct_band(p) for p in df["consensus_pct"]]
    cats = [("4.1", "领导", "Leadership", 110), ("4.2", "战略", "Strategy", 90), ("4.3", "顾客与市场", "Customers and markets", 90),
            ("4.4", "资源", "Resources", 130), ("4.5", "过程管理", "Process management", 100),
            ("4.6", "测量、分析与改进", "Measurement, analysis and improvement", 80), ("4.7", "结果", "Results", 400)]
    c = pd.DataFrame(cats, columns=["category", "name_zh", "name_en", "points"])
    c["name"] = c["name_zh"] if zh else c["name_en"]
    c["score"] = [df.loc[df["category"] == k, "score"].sum() for k in c["category"]]
    return df, c


def _pct_band(p: float) -> str | None:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return None
    for lo, hi in ((0, 5), (10, 25), (30, 45), (50, 65), (70, 85), (90, 100)):
        if lo <= p <= hi:
            return f"{lo}-{hi}%"
    return None


def actions(lang: str = "zh") -> pd.DataFrame:
    zh = lang == "zh"
    T = pd.Timestamp
    rows = [
        ("A01", "编制换型标准作业指导书" if zh else "Write the changeover SOP", "生产部" if zh else "Production", "周杰" if zh else "Zhou Jie", T("2026-07-01"), T("2026-08-15"), "done"),
        ("A02", "夜班培训计划" if zh else "Night-shift training plan", "人力资源部" if zh else "HR", "钱敏" if zh else "Qian Min", T("2026-07-15"), T("2026-09-15"), "in_progress"),
        ("A03", "预防性维护计划重排与备件安全库存" if zh else "Re-plan preventive maintenance and spare-part safety stock", "设备部" if zh else "Maintenance", "吴刚" if zh else "Wu Gang", T("2026-06-01"), T("2026-09-10"), "in_progress"),
        ("A04", "测厚仪校准制度" if zh else "Gauge calibration routine", "质量部" if zh else "Quality", "冯雪" if zh else "Feng Xue", T("2026-08-01"), T("2026-08-31"), "planned"),
        ("A05", "MES 一期上线" if zh else "MES phase 1 go-live", "信息部" if zh else "IT", None, T("2026-05-01"), T("2027-01-31"), "in_progress"),
        ("A06", "供应商来料检验加严" if zh else "Tighten incoming inspection", "质量部" if zh else "Quality", "冯雪" if zh else "Feng Xue", pd.NaT, T("2026-10-31"), "planned"),
        ("A07", "车间降温改造" if zh else "Workshop cooling retrofit", "设备部" if zh else "Maintenance", "吴刚" if zh else "Wu Gang", T("2026-04-01"), T("2026-06-30"), "deferred"),
    ]
    return pd.DataFrame(rows, columns=["action_id", "action", "owner_unit", "owner", "start", "due", "status"])
