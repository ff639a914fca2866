#!/usr/bin/env python
"""Write the three demo client folders under clients/ (the source of truth for them).

    python tools/make_demo_clients.py            # write clients/huaxin-steel, jinfeng-logistics, riverside-hospital
    python tools/make_demo_clients.py --check    # also print counts and the scores the demo data should produce
    python tools/make_demo_clients.py --root DIR # write elsewhere (tests)

Regenerating gives the same bytes (the xlsx zip entries and document properties carry a fixed timestamp).
Each client is first written to a scratch folder and checked by the workbench's own validator
(``workbench.intake.reading.check_client``): an error, or a warning DELIBERATE does not list, and nothing is
written. The v2 material (profile, findings, feedback, reviews, carry-over reasons, earlier rounds in
``history/``) comes from tools/demo_judgement.py; an earlier round is the results.json the workbench itself
produces for that round's data.

What each client deliberately contains (tests rely on it) is listed in DELIBERATE below and printed by --check.
``reference_scores`` and ``reference_assessment`` recompute the scores from scoring.md without the workbench:
tests/test_demo_clients.py holds the workbench to them.
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
import zipfile
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from workbench.intake.contract import METHOD_NEEDS, PERSPECTIVE_ALIASES, TABLE_ORDER, TABLES  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_judgement import V2, rows  # noqa: E402

PERIODS = ("2025Q4", "2026Q1", "2026Q2", "2026Q3")
ITEMS = ("4.1.2", "4.1.3", "4.1.4", "4.2.2", "4.2.3", "4.3.2", "4.3.3", "4.4.2", "4.4.3", "4.4.4", "4.4.5",
         "4.4.6", "4.4.7", "4.5.2", "4.5.3", "4.6.2", "4.6.3", "4.7.2", "4.7.3", "4.7.4", "4.7.5", "4.7.6", "4.7.7")
FIXED_TIME = datetime(2026, 10, 9, 9, 0, 0)


def assessment(assessors: tuple[str, str, str], scores: dict[str, tuple[int, int, int]],
               texts: dict[str, tuple[str, str, str]]) -> list[dict]:
    """Three assessors per item. Assessor 1 writes strengths + evidence, assessor 2 opportunities + evidence,
    assessor 3 strengths + opportunities (left blank on every fourth item: most rows carry text, not all)."""
    out = []
    for n, item in enumerate(ITEMS):
        if item not in scores:
            continue
        s, o, e = texts[item]
        for k, (who, pct) in enumerate(zip(assessors, scores[item])):
            r = {"item_id": item, "assessor": who, "score_pct": pct}
            if k == 0:
                r.update(strengths=s, evidence=e)
            elif k == 1:
                r.update(opportunities=o, evidence=e)
            elif n % 4 != 3:
                r.update(strengths=s, opportunities=o)
            out.append(r)
    return out


def actuals(values: dict[str, tuple]) -> list[dict]:
    out = []
    for kid, vals in values.items():
        for p, v in zip(PERIODS, vals):
            if v is not None:
                out.append({"kpi_id": kid, "period": p, "actual": v})
    return out


# --------------------------------------------------------------------------------------------------------------
# 1. 华鑫特钢股份有限公司: special steel, zh, intake.xlsx, 6M, missing_actuals exclude
# --------------------------------------------------------------------------------------------------------------
def huaxin() -> dict:
    profile = {
        "id": "huaxin-steel",
        "name": "华鑫特钢股份有限公司",
        "industry": "钢铁/制造",
        "language": "zh",
        "period": "2026Q3",
        "framework": "gbt19580-2012",
        "fishbone_categories": "6M",
        "mission": "为高端装备制造提供精品特殊钢材料, 为客户创造价值, 为员工创造发展, 为社会创造财富",
        "vision": "成为国内领先、国际知名的精品特钢企业",
        "values": ["诚信守约", "精益求精", "创新驱动", "合作共赢"],
        "consultant": "王立新",
        "missing_actuals": "exclude",
        "grades": {"A": 100, "B": 85, "C": 70, "D": 60, "E": 0},
    }
    problems = rows("problem_id problem metric current target unit", [
        ("PR1", "轴承钢、齿轮钢棒材成品一次合格率偏低, 连续四个季度未达98%目标", "成品一次合格率", 96.8, 98.5, "%"),
        ("PR2", "重点汽车零部件客户合同交付准时率持续下降, 客户多次发函投诉", "合同交付准时率", 88.5, 95, "%"),
    ])
    causes = rows("cause_id problem_id category cause parent_cause_id evidence impact effort verified", [
        ("C01", "PR1", "人", "操作工对新钢种工艺要点掌握不足", None,
         "2026Q2质量分析会: 因操作原因判废的铸坯占缺陷总量31%", 4, 2, "是"),
        ("C02", "PR1", "人", "新员工占比高, 岗前培训仅3天即独立上岗", "C01",
         "炼钢厂一线员工中入职不满一年者占27%", 3, 2, "是"),
        ("C03", "PR1", "人", "培训教材未随工艺规程同步更新, 仍为2021版", "C02", "培训教材版本核查记录", 3, 1, "是"),
        ("C04", "PR1", "机", "连铸机结晶器液位波动大, 铸坯表面及皮下裂纹增多", None,
         "MES液位曲线: 波动超过±5mm的炉次占18%", 5, 4, "是"),
        ("C05", "PR1", "机", "液位自动控制系统服役12年老化, 塞棒机构响应滞后", "C04", "设备点检记录; 厂家诊断报告", 5, 4, "是"),
        ("C06", "PR1", "料", "废钢原料成分波动大, 铜、锡等残余元素偶有超标", None, "原料化验台账: 2026年残余元素超标11批次", 4, 3, "是"),
        ("C07", "PR1", "料", "废钢供应商分类分级管理不到位, 进厂检验抽检比例低", "C06", "采购部供应商评价表", 3, 2, "否"),
        ("C08", "PR1", "法", "LF精炼钙处理工艺参数执行不稳定, 夹杂物评级波动", None, "精炼工序过程记录抽查", 4, 2, "是"),
        ("C09", "PR1", "法", "作业指导书与现场实际操作不一致, 工艺变更后未及时修订", "C08", "体系内审不符合项3项", 4, 1, "是"),
        ("C10", "PR1", "环", "夏季高温高湿, 钢坯表面氧化铁皮增多", None, "7-8月表面缺陷判废率环比上升0.4个百分点", 2, 3, "否"),
        ("C11", "PR1", "测", "在线超声探伤设备漏检率偏高, 缺陷流入下道工序", None, "客户复检发现内部缺陷4起", 3, 3, "是"),
        ("C12", "PR1", "测", "探伤标样校准周期过长, 未按月校准", "C11", "计量校准记录", 3, 1, "是"),
        ("C21", "PR2", "法", "产销衔接计划以周为单位编制, 无法快速响应客户插单和变更", None,
         "2026年1-8月客户订单变更216次, 计划调整滞后平均2.5天", 5, 3, "是"),
        ("C22", "PR2", "法", "销售预测准确率低, 订单评审流于形式", "C21", "订单评审记录抽查: 42%未经生产部会签", 4, 2, "是"),
        ("C27", "PR2", "法", "营销部与生产部数据不共享, ERP订单状态更新滞后", "C22", "ERP订单状态平均滞后1.8天更新", 4, 3, "是"),
        ("C23", "PR2", "机", "轧线计划外停机频繁, 打乱生产节奏", None, "2026Q3计划外停机47小时", 4, 3, "是"),
        ("C24", "PR2", "机", "关键备件库存不足, 故障修复时间长", "C23", "备件缺货导致停机延长占停机时长38%", 3, 2, "是"),
        ("C25", "PR2", "料", "镍铁、钼铁等合金原料到货不及时", None, "采购到货及时率86%", 3, 3, "否"),
        ("C26", "PR2", "人", "生产调度人员经验不足, 排产依赖个人经验", None, "调度员平均从业年限2.1年", 3, 2, "是"),
        ("C30", "PR2", "人", "调度员未经APS高级排产系统培训, 系统功能闲置", "C26", "APS系统使用日志", 3, 1, "是"),
        ("C28", "PR2", "环", "外部物流运力紧张, 铁路车皮计划兑现率低", None, "铁路车皮兑现率78%", 3, 5, "否"),
        ("C29", "PR2", "测", "交付准时率统计口径不统一(按发货日与按到货日并存)", None, "营销部与质量管理部报表差异2.3个百分点", 2, 1, "是"),
    ])
    whys = rows("problem_id chain_id step why answer root_cause cause_id", [
        ("PR1", "W1", 1, "为什么成品一次合格率低?", "铸坯表面及皮下裂纹缺陷多, 占判废量的46%", None, None),
        ("PR1", "W1", 2, "为什么铸坯裂纹缺陷多?", "连铸结晶器液位波动大", None, None),
        ("PR1", "W1", 3, "为什么结晶器液位波动大?", "塞棒控制机构响应滞后, 自动控制频繁失调", None, None),
        ("PR1", "W1", 4, "为什么塞棒控制响应滞后?", "液位自动控制系统服役12年, 元件老化", None, None),
        ("PR1", "W1", 5, "为什么老化设备未更新改造?", "液位控制系统老化未纳入年度技改计划, 缺少设备寿命周期评估机制", "是", "C05"),
        ("PR1", "W2", 1, "为什么部分炉次夹杂物评级超标?", "LF精炼钙处理效果不稳定", None, None),
        ("PR1", "W2", 2, "为什么钙处理效果不稳定?", "喂丝量和软吹时间执行不一致", None, None),
        ("PR1", "W2", 3, "为什么执行不一致?", "不同班组按各自经验操作", None, None),
        ("PR1", "W2", 4, "为什么按经验操作?", "作业指导书参数与现场设备能力不符, 员工不信任文件", None, None),
        ("PR1", "W2", 5, "为什么作业指导书与现场不符?", "工艺变更后没有同步修订作业指导书的机制", "是", "C09"),
        ("PR2", "W3", 1, "为什么合同交付准时率下降?", "插单和订单变更后生产计划调整滞后", None, None),
        ("PR2", "W3", 2, "为什么计划调整滞后?", "生产部获知订单变更平均晚1.8天", None, None),
        ("PR2", "W3", 3, "为什么获知订单变更晚?", "订单变更靠营销部电话、邮件通知", None, None),
        ("PR2", "W3", 4, "为什么靠电话、邮件通知?", "ERP订单状态未实时更新, 生产部看不到最新订单", None, None),
        ("PR2", "W3", 5, "为什么ERP订单状态不能实时更新?", "营销部与生产部数据不共享, ERP与MES未集成", "是", "C27"),
    ])
    objectives = rows("objective_id perspective objective theme description", [
        ("F1", "财务", "提升经营规模与盈利能力", "价值创造", "营业收入、利润总额稳步增长, 股东回报持续提升"),
        ("F2", "财务", "持续降低制造成本", "成本领先", "通过精益生产和能源管理降低吨钢成本"),
        ("C1", "客户", "提高高端特钢市场占有率", "产品高端化", "聚焦汽车、轴承、能源装备等高端细分市场"),
        ("C2", "客户", "提升战略客户满意度与忠诚度", "客户价值", "兑现交付承诺, 快速响应客户质量异议"),
        ("P1", "内部流程", "提升产品实物质量稳定性", "精品制造", "以一次合格率为核心, 强化全流程质量控制"),
        ("P2", "内部流程", "提高设备效率与生产组织水平", "精益生产", "提升OEE, 降低能耗, 实现产销高效衔接"),
        ("P3", "内部流程", "守住安全环保红线", "本质安全", "杜绝重大安全环保事故, 夯实班组安全基础"),
        ("L1", "学习与成长", "增强自主研发与技术创新能力", "创新驱动", "加大研发投入, 加快新钢种开发"),
        ("L2", "学习与成长", "建设高技能人才队伍", "人才强企", "完善技能等级评价和人才梯队建设"),
        ("L3", "学习与成长", "推进智能制造与数字化转型", "数字化", "ERP与MES集成, 建设数据中心(尚未设定KPI)"),
    ])
    links = rows("from_objective to_objective", [
        ("L1", "P1"), ("L1", "C1"), ("L2", "P1"), ("L2", "P2"), ("L2", "P3"), ("L3", "P1"), ("L3", "P2"),
        ("P1", "C1"), ("P1", "C2"), ("P2", "C2"), ("P2", "F2"), ("P3", "F2"),
        ("C1", "F1"), ("C2", "F1"), ("F2", "F1"),
    ])
    H = ("kpi_id kpi parent_kpi_id objective_id owner_unit owner_level owner unit formula data_source frequency "
         "direction method baseline threshold target stretch weight step step_points cap floor veto")
    CO, DV, MK, SM, PS = "华鑫特钢股份有限公司", "棒材事业部", "营销部", "炼钢厂", "一炼钢车间主任"
    kpis = rows(H, [
        ("K01", "营业收入", None, "F1", CO, "company", "周建华", "万元", "当期主营业务收入+其他业务收入", "财务报表",
         "monthly", "higher", "ratio", 341000, None, 380000, None, 20, None, None, None, None, None),
        ("K02", "利润总额", None, "F1", CO, "company", "周建华", "万元", "营业利润+营业外收支净额", "财务报表",
         "monthly", "higher", "linear", 11800, 12000, 18000, 24000, 20, None, None, None, None, None),
        ("K03", "吨钢制造成本", None, "F2", CO, "company", "周建华", "元/吨", "当期制造成本总额÷合格钢产量",
         "ERP成本模块", "monthly", "lower", "steps", 4380, None, 4200, None, 15, 1, 5, None, None, None),
        ("K04", "高端特钢销量占比", None, "C1", CO, "company", "周建华", "%", "高端品种钢销量÷钢材总销量×100%",
         "ERP销售模块", "quarterly", "higher", "linear", 28.5, 30, 35, 40, 10, None, None, None, None, None),
        ("K05", "战略客户满意度", None, "C2", CO, "company", "周建华", "分", "第三方顾客满意度测评加权得分(百分制)",
         "顾客满意度调查报告", "quarterly", "higher", "ratio", 84.2, None, 90, None, 10, None, None, 110, None, None),
        ("K06", "重大安全环保事故为零", None, "P3", CO, "company", "周建华", "是/否",
         "当期未发生重大及以上生产安全事故和突发环境事件为\"是\"", "安全环保部事故台账", "quarterly", "higher",
         "binary", None, None, None, None, 10, None, None, None, None, "是"),
        ("K07", "研发投入强度", None, "L1", CO, "company", "周建华", "%", "研发费用÷营业收入×100%", "财务报表(研发辅助账)",
         "quarterly", "higher", "ratio", 2.2, None, 3.0, None, 5, None, None, None, None, None),
        ("K08", "关键岗位人才梯队建设", None, "L2", CO, "company", "周建华", "等级",
         "人力资源委员会按继任者储备、培养计划执行情况评定A-E级", "人力资源部评定记录", "quarterly", "higher",
         "qualitative", None, None, None, None, 10, None, None, None, None, None),
        ("K11", "棒材事业部销售收入", "K01", "F1", DV, "division", "李国栋", "万元", "事业部产品销售收入", "ERP销售模块",
         "monthly", "higher", "ratio", 218000, None, 240000, None, 25, None, None, None, None, None),
        ("K12", "棒材吨钢加工成本", "K03", "F2", DV, "division", "李国栋", "元/吨",
         "由炼钢工序成本、吨钢综合能耗按权重汇总(不单独填报实际值)", "ERP成本模块", "monthly", "lower", "steps",
         2720, None, 2650, None, 20, 1, 5, None, None, None),
        ("K13", "合同交付准时率", None, "C2", DV, "division", "李国栋", "%", "按合同约定日期及以前发货的合同数÷到期合同数×100%",
         "ERP销售模块", "monthly", "higher", "linear", 93.5, 90, 95, 98, 20, None, None, None, None, None),
        ("K14", "成品一次合格率", None, "P1", DV, "division", "李国栋", "%", "一次检验合格的成品量÷成品检验总量×100%",
         "MES质量模块", "monthly", "higher", "linear", 96.5, 96, 98, 99, 20, None, None, None, None, None),
        ("K15", "客户质量异议", None, "C2", DV, "division", "李国栋", "件", "当期成立的客户质量异议件数, 每件扣10分",
         "质量异议处理台账", "monthly", "lower", "deduction", 6, None, None, None, 15, None, 10, None, 20, None),
        ("K21", "营销部合同销售额", "K11", "F1", MK, "department", "赵敏", "万元", "当期签订并执行的合同销售额",
         "ERP销售模块", "monthly", "higher", "ratio", 226000, None, 250000, None, 45, None, None, None, None, None),
        ("K22", "新开发战略客户数", None, "C1", MK, "department", "赵敏", "家",
         "年采购量3000吨以上的新签约客户数; 每超目标25%加10分", "客户档案; ERP客户主数据", "quarterly", "higher",
         "steps", 2, None, 4, None, 25, 25, 10, 130, None, None),
        ("K23", "货款回笼率", None, "F1", MK, "department", "赵敏", "%", "当期实际回笼货款÷当期应回笼货款×100%",
         "财务报表; ERP应收模块", "monthly", "higher", "ratio", 94.5, None, 98, None, 30, None, None, None, None, None),
        ("K31", "炼钢工序成本", "K12", "F2", SM, "department", "陈志强", "元/吨", "炼钢工序成本总额÷合格钢坯产量",
         "ERP成本模块", "monthly", "lower", "ratio", 1935, None, 1850, None, 25, None, None, None, None, None),
        ("K32", "连铸坯一次合格率", "K14", "P1", SM, "department", "陈志强", "%", "一次检验合格铸坯量÷铸坯检验总量×100%",
         "MES质量模块", "monthly", "higher", "linear", 97.6, 97.5, 98.5, 99.2, 25, None, None, None, None, None),
        ("K33", "主体设备综合效率(OEE)", None, "P2", SM, "department", "陈志强", "%", "时间开动率×性能开动率×合格品率",
         "MES设备模块", "monthly", "higher", "linear", 74, 75, 80, 85, 20, None, None, None, None, None),
        ("K34", "技能人才持证上岗率", None, "L2", SM, "department", "陈志强", "%", "持有中级工及以上证书的在岗人数÷在岗人数×100%",
         "人力资源系统", "quarterly", "higher", "ratio", 86, None, 95, None, 15, None, None, None, None, None),
        ("K35", "吨钢综合能耗", "K12", "P2", SM, "department", "陈志强", "kgce/t", "炼钢综合能源消耗总量÷合格钢产量",
         "能源管理系统", "monthly", "lower", "steps", 588, None, 560, None, 15, 2, 10, None, None, None),
        ("K51", "车间铸坯一次合格率", "K32", "P1", PS, "position", "王海涛", "%", "本车间一次检验合格铸坯量÷检验总量×100%",
         "MES质量模块", "monthly", "higher", "linear", 97.2, 97.5, 98.5, 99.2, 40, None, None, None, None, None),
        ("K52", "轻伤及以上生产安全事故", None, "P3", PS, "position", "王海涛", "起", "当期本车间轻伤及以上事故起数, 每起扣50分",
         "安全环保部事故台账", "monthly", "lower", "deduction", 0, None, None, None, 30, None, 50, None, None, "是"),
        ("K53", "员工技能培训计划完成率", None, "L2", PS, "position", "王海涛", "%", "已完成培训课时÷计划培训课时×100%",
         "培训管理台账", "quarterly", "higher", "ratio", 80, None, 100, None, 30, None, None, None, None, None),
    ])
    acts = actuals({
        "K01": (348000, 336500, 361200, 352800),
        "K02": (12650, 13900, 16800, 15600),
        "K03": (4365, 4310, 4236, 4150),
        "K04": (29.4, 30.8, 32.1, 33.2),
        "K05": (84.8, 85.5, 86.1, 86.5),
        "K06": ("是", "是", "是", "是"),
        "K07": (2.5, 1.9, 2.3, 1.75),
        "K08": ("C", "C", "B", "B"),
        "K11": (221500, 214800, 233600, 231000),
        "K13": (93.1, 91.6, 89.8, 88.5),
        "K14": (96.6, 96.4, 96.9, 96.8),
        "K15": (5, 9, 4, 3),
        "K21": (228000, 219500, 242300, 236500),
        "K22": (2, 3, 5, 6),
        "K23": (95.5, 96.8, 97.2, 96.1),
        "K31": (1928, 1904, 1889, 1920),
        "K32": (97.7, 97.5, 97.9, 97.8),
        "K33": (74.8, 76.2, 78.5, None),   # 2026Q3 missing: MES interface upgrade (exclude policy)
        "K34": (87.5, 88.9, 90.2, 91.0),
        "K35": (586, 579, 575, 580),
        "K51": (97.3, 97.0, 97.5, 97.6),
        "K52": (0, 0, 0, 1),               # one injury in 2026Q3 -> 50 points -> veto of 王海涛's contract
        "K53": (85, 90, 95, 96),
    })
    assessors = ("孙丽", "郑伟", "何静")
    scores = {
        "4.1.2": (50, 45, 55), "4.1.3": (45, 45, 50), "4.1.4": (40, 45, 40), "4.2.2": (50, 45, 50),
        "4.2.3": (30, 40, 55), "4.3.2": (40, 45, 40), "4.3.3": (45, 40, 45), "4.4.2": (40, 40, 45),
        "4.4.3": (45, 50, 50), "4.4.4": (35, 30, 35), "4.4.5": (45, 50, 45), "4.4.6": (50, 55, 50),
        "4.4.7": (40, 40, 35), "4.5.2": (45, 50, 45), "4.5.3": (40, 45, 45), "4.6.2": (35, 35, 40),
        "4.6.3": (40, 35, 40), "4.7.2": (45, 45, 50), "4.7.3": (40, 45, 40), "4.7.4": (45, 50, 70),
        "4.7.5": (35, 40, 35), "4.7.6": (40, 40, 45), "4.7.7": (45, 45, 40),
    }
    texts = {
        "4.1.2": ("高层领导班子确立\"精品特钢、百年华鑫\"愿景, 每季度召开经营分析会推动战略落地",
                  "高层领导亲自参与卓越绩效推进不足, 与一线员工的双向沟通渠道有限", "2026年经营分析会纪要; 领导班子现场办公记录"),
        "4.1.3": ("建立股东会、董事会、监事会治理结构, 内控制度较健全", "高管绩效评价与业绩合同挂钩不充分, 内审问题整改跟踪未闭环",
                  "公司章程; 2025年内部控制评价报告"),
        "4.1.4": ("通过ISO 14001、ISO 45001认证, 超低排放改造按期推进", "缺少社会责任报告和公益支持的系统规划, 社区沟通机制尚未建立",
                  "环保监测月报; 超低排放改造验收资料"),
        "4.2.2": ("制定\"十五五\"战略规划, 运用SWOT分析明确高端化、绿色化方向", "战略制定中对竞争对手和标杆数据的收集分析不够系统",
                  "十五五战略规划文本; 战略研讨会记录"),
        "4.2.3": ("通过业绩合同将年度目标分解至事业部和二级厂", "KPI价值树尚未分解到班组和岗位, 缺少战略执行的季度回顾机制",
                  "2026年业绩合同; KPI辞典(试行)"),
        "4.3.2": ("按汽车、轴承、工程机械细分市场建立重点客户档案", "对潜在客户和竞争对手顾客的需求缺少系统调研, 市场信息未形成定期分析报告",
                  "重点客户档案; 2025年市场调研报告"),
        "4.3.3": ("建立客户技术服务小组, 驻厂服务重点汽车零部件客户", "顾客满意度测量方法单一, 投诉处理结果未系统用于改进",
                  "顾客满意度调查报告; 质量异议处理台账"),
        "4.4.2": ("建立技能等级评价和首席技师制度, 培训体系覆盖全员", "绩效考核结果运用不充分, 关键岗位继任者计划尚未建立",
                  "员工培训台账; 技能等级认定结果"),
        "4.4.3": ("实施全面预算管理和资金集中管控, 资产负债率控制在55%以内", "预算执行偏差分析深度不够, 投资项目后评价未常态化",
                  "全面预算管理办法; 2025年财务报表"),
        "4.4.4": ("ERP、MES系统覆盖主要生产经营环节", "ERP与MES数据未打通, 缺少知识管理平台, 技术诀窍依赖个人经验传承",
                  "信息化规划; 系统架构图"),
        "4.4.5": ("拥有省级企业技术中心, 2025年获授权发明专利12项", "研发投入强度低于行业标杆3.5%, 产学研合作成果转化率不高",
                  "技术中心年报; 专利证书清单"),
        "4.4.6": ("主体装备达到国内先进水平, 推行TPM全员生产维护", "部分连铸设备服役超过10年, 缺少设备寿命周期评估机制",
                  "设备台账; TPM推进记录"),
        "4.4.7": ("与主要废钢、合金供应商建立长期合作关系", "供应商分级评价和绩效反馈机制不健全, 未开展供应商能力提升帮扶",
                  "合格供方名录; 供应商年度评价表"),
        "4.5.2": ("识别炼钢、精炼、连铸、轧钢等价值创造过程并制定工艺规程", "采购、设备、物流等支持过程的关键要求和绩效指标不明确",
                  "过程清单; 工艺技术规程"),
        "4.5.3": ("推行精益生产和QC小组活动, 2025年完成QC课题28项", "过程改进以问题驱动为主, 缺少基于数据的系统性PDCA评审",
                  "QC成果发布资料; 精益改善提案统计"),
        "4.6.2": ("建立月度经营指标报表体系", "绩效指标缺少标杆对比数据, 数据分析停留在完成率统计, 未用于决策支持",
                  "月度经营分析报告"),
        "4.6.3": ("开展合理化建议和\"五小\"创新活动", "改进项目缺少优先级排序与效果验证, 创新成果推广共享机制不足",
                  "合理化建议台账; 创新成果汇编"),
        "4.7.2": ("轴承钢氧含量控制达到国内先进水平", "成品一次合格率连续四个季度低于98%目标, 缺少与标杆企业的对比",
                  "质量月报; 第三方检测报告"),
        "4.7.3": ("高端特钢销量占比三年提升6个百分点", "重点客户合同交付准时率呈下降趋势, 顾客满意度低于行业标杆",
                  "销售统计; 顾客满意度调查"),
        "4.7.4": ("营业收入和利润总额连续三年增长", "吨钢利润与行业先进水平仍有差距, 财务结果缺少竞争对比",
                  "2023-2025年审计报告"),
        "4.7.5": ("技能人才持证上岗率逐年提升", "员工满意度和人均产钢量缺少趋势数据", "人力资源统计年报"),
        "4.7.6": ("吨钢综合能耗下降至580kgce/t以下", "设备综合效率(OEE)数据不完整, 关键过程指标未形成趋势分析",
                  "能源管理报表; MES设备数据"),
        "4.7.7": ("连续五年未发生重大安全环保事故, 获评省级绿色工厂", "战略目标达成情况与治理结果未形成系统评价",
                  "安全生产统计; 绿色工厂证书"),
    }
    actions = rows("action_id action addresses goal owner_unit owner start due resources acceptance status pdca", [
        ("A01", "连铸机结晶器液位自动控制系统升级改造", "C04,C05,K14", "液位波动控制在±3mm以内, 裂纹判废量下降50%",
         "设备能源部", "刘建军", "2026-07-01", "2027-03-31", "技改资金380万元; 设备厂家技术支持",
         "液位波动超±3mm炉次<5%, 连续3个月", "deferred", "plan"),
        ("A02", "修订新钢种岗位培训教材, 推行\"师带徒\"和岗前实操考核", "C01,C02,C03,K34", "新员工上岗前实操考核合格率100%",
         "炼钢厂", "陈志强", "2026-05-15", "2026-11-30", "首席技师8名; 培训经费12万元", "新教材发布; 考核记录齐全",
         "in_progress", "do"),
        ("A03", "建立废钢供应商分级评价与准入制度, 进厂检验抽检比例提高到30%", "C06,C07", "残余元素超标批次降为0",
         "采购部", "杨帆", "2026-03-01", "2026-06-30", "化验室人员2名", "分级评价制度发布; 2026Q3超标批次为0",
         "done", "check"),
        ("A04", "探伤标样按月校准, 修订计量管理制度", "C11,C12", "探伤漏检导致的客户复检缺陷为0", "质量管理部", "孙丽",
         "2026-04-01", "2026-06-15", "计量工程师1名", "校准记录连续3个月完整", "done", "act"),
        ("A05", "建立产销协同周例会, 上线APS高级排产滚动计划", "C21,C22,K13", "合同交付准时率恢复到95%",
         "棒材事业部", "李国栋", "2026-06-01", "2026-08-31", "APS实施顾问; 营销部、生产部骨干各2名",
         "APS排产覆盖100%订单; 周例会纪要", "in_progress", "do"),
        ("A06", "制定关键备件安全库存定额, 建立备件联储机制", "C23,C24", "备件缺货导致的停机时长下降70%", "设备能源部",
         "刘建军", "2026-08-01", "2026-11-30", "备件资金200万元", "安全库存定额表发布; 缺货停机<5小时/季",
         "in_progress", "do"),
        ("A07", "统一交付准时率统计口径(以客户到货日为准)并纳入KPI辞典", "C29,K13", "营销部与质量管理部报表一致",
         "企业管理部", "郑伟", "2026-07-01", "2026-07-31", "无", "KPI辞典修订版发布", "done", "act"),
        ("A08", "调度员APS系统培训与上岗认证", "C26,C30", "调度员100%通过APS认证", "生产部", "高翔", "2026-10-08",
         "2026-12-15", "培训课时40学时", "认证合格证书", "planned", "plan"),
        ("A09", "一炼钢车间安全生产专项整治(隐患排查+班组安全确认制)", "K52,P3", "杜绝轻伤及以上事故", "炼钢厂",
         "王海涛", "2026-09-05", "2026-12-31", "安全专家驻点1个月", "隐患整改率100%; Q4无轻伤以上事故", "in_progress", "do"),
        ("A10", "ERP与MES订单状态数据集成, 实现订单变更实时推送", "C27,L3", "订单状态更新滞后<2小时",
         "信息中心", "马骏", "2026-09-01", "2027-01-31", "信息化预算150万元", "接口上线; 订单状态滞后统计",
         "planned", "plan"),
        ("A11", "对标行业标杆开展高端客户开发专项(汽车齿轮钢、风电轴承钢)", "C1,K04,K22", "高端特钢销量占比达到35%",
         "营销部", "赵敏", "2026-04-01", "2026-12-31", "技术服务小组6人", "新签战略客户≥4家/季", "in_progress", "do"),
        ("A12", "完善战略部署与绩效测量: KPI价值树分解到班组, 建立季度战略回顾", "4.2.3,4.6.2",
         "自评4.2.3、4.6.2得分率提升10个百分点", "企业管理部", "郑伟", "2026-07-15", "2026-12-31", "外部咨询支持",
         "班组级KPI价值树覆盖率100%", "in_progress", "plan"),
        ("A13", "夏季钢坯防护与库区通风改造", "C10", "夏季表面缺陷判废率不高于其他季节", "炼钢厂", "陈志强",
         "2026-05-01", "2026-06-30", "改造费用30万元", "7-8月表面缺陷判废率环比持平", "done", "check"),
    ])
    return {"profile": profile, "format": "xlsx", "tables": {
        "problems": problems, "causes": causes, "whys": whys, "objectives": objectives, "links": links,
        "kpis": kpis, "actuals": acts, "assessment": assessment(assessors, scores, texts), "actions": actions}}


# --------------------------------------------------------------------------------------------------------------
# 2. 金丰供应链物流有限公司: logistics services, zh, CSV files, fishbone `org`, missing_actuals zero
# --------------------------------------------------------------------------------------------------------------
def jinfeng() -> dict:
    profile = {
        "id": "jinfeng-logistics",
        "name": "金丰供应链物流有限公司",
        "industry": "物流服务",
        "language": "zh",
        "period": "2026Q3",
        "framework": "gbt19580-2012",
        "fishbone_categories": "org",
        "mission": "以准时、精准、安全的供应链服务, 助力客户降本增效",
        "vision": "成为长三角领先的一体化供应链服务商",
        "values": ["客户至上", "准时守信", "安全第一", "持续改进"],
        "consultant": "张晓岚",
        "missing_actuals": "zero",
    }
    problems = rows("problem_id problem metric current target unit", [
        ("PR1", "华东区域订单准时交付率连续三个季度下降, 旺季尤为突出", "订单准时交付率", 91.8, 97, "%"),
        ("PR2", "仓储中心拣货差错率偏高, 错发漏发引发客户投诉", "拣货差错率", 0.12, 0.05, "%"),
    ])
    causes = rows("cause_id problem_id category cause parent_cause_id evidence impact effort verified", [
        ("C01", "PR1", "组织", "运营与运输调度职责边界不清, 异常订单无人牵头", None,
         "2026Q2异常订单平均处理时长9.5小时", 4, 2, "yes"),
        ("C02", "PR1", "组织", "事业部业绩合同只考核成本, 未考核交付时效", "C01", "2026年事业部业绩合同文本", 3, 1, "yes"),
        ("C03", "PR1", "流程", "订单截单时间设置不合理, 晚间订单集中涌入", None, "WMS数据: 18点后订单占42%", 4, 2, "yes"),
        ("C04", "PR1", "流程", "缺少客户订单预报机制, 无法提前排班", "C03", "大客户访谈记录", 3, 2, "no"),
        ("C05", "PR1", "流程", "异常订单升级处理流程缺失", None, "流程文件清单中无异常订单处理SOP", 3, 1, "yes"),
        ("C06", "PR1", "资源", "WMS与TMS系统未打通, 出库信息需人工转录", None, "每单人工转录平均耗时6分钟", 5, 4, "yes"),
        ("C07", "PR1", "资源", "系统接口项目因预算原因两次推迟", "C06", "信息化项目立项记录", 4, 4, "yes"),
        ("C08", "PR1", "资源", "旺季外协车辆到车不准时", None, "2026Q3外协车辆准时到车率81%", 5, 3, "yes"),
        ("C09", "PR1", "资源", "外协承运商准入与考核机制缺失, 采购只比价格", "C08", "承运商管理制度空白", 4, 2, "yes"),
        ("C10", "PR1", "资源", "承运商合同未约定时效违约条款", "C09", "抽查12份承运合同均无时效条款", 4, 1, "yes"),
        ("C11", "PR1", "个人", "调度员经验不足, 线路规划依赖个人经验", None, "调度员平均从业年限1.8年", 3, 3, "no"),
        ("C12", "PR1", "个人", "调度员未接受线路优化系统培训", "C11", "培训记录", 3, 1, "yes"),
        ("C21", "PR2", "个人", "新入职拣货员占比达40%, 培训1天即上岗", None, "差错记录: 新员工差错占70%", 5, 2, "yes"),
        ("C22", "PR2", "个人", "计件工资方案只计件数不计差错, 拣货员求快不求准", "C21", "薪酬方案; 员工访谈", 4, 3, "yes"),
        ("C23", "PR2", "流程", "拣货后缺少复核环节, 出库抽检比例仅5%", None, "出库作业流程图", 5, 2, "yes"),
        ("C24", "PR2", "流程", "相似SKU未分区存放, 库位相邻易混拣", None, "差错SKU分析: 相似品混拣占35%", 4, 2, "yes"),
        ("C25", "PR2", "资源", "RF手持终端数量不足, 部分班组仍用纸质拣货单", None, "设备台账: 终端缺口30台", 3, 3, "yes"),
        ("C26", "PR2", "资源", "纸质拣货单字体小、库位编码不清晰", "C25", "现场观察记录", 2, 1, "no"),
        ("C27", "PR2", "组织", "质量责任未落实到班组, 差错无法追溯到人", None, "差错追溯率仅38%", 3, 2, "yes"),
        ("C28", "PR2", "组织", "差错考核与班组绩效脱钩", "C27", "班组考核办法", 3, 1, "yes"),
        ("C29", "PR2", "个人", "夜班连续作业时间长, 疲劳作业导致差错", None, "夜班差错率是白班的1.6倍", 3, 3, "no"),
    ])
    whys = rows("problem_id chain_id step why answer root_cause cause_id", [
        ("PR1", "W1", 1, "为什么订单准时交付率下降?", "干线运输准时率下降到90.2%", None, None),
        ("PR1", "W1", 2, "为什么干线运输准时率下降?", "旺季外协车辆到车不准时", None, None),
        ("PR1", "W1", 3, "为什么外协车辆到车不准时?", "外协承运商没有时效约束, 优先保障其他货主", None, None),
        ("PR1", "W1", 4, "为什么没有时效约束?", "承运合同未约定时效违约条款", None, None),
        ("PR1", "W1", 5, "为什么合同未约定?", "承运商准入与考核机制缺失, 采购只比价格", "yes", "C09"),
        ("PR1", "W2", 1, "为什么订单出库不及时?", "出库单需在WMS和TMS之间人工转录, 晚间排队积压", None, None),
        ("PR1", "W2", 2, "为什么需要人工转录?", "WMS与TMS系统未打通", None, None),
        ("PR1", "W2", 3, "为什么系统未打通?", "接口项目两次推迟", None, None),
        ("PR1", "W2", 4, "为什么项目推迟?", "信息化投入未纳入年度预算优先序列", "yes", "C07"),
        ("PR2", "W3", 1, "为什么拣货差错率偏高?", "新员工差错占全部差错的70%", None, None),
        ("PR2", "W3", 2, "为什么新员工差错多?", "培训1天即上岗, 不熟悉库位和相似SKU", None, None),
        ("PR2", "W3", 3, "为什么培训1天就上岗?", "旺季人员紧张, 需尽快补充人手", None, None),
        ("PR2", "W3", 4, "为什么人员紧张?", "拣货员流失率高达35%", None, None),
        ("PR2", "W3", 5, "为什么流失率高、作业求快不求准?", "计件工资方案只计件数不计差错, 收入波动大", "yes", "C22"),
    ])
    objectives = rows("objective_id perspective objective theme description", [
        ("F1", "financial", "扩大营收规模, 提升盈利能力", "稳健增长", "营业收入年增长10%以上, 净利润率达到4%"),
        ("F2", "financial", "降低综合物流成本", "成本领先", "通过满载率提升和作业效率提升降低单票成本"),
        ("C1", "customer", "深耕大客户, 提升客户满意度与黏性", "客户价值", "大客户续约率90%以上"),
        ("C2", "customer", "兑现准时、精准的交付承诺", "服务可靠", "订单准时交付率97%, 有效投诉持续下降"),
        ("P1", "process", "提升仓储作业的精准与效率", "运营卓越", "出库及时、库存准确、拣货零差错"),
        ("P2", "process", "优化运输网络与车辆调度", "运营卓越", "干线准时、车辆满载"),
        ("P3", "process", "筑牢安全运营底线", "安全合规", "杜绝重大货损和安全责任事故"),
        ("L1", "learning", "打造专业化物流人才队伍", "人才发展", "关键岗位人才储备和一线技能认证"),
        ("L2", "learning", "建设数字化供应链平台", "数字化", "WMS/TMS集成, 数据驱动运营"),
    ])
    links = rows("from_objective to_objective", [
        ("L1", "P1"), ("L1", "P2"), ("L1", "P3"), ("L2", "P1"), ("L2", "P2"),
        ("P1", "C2"), ("P2", "C2"), ("P2", "F2"), ("P1", "F2"), ("P3", "C1"),
        ("C1", "F1"), ("C2", "F1"),
    ])
    H = ("kpi_id kpi parent_kpi_id objective_id owner_unit owner_level owner unit formula data_source frequency "
         "direction method baseline threshold target stretch weight step step_points cap floor veto")
    CO, DV, WH, TR, PS = "金丰供应链物流有限公司", "华东运营事业部", "仓储中心", "运输调度部", "仓储中心A区拣货组组长"
    kpis = rows(H, [
        ("J01", "营业收入", None, "F1", CO, "company", "钱振宇", "万元", "当期确认的物流服务收入", "财务报表",
         "monthly", "higher", "ratio", 46800, None, 52000, None, 25, None, None, 110, None, None),
        ("J02", "净利润率", None, "F1", CO, "company", "钱振宇", "%", "净利润÷营业收入×100%", "财务报表",
         "quarterly", "higher", "linear", 3.1, 3.0, 4.0, 5.0, 20, None, None, None, None, None),
        ("J03", "单票综合物流成本", None, "F2", CO, "company", "钱振宇", "元/票", "仓储、运输、配送总成本÷订单票数",
         "财务报表; WMS", "monthly", "lower", "ratio", 20.4, None, 18.5, None, 15, None, None, None, None, None),
        ("J04", "客户满意度", None, "C1", CO, "company", "钱振宇", "分", "季度客户满意度调查加权得分(百分制)",
         "客户满意度调查", "quarterly", "higher", "ratio", 87, None, 92, None, 15, None, None, None, None, None),
        ("J05", "重大货损及安全责任事故为零", None, "P3", CO, "company", "钱振宇", "是/否",
         "当期未发生单起损失10万元以上货损或安全责任事故为yes", "安全管理台账", "quarterly", "higher", "binary",
         None, None, None, None, 10, None, None, None, None, "yes"),
        ("J06", "数字化供应链平台建设", None, "L2", CO, "company", "钱振宇", "等级", "信息化领导小组按里程碑评定A-E级",
         "项目管理办公室评定", "quarterly", "higher", "qualitative", None, None, None, None, 15, None, None, None,
         None, None),
        ("J11", "事业部营业收入", "J01", "F1", DV, "division", "吴晓峰", "万元", "华东运营事业部确认的服务收入",
         "财务报表", "monthly", "higher", "ratio", 27500, None, 31000, None, 25, None, None, None, None, None),
        ("J12", "订单准时交付率", None, "C2", DV, "division", "吴晓峰", "%",
         "由订单出库及时率、干线运输准时率按权重汇总(不单独填报实际值)", "WMS; TMS", "monthly", "higher", "linear",
         93.5, 94, 97, 99, 25, None, None, None, None, None),
        ("J16", "应收账款周转天数", None, "F1", DV, "division", "吴晓峰", "天", "平均应收账款余额÷日均营业收入",
         "财务报表", "monthly", "lower", "linear", 58, 60, 45, 38, 15, None, None, None, None, None),
        ("J13", "大客户续约率", None, "C1", DV, "division", "吴晓峰", "%", "合同到期后续约的大客户数÷到期大客户数×100%",
         "CRM合同台账", "quarterly", "higher", "steps", 86, None, 90, None, 10, 5, 10, None, None, None),
        ("J14", "客户有效投诉", None, "C2", DV, "division", "吴晓峰", "件", "经核实成立的客户投诉件数, 每件扣8分",
         "客服投诉台账", "monthly", "lower", "deduction", 4, None, None, None, 15, None, 8, None, 40, None),
        ("J15", "关键岗位人才储备率", None, "L1", DV, "division", "吴晓峰", "%", "已有合格继任者的关键岗位数÷关键岗位总数×100%",
         "人力资源部人才盘点", "quarterly", "higher", "ratio", 35, None, 80, None, 10, None, None, None, None, None),
        ("J21", "订单出库及时率", "J12", "P1", WH, "department", "林芳", "%", "在承诺时限内出库的订单数÷出库订单总数×100%",
         "WMS", "monthly", "higher", "linear", 96.2, 95, 98, 99.5, 35, None, None, None, None, None),
        ("J22", "库存准确率", None, "P1", WH, "department", "林芳", "%", "盘点账实相符的库位数÷盘点库位总数×100%",
         "WMS盘点记录", "monthly", "higher", "steps", 99.1, None, 99.5, None, 25, 0.5, 10, None, None, None),
        ("J23", "仓储单件作业成本", "J03", "F2", WH, "department", "林芳", "元/件", "仓储作业总成本÷出入库件数",
         "财务报表; WMS", "monthly", "lower", "ratio", 2.05, None, 1.85, None, 25, None, None, None, None, None),
        ("J24", "仓储安全事故", None, "P3", WH, "department", "林芳", "起", "仓库内发生的叉车、火灾等安全事故起数, 每起扣40分",
         "安全管理台账", "monthly", "lower", "deduction", 1, None, None, None, 15, None, 40, None, None, "yes"),
        ("J31", "干线运输准时率", "J12", "P2", TR, "department", "黄磊", "%", "按承诺时间到达的干线车次÷干线总车次×100%",
         "TMS; GPS轨迹", "monthly", "higher", "linear", 94.0, 93, 96, 98.5, 35, None, None, None, None, None),
        ("J32", "车辆满载率", None, "P2", TR, "department", "黄磊", "%", "实际装载体积÷车辆额定容积×100%(干线车次平均)",
         "TMS", "monthly", "higher", "steps", 78, None, 85, None, 25, 5, 5, None, None, None),
        ("J33", "单公里运输成本", "J03", "F2", TR, "department", "黄磊", "元/公里", "干线运输总成本÷干线总里程",
         "财务报表; TMS", "monthly", "lower", "ratio", 4.95, None, 4.60, None, 25, None, None, None, None, None),
        ("J34", "司机安全培训考核合格率", None, "L1", TR, "department", "黄磊", "%", "考核合格司机数÷应考核司机数×100%",
         "培训记录", "quarterly", "higher", "ratio", 88, None, 100, None, 15, None, None, None, None, None),
        ("J41", "班组订单拣货及时率", "J21", "P1", PS, "position", "马超", "%", "班组在截单后2小时内完成拣货的订单÷订单总数×100%",
         "WMS", "monthly", "higher", "linear", 96.8, 96, 98.5, 99.5, 50, None, None, None, None, None),
        ("J42", "错发漏发引起的客户投诉", None, "C2", PS, "position", "马超", "件", "因本组错发漏发被客户投诉的件数, 每件扣20分",
         "客服投诉台账", "monthly", "lower", "deduction", 2, None, None, None, 20, None, 20, None, None, None),
        ("J43", "取得WMS与叉车多技能认证", None, "L1", PS, "position", "马超", "是/否", "组长本人通过WMS高级操作和叉车作业认证为yes",
         "培训认证记录", "quarterly", "higher", "binary", None, None, None, None, 30, None, None, None, None, None),
    ])
    acts = actuals({
        "J01": (47900, 45200, 50300, 51600),
        "J02": (3.3, 2.9, 3.6, 3.8),
        "J03": (20.1, 19.8, 19.2, 18.9),
        "J04": (86.5, 87.2, 85.9, 84.8),
        "J05": ("yes", "yes", "yes", "yes"),
        "J06": ("C", "B", "B", "B"),
        "J11": (28200, 26900, 30100, 29800),
        "J13": (88, 85, 84, 80),
        "J14": (3, 5, 6, 4),
        "J15": (38, 40, 41, 42),
        "J16": (57, 55, 52, 49),
        "J21": (96.5, 95.8, 95.1, 95.9),
        "J22": (99.2, 99.3, 99.0, 98.9),
        "J23": (2.02, 1.98, 1.93, 1.90),
        "J24": (0, 1, 0, 0),
        "J31": (93.8, 92.6, 91.5, 90.2),
        "J32": (79.5, 80.2, 82.4, None),   # 2026Q3 missing: TMS cut-over (zero policy -> scores 0)
        "J33": (4.91, 4.86, 4.78, 4.71),
        "J34": (90, 93, 95, 97),
        "J41": (97.0, 96.5, 96.1, 97.4),
        "J42": (2, 1, 3, 1),
        "J43": ("no", "no", "yes", "yes"),
    })
    assessors = ("陶然", "冯雪", "韩冰")
    scores = {   # 4.4.7 deliberately not scored by anyone
        "4.1.2": (40, 45, 40), "4.1.3": (35, 35, 40), "4.1.4": (30, 35, 30), "4.2.2": (40, 35, 40),
        "4.2.3": (30, 35, 35), "4.3.2": (35, 40, 35), "4.3.3": (30, 55, 35), "4.4.2": (30, 30, 35),
        "4.4.3": (40, 40, 45), "4.4.4": (25, 30, 25), "4.4.5": (25, 25, 30), "4.4.6": (40, 45, 40),
        "4.5.2": (35, 40, 40), "4.5.3": (35, 35, 30), "4.6.2": (20, 45, 30), "4.6.3": (30, 30, 35),
        "4.7.2": (35, 40, 35), "4.7.3": (35, 35, 40), "4.7.4": (40, 45, 45), "4.7.5": (25, 30, 30),
        "4.7.6": (30, 35, 30), "4.7.7": (35, 40, 35),
    }
    texts = {
        "4.1.2": ("总经理亲自担任卓越绩效推进领导小组组长, 每月召开运营例会", "愿景和价值观向一线司机、拣货员的传递不足",
                  "推进领导小组文件; 运营例会纪要"),
        "4.1.3": ("建立董事会和总经理办公会决策机制, 重大投资集体决策", "内部审计职能较弱, 高管绩效评价未与战略目标挂钩",
                  "公司章程; 总经理办公会议事规则"),
        "4.1.4": ("推广新能源配送车辆, 参与社区应急物资保障", "缺少碳排放统计和社会责任信息披露", "新能源车辆台账; 应急保障感谢信"),
        "4.2.2": ("制定2026-2028年发展规划, 明确一体化供应链服务定位", "战略制定缺少对客户需求和竞争格局的系统分析",
                  "三年发展规划"),
        "4.2.3": ("年度目标分解到事业部并签订业绩合同", "部门和岗位层级的KPI分解不完整, 资源配置与战略重点不匹配",
                  "2026年业绩合同"),
        "4.3.2": ("按快消、电商、汽配行业划分客户群", "缺少客户需求调研和流失客户分析", "客户分类清单"),
        "4.3.3": ("设立大客户经理, 7×24小时客服热线", "投诉处理以救火为主, 满意度调查结果未用于服务改进",
                  "客服投诉台账; 满意度调查报告"),
        "4.4.2": ("建立司机、叉车工技能培训体系", "一线员工流失率高, 薪酬激励方案与质量、时效脱钩",
                  "培训计划; 人员流动统计"),
        "4.4.3": ("实施预算管理和应收账款周报", "投资回报分析不足, 车辆购置缺少后评价", "预算执行报表"),
        "4.4.4": ("上线WMS、TMS和GPS车辆监控", "WMS与TMS未打通, 数据需人工转录, 缺少经营数据分析平台",
                  "信息系统清单"),
        "4.4.5": ("引入线路优化软件", "物流技术创新投入少, 自动化分拣设备应用不足", "技术改造项目清单"),
        "4.4.6": ("自有仓库12万平方米, 自有干线车辆180台", "旺季运力不足依赖外协, RF终端等作业设备缺口大",
                  "固定资产台账"),
        "4.5.2": ("识别仓储、干线、配送三大核心过程并建立作业标准", "异常订单处理等跨部门过程没有设计和责任人",
                  "作业标准手册"),
        "4.5.3": ("推行5S和班组早会", "过程绩效监控以月报为主, 缺少实时监控和纠正措施", "5S检查记录"),
        "4.6.2": ("建立运营月报", "指标口径不统一, 缺少行业对标数据, 分析结论未用于决策", "运营月报"),
        "4.6.3": ("开展合理化建议活动", "改进项目缺少PDCA闭环和效果验证", "合理化建议登记表"),
        "4.7.2": ("库存准确率保持在99%左右", "拣货差错率高于行业标杆, 交付准时率连续下降", "WMS运营报表"),
        "4.7.3": ("营业收入稳步增长, 新增电商客户8家", "客户满意度下降, 大客户续约率低于目标", "客户满意度调查"),
        "4.7.4": ("营业收入三年复合增长12%", "净利润率低于行业平均水平", "2023-2025年财务报表"),
        "4.7.5": ("司机安全培训考核合格率提升", "一线员工流失率高, 关键岗位人才储备不足", "人力资源月报"),
        "4.7.6": ("单公里运输成本持续下降", "车辆满载率数据缺失, 出库及时率波动", "TMS报表"),
        "4.7.7": ("连续三年未发生重大安全责任事故", "战略目标达成情况缺少系统评价和对标", "安全管理台账"),
    }
    actions = rows("action_id action addresses goal owner_unit owner start due resources acceptance status pdca", [
        ("A01", "制定承运商准入与季度考核办法, 承运合同增加时效违约条款", "C09,C10,J31,J12", "干线运输准时率恢复到96%",
         "运输调度部", "黄磊", "2026-08-01", "2026-10-31", "法务审核; 采购部配合", "考核办法发布; 新签合同100%含时效条款",
         "in_progress", "do"),
        ("A02", "建立异常订单升级处理流程(SOP), 明确牵头部门", "C01,C05", "异常订单平均处理时长降到4小时以内",
         "华东运营事业部", "吴晓峰", "2026-05-01", "2026-06-30", "流程梳理小组4人", "SOP发布并培训到位", "done", "check"),
        ("A03", "WMS与TMS系统接口开发", "C06,C07,L2", "出库信息自动传递, 取消人工转录", "信息技术部", "周宁",
         "2026-07-01", "2027-03-31", "开发费用85万元", "接口上线; 人工转录工时为0", "deferred", "plan"),
        ("A04", "调整截单时间并建立大客户订单预报机制", "C03,C04,J21,J12", "晚间订单占比降到30%以下", "仓储中心",
         "林芳", "2026-06-15", "2026-09-15", "客户经理5名", "TOP20客户100%提供订单预报", "in_progress", "do"),
        ("A05", "调度员线路优化系统培训与考核", "C11,C12", "调度员100%独立使用线路优化系统", "运输调度部", "黄磊",
         "2026-10-10", "2026-11-30", "软件厂商培训", "培训考核合格证书", "planned", "plan"),
        ("A06", "推行拣货后100%扫码复核", "C23", "拣货差错率降到0.08%", "仓储中心", "林芳", "2026-04-01", "2026-05-31",
         "复核工位6个", "复核流程上线; 差错率月报", "done", "act"),
        ("A07", "相似SKU分区存放与库位重新编码", "C24,C26", "相似品混拣差错下降80%", "仓储中心", "林芳", "2026-05-01",
         "2026-07-31", "库位标签1.2万张", "库位编码规则发布; 差错SKU分析", "done", "check"),
        ("A08", "增配RF手持终端30台, 取消纸质拣货单", "C25", "RF终端覆盖全部班组", "信息技术部", "周宁", "2026-08-15",
         "2026-10-31", "设备采购36万元", "纸质拣货单使用量为0", "in_progress", "do"),
        ("A09", "建立班组质量责任制和差错追溯机制", "C27,C28,J42", "差错追溯率达到100%", "仓储中心", "马超",
         "2026-07-01", "2026-12-31", "WMS追溯功能配置", "班组考核办法修订; 追溯率月报", "in_progress", "do"),
        ("A10", "新员工\"三级培训\"与上岗认证", "C21,J43", "新员工上岗前认证率100%", "人力资源部", "许可",
         "2026-06-01", "2026-12-31", "内训师6名", "认证记录; 新员工差错占比下降到40%", "in_progress", "do"),
        ("A11", "大客户续约专项: 推行客户经理制和季度业务回顾(QBR)", "J13,C1", "大客户续约率达到90%",
         "华东运营事业部", "吴晓峰", "2026-10-01", "2027-03-31", "客户经理8名", "QBR覆盖TOP30客户", "planned", "plan"),
        ("A12", "建立统一指标口径和运营数据分析平台", "4.4.4,4.6.2", "自评4.4.4、4.6.2得分率提升10个百分点",
         "信息技术部", "周宁", "2026-09-01", "2027-06-30", "BI工具", "指标字典发布; 经营看板上线", "planned", "plan"),
    ])
    return {"profile": profile, "format": "csv", "tables": {
        "problems": problems, "causes": causes, "whys": whys, "objectives": objectives, "links": links,
        "kpis": kpis, "actuals": acts, "assessment": assessment(assessors, scores, texts), "actions": actions}}


# --------------------------------------------------------------------------------------------------------------
# 3. Riverside Municipal Hospital: public hospital, en, intake.xlsx with real Excel dates,
#    eight custom fishbone categories (maps en/zh), custom grades
# --------------------------------------------------------------------------------------------------------------
def riverside() -> dict:
    profile = {
        "id": "riverside-hospital",
        "name": "Riverside Municipal Hospital",
        "industry": "healthcare",
        "language": "en",
        "period": "2026Q3",
        "framework": "gbt19580-2012",
        "fishbone_categories": [
            {"en": "Patients", "zh": "患者"}, {"en": "Staff", "zh": "人员"}, {"en": "Equipment", "zh": "设备"},
            {"en": "Procedures", "zh": "流程"}, {"en": "Policies", "zh": "制度"}, {"en": "Environment", "zh": "环境"},
            {"en": "Information", "zh": "信息"}, {"en": "Measurement", "zh": "测量"},
        ],
        "mission": "Safe, timely and compassionate care for every resident of the Riverside district",
        "vision": "The most trusted municipal hospital in the region by 2030",
        "values": ["Patients first", "Safety always", "Respect", "Continuous improvement"],
        "consultant": "Helen Marsh",
        "missing_actuals": "exclude",
        "grades": {"Excellent": 110, "Good": 95, "Fair": 75, "Poor": 50, "Unacceptable": 0},
    }
    problems = rows("problem_id problem metric current target unit", [
        ("PR1", "Patients wait too long to see a clinician in the Emergency Department, especially in the evening",
         "Median door-to-provider time", 48, 30, "minutes"),
        ("PR2", "Too many elective operations are cancelled on the day of surgery",
         "Same-day elective cancellation rate", 8.5, 3.0, "%"),
    ])
    causes = rows("cause_id problem_id category cause parent_cause_id evidence impact effort verified", [
        ("C01", "PR1", "Staff", "Physician roster does not match the evening arrival peak", None,
         "Arrivals 16:00-22:00 are 41% of the day; physician hours in that window are 29%", 5, 3, "yes"),
        ("C02", "PR1", "Staff", "Roster still built on the 2019 demand pattern, never re-baselined", "C01",
         "Rostering template dated March 2019", 4, 2, "yes"),
        ("C03", "PR1", "Procedures", "Triage and registration run one after the other, not in parallel", None,
         "Time-and-motion study: 11 minutes median between arrival and triage end", 4, 2, "yes"),
        ("C04", "PR1", "Procedures", "No rapid-assessment stream for low-acuity patients", None,
         "ESI 4-5 patients wait in the same queue as ESI 3", 4, 3, "yes"),
        ("C05", "PR1", "Environment", "Admitted patients boarding in ED cubicles (access block)", None,
         "Mean 9 boarded patients at 20:00 in Q3", 5, 4, "yes"),
        ("C06", "PR1", "Environment", "Inpatient discharges cluster in the late afternoon", "C05",
         "Only 24% of discharges before noon", 4, 3, "yes"),
        ("C07", "PR1", "Policies", "No discharge-before-noon policy and no estimated date of discharge on admission",
         "C06", "Bed management policy review, June 2026", 4, 2, "yes"),
        ("C08", "PR1", "Information", "ED tracking board not integrated with the bed management system", None,
         "Bed requests made by phone; no shared status", 3, 4, "no"),
        ("C09", "PR1", "Equipment", "A single point-of-care lab analyser with frequent downtime", None,
         "Analyser down 6.5% of hours in Q3", 2, 3, "yes"),
        ("C10", "PR1", "Patients", "Rising low-acuity attendances because of gaps in primary care", None,
         "ESI 4-5 attendances +14% year on year", 3, 5, "no"),
        ("C11", "PR1", "Measurement", "Door-to-provider time stamped by hand; 15% of records missing", None,
         "HIS audit of 1,200 Q2 records", 2, 2, "yes"),
        ("C21", "PR2", "Patients", "Patients found unfit for surgery on the day (incomplete pre-operative work-up)", None,
         "37% of same-day cancellations coded 'patient not fit'", 5, 3, "yes"),
        ("C22", "PR2", "procedures", "Pre-operative assessment clinic sees only 60% of elective patients", "C21",
         "Clinic capacity 120 slots/week vs 200 listed cases", 5, 3, "yes"),
        ("C23", "PR2", "Procedures", "Theatre lists booked beyond the session time", None,
         "28% of lists over-run by more than 30 minutes", 4, 2, "yes"),
        ("C24", "PR2", "Environment", "No post-operative bed available on the day", None,
         "19% of cancellations coded 'no bed'", 4, 4, "yes"),
        ("C25", "PR2", "Equipment", "Instrument sets returned late from sterile services", None,
         "Sterile services turnaround log: 12% late", 3, 3, "yes"),
        ("C26", "PR2", "Staff", "Anaesthetist sickness absence not backfilled", None, "Rota gaps on 9 days in Q3", 3, 3, "no"),
        ("C27", "PR2", "Information", "Patients not reminded of fasting instructions (no SMS reminder)", "C21",
         "Patient survey: 18% unsure of fasting time", 3, 1, "yes"),
        ("C28", "PR2", "policies", "Scheduling policy lets surgeons book lists without case-time estimates", "C23",
         "Theatre scheduling policy v3", 3, 2, "yes"),
        ("C29", "PR2", "Measurement", "Cancellation reasons coded inconsistently across specialties", None,
         "22% of cancellations coded 'other'", 2, 1, "yes"),
    ])
    whys = rows("problem_id chain_id step why answer root_cause cause_id", [
        ("PR1", "W1", 1, "Why do ED patients wait so long to see a clinician?", "Cubicles are full in the evening peak", None, None),
        ("PR1", "W1", 2, "Why are the cubicles full?", "Admitted patients board in ED while waiting for a ward bed", None, None),
        ("PR1", "W1", 3, "Why are there no ward beds in the evening?", "Inpatients are discharged late in the afternoon", None, None),
        ("PR1", "W1", 4, "Why are discharges late?", "Discharge paperwork and medicines are started on the day of discharge", None, None),
        ("PR1", "W1", 5, "Why is discharge not planned ahead?",
         "There is no discharge-before-noon policy and no estimated date of discharge set on admission", "yes", "C07"),
        ("PR1", "W3", 1, "Why is the evening queue longest?", "Too few physicians are on duty when most patients arrive", None, None),
        ("PR1", "W3", 2, "Why are too few physicians on duty?", "Shifts are spread evenly over the day", None, None),
        ("PR1", "W3", 3, "Why are shifts spread evenly?", "The roster template has not been changed since it was made", None, None),
        ("PR1", "W3", 4, "Why has it not been changed?", "Nobody owns the comparison of demand and capacity", None, None),
        ("PR1", "W3", 5, "Why does nobody own it?",
         "The roster is still built on the 2019 demand pattern and was never re-baselined", "yes", "C02"),
        ("PR2", "W2", 1, "Why are operations cancelled on the day?", "Patients are found unfit for surgery on admission", None, None),
        ("PR2", "W2", 2, "Why are they found unfit only on the day?", "Their pre-operative work-up was incomplete", None, None),
        ("PR2", "W2", 3, "Why was the work-up incomplete?", "They never attended the pre-operative assessment clinic", None, None),
        ("PR2", "W2", 4, "Why did they not attend?", "No clinic slot was available before the surgery date", None, None),
        ("PR2", "W2", 5, "Why were no slots available?",
         "The pre-operative assessment clinic has capacity for only 60% of listed patients", "yes", "C22"),
    ])
    objectives = rows("objective_id perspective objective theme description", [
        ("F1", "financial", "Sustain financial viability", "Sustainability", "Grow activity-based revenue and return to a positive operating margin"),
        ("F2", "financial", "Reduce cost per case through efficiency", "Value for money", "Lower cost per inpatient case without harming quality"),
        ("C1", "customer", "Deliver a patient experience that earns trust", "Patient experience", "Top-box patient experience scores"),
        ("C2", "customer", "Give timely access to emergency and elective care", "Access", "Shorter ED waits, fewer patients leaving unseen"),
        ("C3", "customer", "Improve outcomes after discharge", "Outcomes", "Fewer unplanned readmissions"),
        ("P1", "process", "Streamline patient flow from admission to discharge", "Flow", "Shorter length of stay, on-time theatre starts, earlier discharges"),
        ("P2", "process", "Eliminate avoidable harm", "Safety", "Zero never events, fewer infections and falls"),
        ("L1", "learning", "Build an engaged and competent workforce", "People", "Engagement, mandatory training and competency"),
        ("L2", "learning", "Embed a quality and accreditation-ready culture", "Quality culture", "Continuous readiness for external accreditation"),
    ])
    links = rows("from_objective to_objective", [
        ("L1", "P1"), ("L1", "P2"), ("L2", "P2"), ("L2", "P1"),
        ("P1", "C2"), ("P1", "F2"), ("P2", "C1"), ("P2", "C3"),
        ("C1", "F1"), ("C2", "F1"), ("C3", "F1"),
    ])
    H = ("kpi_id kpi parent_kpi_id objective_id owner_unit owner_level owner unit formula data_source frequency "
         "direction method baseline threshold target stretch weight step step_points cap floor veto")
    CO, DV, ED, OR, PS = ("Riverside Municipal Hospital", "Surgical Division", "Emergency Department",
                          "Orthopaedics Department", "Charge Nurse, Ward 5B")
    kpis = rows(H, [
        ("R01", "Operating revenue", None, "F1", CO, "company", "Dr Margaret Chen", "$ thousand",
         "Patient-care revenue plus other operating revenue", "Financial statements", "monthly", "higher", "ratio",
         88500, None, 96000, None, 20, None, None, None, None, None),
        ("R02", "Operating margin", None, "F1", CO, "company", "Dr Margaret Chen", "%", "Operating surplus / operating revenue x 100",
         "Financial statements", "quarterly", "higher", "linear", 0.8, 1.0, 2.5, 4.0, 15, None, None, None, None, None),
        ("R03", "Cost per inpatient case", None, "F2", CO, "company", "Dr Margaret Chen", "$",
         "Inpatient operating cost / case-mix-adjusted discharges", "Costing system", "quarterly", "lower", "steps",
         10250, None, 9800, None, 15, 2, 5, None, None, None),
        ("R04", "Patient experience top-box score", None, "C1", CO, "company", "Dr Margaret Chen", "%",
         "Share of surveyed inpatients rating the hospital 9 or 10 out of 10", "Patient experience survey", "quarterly",
         "higher", "ratio", 68, None, 75, None, 15, None, None, 110, None, None),
        ("R05", "Zero never events", None, "P2", CO, "company", "Dr Margaret Chen", "yes/no",
         "yes when no never event (wrong-site surgery, retained foreign object ...) occurred in the period",
         "Incident reporting system", "quarterly", "higher", "binary", None, None, None, None, 10, None, None, None,
         None, "yes"),
        ("R06", "Accreditation readiness", None, "L2", CO, "company", "Dr Margaret Chen", "grade",
         "Grade from the quarterly mock accreditation survey (Excellent/Good/Fair/Poor/Unacceptable)",
         "Quality department mock survey", "quarterly", "higher", "qualitative", None, None, None, None, 10, None,
         None, None, None, None),
        ("R07", "Staff engagement index", None, "L1", CO, "company", "Dr Margaret Chen", "points",
         "Pulse-survey engagement index, 0-100", "Staff pulse survey", "quarterly", "higher", "ratio", 61, None, 70,
         None, 15, None, None, None, None, None),
        ("R11", "Surgical division revenue", "R01", "F1", DV, "division", "Dr Samuel Okafor", "$ thousand",
         "Revenue of surgical specialties", "Financial statements", "monthly", "higher", "ratio", 37800, None, 41000,
         None, 25, None, None, None, None, None),
        ("R12", "Average length of stay, surgical", None, "P1", DV, "division", "Dr Samuel Okafor", "days",
         "Inpatient bed-days / discharges, surgical specialties", "HIS", "monthly", "lower", "linear", 6.1, 6.0, 5.2,
         4.8, 25, None, None, None, None, None),
        ("R13", "First-case on-time start rate", None, "P1", DV, "division", "Dr Samuel Okafor", "%",
         "First cases starting knife-to-skin within 15 minutes of scheduled time / first cases x 100",
         "Theatre management system", "monthly", "higher", "steps", 62, None, 85, None, 20, 5, 8, None, 40, None),
        ("R14", "30-day unplanned readmission rate", None, "C3", DV, "division", "Dr Samuel Okafor", "%",
         "Unplanned readmissions within 30 days / discharges x 100", "HIS", "quarterly", "lower", "ratio", 7.4, None,
         6.0, None, 15, None, None, None, None, None),
        ("R15", "Surgical site infections", None, "P2", DV, "division", "Dr Samuel Okafor", "cases",
         "Confirmed surgical site infections in the period; 15 points off per case", "Infection control surveillance",
         "monthly", "lower", "deduction", 5, None, None, None, 15, None, 15, None, None, None),
        ("R21", "Median door-to-provider time", None, "C2", ED, "department", "Dr Priya Nair", "minutes",
         "Median minutes from arrival to first contact with a physician or advanced practitioner", "ED tracking system (HIS)",
         "monthly", "lower", "linear", 46, 45, 30, 20, 30, None, None, None, None, None),
        ("R22", "Left without being seen", None, "C2", ED, "department", "Dr Priya Nair", "%",
         "Patients leaving before medical assessment / ED attendances x 100", "ED tracking system (HIS)", "monthly",
         "lower", "ratio", 4.1, None, 2.0, None, 20, None, None, None, None, None),
        ("R23", "ED four-hour compliance", None, "C2", ED, "department", "Dr Priya Nair", "%",
         "Attendances admitted, transferred or discharged within 4 hours / attendances x 100", "ED tracking system (HIS)",
         "monthly", "higher", "linear", 78, 80, 90, 95, 25, None, None, None, None, None),
        ("R24", "Mandatory training completion", None, "L1", ED, "department", "Dr Priya Nair", "%",
         "ED staff with all mandatory modules current / ED staff x 100", "Learning management system", "quarterly",
         "higher", "ratio", 82, None, 95, None, 25, None, None, None, None, None),
        ("R41", "Orthopaedic revenue", "R11", "F1", OR, "department", "Dr James Whitfield", "$ thousand",
         "Revenue of the orthopaedic service line", "Financial statements", "monthly", "higher", "ratio", 14100,
         None, 15500, None, 30, None, None, None, None, None),
        ("R42", "Average length of stay, orthopaedics", "R12", "P1", OR, "department", "Dr James Whitfield", "days",
         "Orthopaedic bed-days / orthopaedic discharges", "HIS", "monthly", "lower", "linear", 5.6, 5.5, 4.6, 4.2,
         25, None, None, None, None, None),
        ("R43", "Orthopaedic patient experience top-box score", None, "C1", OR, "department", "Dr James Whitfield",
         "%", "Share of surveyed orthopaedic inpatients rating care 9 or 10", "Patient experience survey",
         "quarterly", "higher", "ratio", 72, None, 78, None, 25, None, None, None, None, None),
        ("R44", "Implant cost per primary joint replacement", None, "F2", OR, "department", "Dr James Whitfield", "$",
         "Implant and consumable cost of primary hip and knee replacements / number of such procedures",
         "Theatre inventory system; costing system", "quarterly", "lower", "ratio", 3650, None, 3200, None, 20, None,
         None, None, None, None),
        ("R31", "Inpatient falls with harm, Ward 5B", None, "P2", PS, "position", "Emily Hart", "falls",
         "Falls resulting in moderate or greater harm; 30 points off per fall", "Incident reporting system",
         "monthly", "lower", "deduction", 3, None, None, None, 40, None, 30, None, None, "yes"),
        ("R32", "Ward 5B nurse competency validation completed", None, "L1", PS, "position", "Emily Hart", "yes/no",
         "yes when every registered nurse on the ward has a current competency sign-off", "Nursing education records",
         "quarterly", "higher", "binary", None, None, None, None, 25, None, None, None, None, None),
        ("R33", "Discharges before noon, Ward 5B", "R42", "P1", PS, "position", "Emily Hart", "%",
         "Discharges completed before 12:00 / discharges x 100", "HIS bed management", "monthly", "higher",
         "steps", 22, None, 40, None, 35, 10, 5, 115, None, None),
    ])
    acts = actuals({
        "R01": (89200, 90400, 93800, 95100),
        "R02": (0.6, 1.2, 1.9, 2.2),
        "R03": (10210, 10080, 9950, 9580),
        "R04": (68.5, 69.8, 71.0, 72.3),
        "R05": ("yes", "yes", "yes", "yes"),
        "R06": ("Fair", "Fair", "Good", "Good"),
        "R07": (62, 63, 63.5, 64.8),
        "R11": (38200, 38900, 40500, 40100),
        "R12": (6.0, 5.8, 5.7, 5.6),
        "R13": (64, 66, 69, 71),
        "R14": (7.2, 7.0, 6.9, 6.5),
        "R15": (4, 3, 4, 2),
        "R21": (47, 49, 51, 48),
        "R22": (4.3, 4.8, 5.2, 4.6),
        "R23": (77.5, 76.0, 75.2, 81.5),
        "R24": (84, 86, 89, 92),
        "R41": (14300, 14650, 15400, 15800),
        "R42": (5.5, 5.3, 5.0, 4.8),
        "R43": (72.5, 74.0, 75.5, 77.2),
        "R44": (3600, 3520, 3410, 3350),
        "R31": (1, 0, 0, 0),
        "R32": ("no", "no", "yes", "yes"),
        "R33": (24, 28, 35, 46),
    })
    assessors = ("Laura Bennett", "Michael Osei", "Grace Liu")
    scores = {
        "4.1.2": (55, 50, 55), "4.1.3": (50, 50, 55), "4.1.4": (40, 65, 50), "4.2.2": (50, 55, 50),
        "4.2.3": (45, 45, 50), "4.3.2": (50, 45, 50), "4.3.3": (55, 55, 60), "4.4.2": (50, 55, 50),
        "4.4.3": (45, 50, 45), "4.4.4": (45, 40, 45), "4.4.5": (50, 50, 55), "4.4.6": (45, 45, 40),
        "4.4.7": (50, 45, 50), "4.5.2": (55, 50, 55), "4.5.3": (50, 50, 45), "4.6.2": (45, 50, 50),
        "4.6.3": (45, 45, 50), "4.7.2": (45, 70, 50), "4.7.3": (40, 45, 45), "4.7.4": (40, 40, 45),
        "4.7.5": (45, 50, 50), "4.7.6": (45, 45, 50), "4.7.7": (50, 55, 50),
    }
    texts = {
        "4.1.2": ("Executive team leads monthly quality and safety walk-rounds on every ward",
                  "Frontline staff cannot explain how the 2030 vision affects their daily work", "Walk-round log; staff pulse survey"),
        "4.1.3": ("Board quality committee reviews a safety dashboard every month",
                  "Executive performance reviews are not linked to the strategic objectives", "Board minutes; governance framework"),
        "4.1.4": ("Active community health programme and environmental sustainability plan",
                  "Carbon and waste targets lack baselines; community partnerships are not evaluated",
                  "Sustainability plan; community programme report"),
        "4.2.2": ("Five-year strategy built on population-health needs assessment",
                  "Strategy development does not use competitor or benchmark hospital data systematically",
                  "Strategic plan 2026-2030"),
        "4.2.3": ("Annual operating plan cascaded to divisions through performance agreements",
                  "Cascade stops at department level; ward and individual objectives are not aligned",
                  "Divisional performance agreements"),
        "4.3.2": ("Patient panels and complaint themes reviewed quarterly",
                  "Little insight into the needs of referring GPs and under-served groups", "Patient panel minutes"),
        "4.3.3": ("Patient advice and liaison service resolves most concerns within 5 days",
                  "Experience data are not fed back to wards in a timely way", "PALS reports; survey results"),
        "4.4.2": ("Structured appraisal and leadership development programme",
                  "High nurse vacancy rate; workforce plan does not match the evening ED peak", "Workforce plan; appraisal rates"),
        "4.4.3": ("Sound budgeting and monthly variance reporting", "Service-line costing is not yet used for decisions",
                  "Finance reports"),
        "4.4.4": ("Electronic patient record in all inpatient areas",
                  "ED tracking board and bed management system are not integrated; data quality gaps",
                  "IT architecture; data quality audit"),
        "4.4.5": ("Robotic surgery programme and clinical research unit",
                  "Technology assessment before purchase is informal", "Capital plan; research report"),
        "4.4.6": ("New surgical block opened in 2025", "Ageing ED estate limits cubicle capacity", "Estates condition survey"),
        "4.4.7": ("Formal partnership with community care providers", "Supplier performance reviews are irregular",
                  "Partnership agreements"),
        "4.5.2": ("Care pathways defined for the ten highest-volume conditions",
                  "Discharge process lacks a designed standard across wards", "Pathway library"),
        "4.5.3": ("Lean improvement teams in theatres and outpatients",
                  "Improvements are not spread across departments; limited use of PDCA reviews", "Improvement project register"),
        "4.6.2": ("Integrated performance report to the board every month",
                  "Few comparisons with peer hospitals; measures of flow are incomplete", "Integrated performance report"),
        "4.6.3": ("Quality improvement academy has trained 120 staff",
                  "No prioritisation of improvement projects against strategy", "QI academy records"),
        "4.7.2": ("Surgical site infections falling for three years",
                  "ED waiting times worsening and worse than peers", "Infection surveillance; ED dashboard"),
        "4.7.3": ("Patient experience score improving every quarter",
                  "Left-without-being-seen rate double the target", "Patient survey; ED dashboard"),
        "4.7.4": ("Operating margin back above 2%", "Cost per case still above the peer median", "Financial statements"),
        "4.7.5": ("Mandatory training completion above 90%", "Staff engagement below the national average",
                  "Workforce dashboard"),
        "4.7.6": ("Average length of stay reducing", "First-case on-time starts well below target", "Theatre reports; HIS"),
        "4.7.7": ("No never events for four quarters; clean external audit",
                  "Community and environmental results not reported", "Board assurance framework"),
    }
    d = date
    actions = rows("action_id action addresses goal owner_unit owner start due resources acceptance status pdca", [
        ("A01", "Open a rapid-assessment (split-flow) stream for low-acuity patients 14:00-23:00", "C03,C04,R21",
         "Median door-to-provider time under 35 minutes", "Emergency Department", "Dr Priya Nair", d(2026, 7, 1),
         d(2026, 10, 31), "2 advanced practitioners; redesigned triage area", "Stream live 7 days a week; audit of 4 weeks",
         "in_progress", "do"),
        ("A02", "Introduce estimated date of discharge on admission and a discharge-before-noon policy",
         "C06,C07,R12,R33", "40% of discharges before noon on surgical wards", "Surgical Division",
         "Dr Samuel Okafor", d(2026, 5, 1), d(2026, 9, 30), "Discharge coordinator; pharmacy TTO slot",
         "Policy approved; discharge-before-noon rate reported weekly", "done", "check"),
        ("A03", "Integrate the ED tracking board with the bed management system", "C08,C05", "Bed requests visible in real time",
         "Information Technology", "Tom Reilly", d(2026, 9, 1), d(2027, 3, 31), "Interface licence; 2 analysts",
         "Interface live; no phone bed requests", "planned", "plan"),
        ("A04", "Replace manual time-stamping with electronic arrival and first-contact capture", "C11", "Complete data for 99% of attendances",
         "Emergency Department", "Dr Priya Nair", d(2026, 6, 1), d(2026, 8, 15), "Tracking-system module",
         "Missing timestamps under 1%", "in_progress", "do"),
        ("A05", "Buy a second point-of-care analyser", "C09", "Analyser availability 99%", "Laboratory Medicine", "Dr Ana Sousa",
         d(2026, 7, 1), d(2027, 1, 31), "Capital bid $85k", "Second analyser validated", "deferred", "plan"),
        ("A06", "Double pre-operative assessment clinic capacity with a nurse-led telephone pathway", "C21,C22,P1",
         "Every listed patient assessed at least 7 days before surgery", "Surgical Division", "Dr Samuel Okafor",
         d(2026, 7, 15), d(2026, 12, 31), "3 pre-op nurses; telephone clinic template", "Clinic covers 100% of listed patients",
         "in_progress", "do"),
        ("A07", "SMS reminders of fasting instructions 48 h and 24 h before surgery", "C27", "No cancellations for fasting errors",
         "Information Technology", "Tom Reilly", d(2026, 4, 1), d(2026, 6, 30), "SMS gateway", "Reminders sent for 100% of cases",
         "done", "act"),
        ("A08", "Theatre scheduling rule: lists booked on case-time estimates, 85% utilisation ceiling", "C23,C28,R13",
         "List over-runs below 10%", "Surgical Division", "Dr Samuel Okafor", d(2026, 8, 1), d(2026, 11, 30),
         "Theatre scheduling software update", "Policy v4 approved; over-run audit", "in_progress", "do"),
        ("A09", "Sterile services turnaround agreement with daily escalation", "C25", "Late instrument sets below 2%",
         "Sterile Services", "Mark Evans", d(2026, 5, 1), d(2026, 7, 31), "None", "Service-level agreement signed", "done", "check"),
        ("A10", "Standard cancellation reason codes across all specialties", "C29,4.6.2", "'Other' below 5% of cancellations",
         "Quality Department", "Laura Bennett", d(2026, 6, 1), d(2026, 7, 31), "Coding guide", "Code list in the theatre system",
         "done", "act"),
        ("A11", "Anaesthetist bank and backfill rota for sickness absence", "C26", "No list cancelled for anaesthetist absence",
         "Anaesthesia Department", "Dr Raj Patel", d(2026, 10, 1), d(2027, 3, 31), "Bank budget $120k",
         "Backfill rota published", "planned", "plan"),
        ("A12", "Community health and environmental results reporting to the board", "4.1.4,4.7.7",
         "Self-assessment 4.1.4 and 4.7.7 up by 10 points", "Executive Office", "Dr Margaret Chen", d(2026, 9, 15),
         d(2027, 3, 31), "Sustainability lead", "Annual report includes community and environmental results", "planned", "plan"),
        ("A13", "Engagement action plans in every department after the pulse survey", "L1,R07",
         "Engagement index at 70", "Human Resources", "Sarah Kim", d(2026, 3, 1), d(2027, 2, 28), "HR business partners",
         "Plans published for 100% of departments", "in_progress", "do"),
    ])
    return {"profile": profile, "format": "xlsx", "tables": {
        "problems": problems, "causes": causes, "whys": whys, "objectives": objectives, "links": links,
        "kpis": kpis, "actuals": acts, "assessment": assessment(assessors, scores, texts), "actions": actions}}


CLIENTS = (huaxin, jinfeng, riverside)

# What tests may rely on (also checked below, so this list cannot silently drift from the data).
DELIBERATE = {
    "huaxin-steel": {
        # the only validation warning of the three clients (link F2->F1 stays within one perspective: no warning):
        # (sheet, column, value) of each expected warning
        "warnings": [("objectives", "objective_id", "L3")],
        "missing_2026Q3": ["K33"], "rollup_without_actuals": ["K12"], "veto_triggered": ["K52"],
        "overdue_actions": ["A05"], "root_causes_without_action": ["C09"], "kpis_below_60_without_action": ["K07"],
        "flagged_items": ["4.2.3", "4.7.4"], "unscored_items": [],
        "red_kpis_without_review": ["K07"], "history": ["2024Q3", "2025Q3"],
    },
    "jinfeng-logistics": {
        "warnings": [],
        "missing_2026Q3": ["J32"], "rollup_without_actuals": ["J12"], "veto_triggered": [],
        "overdue_actions": ["A04"], "root_causes_without_action": ["C22"],
        "kpis_below_60_without_action": ["J15", "J32"],
        "flagged_items": ["4.3.3", "4.6.2"], "unscored_items": ["4.4.7"],
        "red_kpis_without_review": ["J15"], "history": [],
    },
    "riverside-hospital": {
        "warnings": [],
        "missing_2026Q3": [], "rollup_without_actuals": [], "veto_triggered": [],
        "overdue_actions": ["A04"], "root_causes_without_action": ["C02"], "kpis_below_60_without_action": ["R22"],
        "flagged_items": ["4.1.4", "4.7.2"], "unscored_items": [],
        "red_kpis_without_review": ["R22"], "history": ["2025Q3"],
    },
}


# ------------------------------------------------------------------------------------------------ writing
def _cell(v: object) -> object:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _csv_text(table: str, data: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = TABLES[table].column_names
    w.writerow(cols)
    for r in data:
        out = []
        for c in cols:
            v = _cell(r.get(c))
            out.append("" if v is None else v.isoformat() if isinstance(v, date) else repr(v) if isinstance(v, float) else v)
        w.writerow(out)
    return buf.getvalue()


def _write_xlsx(path: Path, tables: dict[str, list[dict]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    for name in TABLE_ORDER:
        if name not in tables:
            continue
        ws = wb.create_sheet(name)
        cols = TABLES[name].column_names
        ws.append(cols)
        for c in ws[1]:
            c.font, c.fill, c.alignment = head_font, head_fill, Alignment(vertical="center")
        for r in tables[name]:
            ws.append([_cell(r.get(c)) for c in cols])
        for j, col in enumerate(cols, start=1):
            letter = get_column_letter(j)
            longest = max([len(str(col))] + [len(str(r.get(col, ""))) * (2 if name != "kpis" and any(
                "\u4e00" <= ch <= "\u9fff" for ch in str(r.get(col, ""))) else 1) for r in tables[name]])
            ws.column_dimensions[letter].width = max(8, min(60, longest + 2))
            if TABLES[name].column(col).type == "date":
                for cell in ws[letter][1:]:
                    if isinstance(cell.value, (date, datetime)):
                        cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    wb.properties.creator = "tools/make_demo_clients.py"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    # Rewrite the zip with fixed entry times so regenerating gives the same bytes.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps `modified` with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())


def _yaml_text(profile: dict) -> str:
    head = ("# Demo client written by tools/make_demo_clients.py: edit the script, not this file.\n"
            "# Keys: see docs/intake.md (client.yaml).\n")
    return head + yaml.safe_dump(profile, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def write_client(root: Path, c: dict) -> Path:
    folder = root / c["profile"]["id"]
    folder.mkdir(parents=True, exist_ok=True)
    # A folder must not hold both intake.xlsx and <table>.csv: remove what the other format would have left.
    stale = [folder / f"{t}.csv" for t in TABLE_ORDER] if c["format"] == "xlsx" else [folder / "intake.xlsx"]
    for p in stale:
        if p.exists():
            p.unlink()
    (folder / "client.yaml").write_text(_yaml_text(c["profile"]), encoding="utf-8", newline="\n")
    if c["format"] == "xlsx":
        _write_xlsx(folder / "intake.xlsx", c["tables"])
    else:
        for t in TABLE_ORDER:
            if t in c["tables"]:
                (folder / f"{t}.csv").write_text(_csv_text(t, c["tables"][t]), encoding="utf-8", newline="")
    return folder


# ------------------------------------------------------------------------------------------------ v2 and history
YES = {"yes", "y", "true", "1", "是", "t"}


def _yes(v: object) -> bool:
    return str(v).strip().lower() in YES


def with_v2(c: dict) -> dict:
    """The client with its v2 material (tools/demo_judgement.py) merged in."""
    v2 = V2[c["profile"]["id"]]
    c["profile"].update(v2["profile"])
    c["tables"].update({"findings": v2["findings"], "feedback": v2["feedback"], "reviews": v2["reviews"]})
    for r in c["tables"]["actions"]:
        if r["action_id"] in v2["reasons"]:
            r["reason"] = v2["reasons"][r["action_id"]]
    c["history"] = v2["history"]
    return c


def earlier_round(c: dict, period: str, design: dict) -> dict:
    """The client as it stood in an earlier round: every assessor's percentage moved by the design's delta for the
    item (clamped to 0-100), one column of actuals standing for that round's KPI results, no plan or review yet."""
    t = c["tables"]
    col = PERIODS[design["actuals_from"]]
    pct = [{**r, "score_pct": max(0, min(100, r["score_pct"] + design["items"].get(r["item_id"], design["default"])))}
           for r in t["assessment"]]
    acts = [{**r, "period": period} for r in t["actuals"] if r["period"] == col]
    tables = {k: v for k, v in t.items() if k not in ("actions", "findings", "feedback", "reviews")}
    tables.update(assessment=pct, actuals=acts)
    profile = {**c["profile"], "period": period}
    return {"profile": profile, "format": c["format"], "tables": tables, "history": {}}


def history_documents(c: dict, scratch: Path) -> dict[str, str]:
    """period -> results.json text of each earlier round, produced by the workbench from that round's data."""
    from workbench.analysis.analyse import analyse
    from workbench.analysis.results import results_document, to_json
    from workbench.intake.loading import load_client

    out = {}
    for period, design in sorted(c.get("history", {}).items()):
        folder = write_client(scratch / f"round-{period}", earlier_round(c, period, design))
        out[period] = to_json(results_document(analyse(load_client(folder))))
    return out


def write_history(folder: Path, docs: dict[str, str]) -> None:
    hist = folder / "history"
    if hist.exists():
        for p in hist.glob("*.json"):
            p.unlink()
    if docs:
        hist.mkdir(exist_ok=True)
        for period, text in docs.items():
            (hist / f"{period}.json").write_text(text, encoding="utf-8", newline="\n")


def validate(c: dict, scratch: Path) -> tuple[list[str], dict[str, str]]:
    """Write the client (and its earlier rounds) into ``scratch`` and run the workbench's validator on it.
    Returns (problems, history documents): an error, or a warning DELIBERATE does not expect, is a problem."""
    from workbench.intake.loading import check_client

    docs = history_documents(c, scratch)
    folder = write_client(scratch, c)
    write_history(folder, docs)
    client, report = check_client(folder)
    problems = [f"{c['profile']['id']}: {i}" for i in report.errors]
    expected = set(DELIBERATE[c["profile"]["id"]]["warnings"])
    got = {(i.sheet, i.column, str(i.value)) for i in report.warnings}
    problems += [f"{c['profile']['id']}: unexpected warning {i}" for i in report.warnings
                 if (i.sheet, i.column, str(i.value)) not in expected]
    problems += [f"{c['profile']['id']}: expected warning {w} not raised" for w in expected - got]
    if client is not None and sorted(client.history) != DELIBERATE[c["profile"]["id"]]["history"]:
        problems.append(f"{c['profile']['id']}: history {sorted(client.history)} read back")
    return problems, docs


def content_rules(c: dict) -> list[str]:
    """What the brief asks of demo data beyond the contract: every KPI fully defined, 16-25 KPIs per client."""
    errs = []
    for r in c["tables"]["kpis"]:
        for f in ("formula", "unit", "data_source", "frequency", "owner", "direction", "weight", "method"):
            if r.get(f) is None:
                errs.append(f"kpi {r['kpi_id']}: definition field {f} empty")
    if not 16 <= len(c["tables"]["kpis"]) <= 25:
        errs.append(f"{len(c['tables']['kpis'])} KPIs in all, expected 16-25")
    return errs


# ------------------------------------------------------------------------------------------------ reference scores
def kpi_score(k: dict, a: object, grades: dict) -> float:
    """scoring.md, written out independently of the workbench so the demo's expected results can be audited."""
    cap = k.get("cap", 120.0)
    floor = k.get("floor", 0.0)
    m, lower = k["method"], k.get("direction", "higher") == "lower"
    if m == "binary":
        s = 100.0 if _yes(a) else 0.0
    elif m == "qualitative":
        s = float(grades[a])
    elif m == "deduction":
        s = 100.0 - k["step_points"] * float(a)
    elif m == "ratio":
        t = k["target"]
        s = (cap if a == 0 else 100.0 * t / a) if lower else 100.0 * a / t
    elif m == "linear":
        sg = -1 if lower else 1
        a2, th, tg, st = sg * a, sg * k["threshold"], sg * k["target"], sg * k["stretch"]
        if a2 < th:
            s = 0.0
        elif a2 < tg:
            s = 60 + 40 * (a2 - th) / (tg - th)
        elif a2 < st:
            s = 100 + (cap - 100) * (a2 - tg) / (st - tg)
        else:
            s = cap
    elif m == "steps":
        t = k["target"]
        d = (t - a) if lower else (a - t)
        n = math.floor(abs(d) / (t * k["step"] / 100) + 1e-9)
        s = 100.0 + math.copysign(n, d) * k["step_points"] if n else 100.0
    else:
        raise ValueError(m)
    return max(floor, min(cap, s))


def reference_scores(c: dict, period: str = "2026Q3") -> dict:
    p, t = c["profile"], c["tables"]
    grades = p.get("grades") or {"A": 100, "B": 85, "C": 70, "D": 60, "E": 0}
    kpis = {r["kpi_id"]: r for r in t["kpis"]}
    act = {(r["kpi_id"], r["period"]): r["actual"] for r in t["actuals"]}
    children = defaultdict(list)
    for k, r in kpis.items():
        if r.get("parent_kpi_id"):
            children[r["parent_kpi_id"]].append(k)
    has_any = {r["kpi_id"] for r in t["actuals"]}
    scores: dict[str, float | None] = {}

    def score(k: str) -> float | None:
        if k in scores:
            return scores[k]
        if (k, period) in act:
            s = kpi_score(kpis[k], act[(k, period)], grades)
        elif k not in has_any and children[k]:
            sc = [(kpis[ch]["weight"], score(ch)) for ch in children[k]]
            sc = [(w, x) for w, x in sc if x is not None]
            s = sum(w * x for w, x in sc) / sum(w for w, _ in sc) if sc else None
        else:
            s = 0.0 if p.get("missing_actuals") == "zero" else None
        scores[k] = s
        return s

    for k in kpis:
        score(k)
    contracts = {}
    by_owner = defaultdict(list)
    for k, r in kpis.items():
        by_owner[(r["owner_unit"], r["owner"])].append(k)
    for o, ks in by_owner.items():
        sc = [(kpis[k]["weight"], scores[k]) for k in ks if scores[k] is not None]
        total = sum(w * s for w, s in sc) / sum(w for w, _ in sc)
        veto = [k for k in ks if kpis[k].get("veto") and scores[k] is not None and scores[k] < 60]
        contracts[o] = (0.0 if veto else total, veto)
    return {"kpis": scores, "contracts": contracts}


def plan_gaps(c: dict, scores: dict) -> dict:
    t, end = c["tables"], "2026-09-30"
    addressed = {a.strip() for r in t["actions"] for a in r.get("addresses", "").split(",")}
    roots = [r["cause_id"] for r in t["whys"] if _yes(r.get("root_cause", "")) and r.get("cause_id")]
    return {
        "root_causes_without_action": sorted(x for x in roots if x not in addressed),
        "kpis_below_60_without_action": sorted(k for k, s in scores["kpis"].items()
                                               if s is not None and s < 60 and k not in addressed),
        "overdue_actions": sorted(r["action_id"] for r in t["actions"]
                                  if str(r["due"]) < end and r.get("status", "planned") not in ("done", "deferred")),
    }


def assessment_facts(c: dict) -> dict:
    by = defaultdict(list)
    for r in c["tables"]["assessment"]:
        by[r["item_id"]].append(r["score_pct"])
    return {"flagged_items": sorted(i for i, v in by.items() if max(v) - min(v) > 20),
            "unscored_items": [i for i in ITEMS if i not in by]}


# this product's maturity ladder (scoring.md "Judgement (v2)"), written out again so the test oracle does not read
# the workbench's own YAML
LADDER = ((900, "world_class"), (700, "role_model"), (500, "integrated"), (300, "aligned"), (100, "early_systematic"),
          (0, "reacting"))
POINTS = {"4.1.2": 50, "4.1.3": 30, "4.1.4": 30, "4.2.2": 40, "4.2.3": 50, "4.3.2": 40, "4.3.3": 50, "4.4.2": 60,
          "4.4.3": 15, "4.4.4": 20, "4.4.5": 15, "4.4.6": 10, "4.4.7": 10, "4.5.2": 50, "4.5.3": 50, "4.6.2": 40,
          "4.6.3": 40, "4.7.2": 80, "4.7.3": 80, "4.7.4": 80, "4.7.5": 60, "4.7.6": 50, "4.7.7": 50}


def reference_assessment(c: dict) -> dict:
    """Consensus (median rounded to the nearest 5, halves up), item and category scores, total, stage and gap."""
    by = defaultdict(list)
    for r in c["tables"]["assessment"]:
        by[r["item_id"]].append(r["score_pct"])
    items = {}
    for i, pct in by.items():
        v = sorted(pct)
        n = len(v)
        med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
        cons = math.floor(med / 5 + 0.5) * 5
        items[i] = POINTS[i] * cons / 100
    cats: dict[str, float] = defaultdict(float)
    for i, sc in items.items():
        cats[i[:3]] += sc
    total = sum(items.values())
    target = c["profile"].get("target_score")
    return {"items": items, "categories": dict(cats), "total": total,
            "stage": next(k for lo, k in LADDER if total >= lo), "gap": None if target is None else target - total}


def red_without_review(c: dict, scores: dict, period: str = "2026Q3") -> list[str]:
    """KPIs with an actual in the period scoring below 60 and no review row for it."""
    t = c["tables"]
    own = {r["kpi_id"] for r in t["actuals"] if r["period"] == period}
    reviewed = {r["kpi_id"] for r in t.get("reviews", []) if r["period"] == period}
    return sorted(k for k, s in scores["kpis"].items() if k in own and s is not None and s < 60 and k not in reviewed)


def verify_deliberate(c: dict) -> list[str]:
    pid = c["profile"]["id"]
    want = DELIBERATE[pid]
    sc = reference_scores(c)
    got = {**plan_gaps(c, sc), **assessment_facts(c)}
    t = c["tables"]
    got["missing_2026Q3"] = sorted(r["kpi_id"] for r in t["kpis"]
                                   if {(a["kpi_id"], a["period"]) for a in t["actuals"]}.isdisjoint({(r["kpi_id"], "2026Q3")})
                                   and any(a["kpi_id"] == r["kpi_id"] for a in t["actuals"]))
    got["rollup_without_actuals"] = sorted(r["kpi_id"] for r in t["kpis"]
                                           if not any(a["kpi_id"] == r["kpi_id"] for a in t["actuals"]))
    got["veto_triggered"] = sorted(k for _, (s, v) in sc["contracts"].items() for k in v)
    got["red_kpis_without_review"] = red_without_review(c, sc)
    got["history"] = sorted(c.get("history", {}))
    return [f"{pid}: {k} is {got[k]}, DELIBERATE says {v}" for k, v in want.items() if k in got and got[k] != v]


def coverage(clients: list[dict]) -> list[str]:
    """The brief's rules over all three clients together."""
    errs = []
    ks = [k for c in clients for k in c["tables"]["kpis"]]
    for m in METHOD_NEEDS:
        if not any(k["method"] == m for k in ks):
            errs.append(f"method {m} unused")
    for d in ("higher", "lower"):
        if not any(k["direction"] == d for k in ks):
            errs.append(f"direction {d} unused")
    if not any(k.get("veto") for k in ks):
        errs.append("no veto KPI")
    if not any("cap" in k for k in ks) or not any("floor" in k for k in ks):
        errs.append("no cap or no floor override")
    if {c["format"] for c in clients} != {"xlsx", "csv"}:
        errs.append("need at least one xlsx and one CSV client")
    return errs


def summary(c: dict) -> str:
    t, p = c["tables"], c["profile"]
    persp, top = Counter(), Counter()
    objp = {r["objective_id"]: PERSPECTIVE_ALIASES[str(r["perspective"]).lower()] for r in t["objectives"]}
    for k in t["kpis"]:
        persp[objp[k["objective_id"]]] += 1
        top[objp[k["objective_id"]]] += not k.get("parent_kpi_id")
    sc = reference_scores(c)
    lines = [f"{p['id']} ({c['format']}): " + ", ".join(f"{n} {len(v)}" for n, v in t.items()),
             f"  KPIs by perspective: {dict(persp)} (top-level {dict(top)}); methods: {dict(Counter(k['method'] for k in t['kpis']))}",
             f"  owners: {len({(k['owner_unit'], k['owner']) for k in t['kpis']})}; "
             f"levels: {dict(Counter(k['owner_level'] for k in t['kpis']))}"]
    for k, s in sc["kpis"].items():
        if s is None or s < 60:
            lines.append(f"  KPI {k} {kpi_name(c, k)}: {'excluded (no 2026Q3 actual)' if s is None else f'{s:.1f}'}")
    for o, (s, v) in sc["contracts"].items():
        lines.append(f"  contract {o[0]} / {o[1]}: {s:.2f}" + (f"  VETO by {v}" if v else ""))
    lines.append(f"  {plan_gaps(c, sc)}")
    lines.append(f"  {assessment_facts(c)}")
    return "\n".join(lines)


def kpi_name(c: dict, k: str) -> str:
    return next(r["kpi"] for r in c["tables"]["kpis"] if r["kpi_id"] == k)


def main(argv: list[str] | None = None) -> int:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=ROOT / "clients", help="folder to write the client folders into")
    ap.add_argument("--check", action="store_true", help="print counts and expected scores")
    args = ap.parse_args(argv)
    clients = [with_v2(f()) for f in CLIENTS]
    problems = coverage(clients)
    histories = {}
    with tempfile.TemporaryDirectory() as scratch:
        for c in clients:
            found, docs = validate(c, Path(scratch))
            problems += found + content_rules(c) + verify_deliberate(c)
            histories[c["profile"]["id"]] = docs
    if problems:
        print("refusing to write: the demo data breaks the contract or its own design", *problems, sep="\n  ",
              file=sys.stderr)
        return 1
    for c in clients:
        folder = write_client(args.root, c)
        write_history(folder, histories[c["profile"]["id"]])
        print(f"wrote {folder}")
        if args.check:
            print(summary(c))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
