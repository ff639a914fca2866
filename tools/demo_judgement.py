"""The v2 material of the demo clients (docs/intake.md v2): organisation profile, strategic challenges and target,
the consultant's findings, examiner feedback, the quarterly review, carry-over reasons, and the design of the
earlier rounds written to ``history/``. Written as the engagement team would write it; tools/make_demo_clients.py
merges it into each client.
"""
from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def rows(header: str, data: list[tuple]) -> list[Row]:
    """Table rows from a header of column names and tuples (blank values left out), checked for length."""
    cols = header.split()
    out = []
    for t in data:
        if len(t) != len(cols):
            raise ValueError(f"{header}: row {t!r} has {len(t)} values, expected {len(cols)}")
        out.append({c: v for c, v in zip(cols, t) if v is not None and v != ""})
    return out


FINDINGS = "finding_id finding so_what recommendation addresses rank"
FEEDBACK = "item_id kind comment key dimension evidence"
REVIEWS = "kpi_id period cause countermeasure owner due"

# ------------------------------------------------------------------------------------------------ 华鑫特钢
HUAXIN: dict[str, Any] = {
    "profile": {
        "profile": ("华鑫特钢是以电炉短流程生产轴承钢、齿轮钢和高端合金结构钢棒材的民营股份制企业, 年产钢约180万吨, "
                    "在岗员工3,200人。主要客户为汽车零部件、轴承和工程机械制造商, 前十大客户贡献约55%的销售收入。"
                    "公司拥有省级企业技术中心, 通过IATF 16949、ISO 14001和ISO 45001认证, 正在申报省质量奖。"),
        "challenges": [
            "新能源汽车转型使齿轮钢需求结构快速变化, 客户对纯净度和交付周期的要求同时提高",
            "电炉短流程依赖废钢资源, 废钢价格与残余元素波动直接影响成本和质量稳定性",
            "超低排放和能耗双控约束趋紧, 吨钢能耗和碳排放成为客户供应商评价的门槛指标",
            "优势: 轴承钢氧含量控制处于国内先进水平, 与重点汽车零部件客户有十年以上合作关系",
        ],
        "target_score": 600,
    },
    "findings": rows(FINDINGS, [
        ("F01", "公司业绩合同得分90.7分, 却掩盖了客户最关心的交付问题: 合同交付准时率本期得0分",
         "合同交付准时率已连续四个季度下滑至88.5%, 两家重点汽车零部件客户发函投诉; 公司级合同中没有交付指标, "
         "经营层看到的是\"基本达标\", 客户感受到的是\"不守约\"。",
         "将合同交付准时率纳入公司级业绩合同(建议权重10%), 产销协同周例会和APS排产(A05)作为第四季度一号工程, "
         "由总经理每周听取进展。", "K13, C21, A05, 4.7.3", 1),
        ("F02", "质量问题的根子在设备和工艺文件, 而不在一线员工",
         "一次合格率两条5-Why追问链都落在管理机制上: 液位控制系统老化未纳入技改计划(C05), 工艺变更后作业指导书无修订机制(C09); "
         "后者至今没有任何改进行动。",
         "建立工艺变更与作业指导书同步修订的闭环流程, 由质量管理部牵头于11月底前完成; 液位控制系统技改列入2027年预算并锁定厂家交期。",
         "C09, C05, K14, A01", 2),
        ("F03", "战略部署停在二级厂, 尚未形成季度战略回顾机制",
         "4.2.3战略部署的三位评价人分歧达25分, 正说明目标分解到班组、岗位的做法因单位而异; "
         "本期19个未达标指标中只有6个做了季度回顾分析。",
         "将KPI价值树分解到班组(A12), 从第四季度起按季度召开战略回顾会, 对每个低于60分的指标给出原因和对策。",
         "4.2.3, 4.6.2, A12", 3),
        ("F04", "研发投入强度1.75%, 与\"创新驱动\"的战略定位不相称",
         "研发投入强度本期得58.3分, 学习与成长维度的创新目标(L1)缺少资源保障; 新钢种开发周期长于主要竞争对手。",
         "在2027年预算中将研发投入强度目标提高到3%, 并对重点新钢种项目实行里程碑管理。", "K07, L1, 4.4.5", 4),
    ]),
    "feedback": rows(FEEDBACK, [
        ("4.1.2", "strength", "领导班子每季度召开经营分析会, 对年度目标完成情况逐项点评并形成督办清单", "是", "D",
         "2026年1-3季度经营分析会纪要"),
        ("4.1.2", "opportunity", "高层领导参与卓越绩效推进的方式以听取汇报为主, 与一线员工的双向沟通渠道有限", "是", "A",
         "员工座谈记录: 68%的一线员工不了解公司年度重点"),
        ("4.1.2", "opportunity", "领导力有效性尚未评价, 缺少对高层领导履职的系统反馈", "否", "L", None),
        ("4.2.2", "strength", "运用SWOT和波特五力分析制定\"十五五\"规划, 明确高端化、绿色化两条主线", "否", "A",
         "十五五战略规划文本"),
        ("4.2.2", "opportunity", "战略制定中对竞争对手和标杆企业的数据收集不系统, 战略假设缺少验证", "否", "L", None),
        ("4.2.3", "strength", "年度目标通过业绩合同分解到事业部和二级厂, 签约率100%", "否", "D", "2026年业绩合同"),
        ("4.2.3", "opportunity", "KPI价值树止步于二级厂, 班组和岗位指标与战略目标的对应关系不清", "是", "D",
         "KPI辞典(试行)只覆盖到二级厂"),
        ("4.2.3", "opportunity", "缺少季度战略回顾机制, 战略执行偏差只在年底发现", "是", "L", None),
        ("4.4.6", "strength", "主体装备达到国内先进水平, TPM全员生产维护覆盖所有二级厂", "否", "D", "TPM推进记录"),
        ("4.4.6", "opportunity", "缺少设备寿命周期评估, 服役12年的液位控制系统未纳入技改计划, 直接造成铸坯裂纹", "是", "I",
         "5-Why追问链W1; 设备点检记录"),
        ("4.5.3", "strength", "QC小组和精益改善提案活动持续开展, 2025年完成QC课题28项", "否", "D", "QC成果发布资料"),
        ("4.5.3", "opportunity", "工艺变更后作业指导书没有同步修订机制, 过程改进成果未固化", "是", "A",
         "体系内审不符合项3项"),
        ("4.6.2", "opportunity", "绩效分析停留在完成率统计, 缺少标杆对比和原因分析, 未形成决策支持", "是", "A",
         "月度经营分析报告"),
        ("4.6.2", "strength", "建立了覆盖主要经营指标的月度报表体系", "否", "D", None),
        ("4.7.2", "strength", "轴承钢氧含量控制在5ppm以内, 达到国内先进水平", "是", "Le", "第三方检测报告"),
        ("4.7.2", "opportunity", "成品一次合格率连续四个季度低于98%目标, 且没有与标杆企业的对比数据", "是", "C",
         "质量月报2025Q4-2026Q3"),
        ("4.7.3", "opportunity", "重点客户合同交付准时率从93.1%降至88.5%, 呈持续下降趋势", "是", "T",
         "ERP销售模块交付统计"),
        ("4.7.3", "strength", "高端特钢销量占比三年提升6个百分点", "否", "T", "销售统计"),
        ("4.7.4", "strength", "营业收入和利润总额连续三年增长", "否", "T", "2023-2025年审计报告"),
        ("4.7.4", "opportunity", "吨钢利润缺少与同行业上市公司的对比", "否", "C", None),
    ]),
    "reviews": rows(REVIEWS, [
        ("K13", "2026Q3", "插单和订单变更后生产计划调整滞后平均2.5天; 8月两条轧线计划外停机31小时",
         "产销协同周例会(A05); 关键备件安全库存定额(A06)", "李国栋", "2026-12-31"),
        ("K14", "2026Q3", "结晶器液位波动造成的裂纹判废仍占46%; 7-8月高温高湿表面缺陷增多",
         "液位控制系统技改已立项, 过渡期增加人工监控频次", "陈志强", "2026-12-31"),
        ("K32", "2026Q3", "同K14: 液位波动超±5mm的炉次占18%", "结晶器专项攻关小组每周复盘", "陈志强", "2026-11-30"),
        ("K51", "2026Q3", "一车间新员工占比高, 换钢种时操作失误2次", "师带徒和岗前实操考核(A02)", "王海涛", "2026-11-30"),
        ("K52", "2026Q3", "9月12日天车作业区一名员工轻伤, 违反吊运作业区域隔离规定", "车间安全专项整治(A09)",
         "王海涛", "2026-12-31"),
        ("K15", "2026Q3", "三件质量异议均为表面缺陷", "增加精整工序抽检比例", "李国栋", "2026-10-31"),
    ]),
    "reasons": {"A01": "技改资金需纳入2027年预算, 设备厂家交货期排至2027年1月; 过渡期以人工监控控制风险"},
    # earlier rounds: period -> assessment deltas in percentage points (every assessor of the item; "default" for the
    # others) and the column of actuals that stands for that round's KPI results (0: the first period's values)
    "history": {
        "2024Q3": {"default": -15, "items": {"4.2.3": -20, "4.6.2": -15, "4.7.3": -5, "4.7.2": -10}, "actuals_from": 0},
        "2025Q3": {"default": -5, "items": {"4.2.3": -15, "4.6.2": -10, "4.7.3": 5, "4.5.3": -10}, "actuals_from": 0},
    },
}

# ------------------------------------------------------------------------------------------------ 金丰物流
JINFENG: dict[str, Any] = {
    "profile": {
        "profile": ("金丰供应链物流为长三角的快消品和电商客户提供仓储、干线运输和城配一体化服务, 自营仓储面积12万平方米, "
                    "自有及签约车辆约600台, 员工1,450人, 其中一线拣货和驾驶员占70%。前五大客户贡献约48%的营业收入。"),
        "challenges": [
            "电商大促使订单量季节波动达3倍, 旺季运力和人力弹性不足",
            "大客户年度招标压价, 单票利润持续下降, 只能靠效率和准时率赢得续约",
            "WMS与TMS系统割裂, 数字化供应链平台建设因预算两次推迟",
            "优势: 华东区域仓网密度高, 与三家头部快消品牌建立了五年以上的合作关系",
        ],
        "target_score": 450,
    },
    "findings": rows(FINDINGS, [
        ("F01", "公司业绩合同得分94.5分, 但订单准时交付率只得36分, 运输调度部合同仅39分",
         "客户续约最看重的准时交付在公司级合同中完全没有体现; 运输调度部的干线运输准时率得0分, 车辆满载率本期没有报数"
         "(按0分计), 而公司合同仍显示\"基本达标\"。",
         "把订单准时交付率列为公司级KPI并设一票否决, 承运商准入与考核(A01)在旺季前完成。", "J12, J31, C09, A01", 1),
        ("F02", "系统割裂是准时交付和差错两个问题的共同根源",
         "WMS与TMS未打通, 每单人工转录6分钟, 同时造成出库延误和信息差错; 接口项目(A03)已两次推迟。",
         "将WMS-TMS接口列为2027年第一季度必须上线的项目, 预算单列, 由总经理督办。", "C06, C07, A03, L2", 2),
        ("F03", "计件工资\"只计件数不计差错\", 拣货差错的根本原因至今没有行动",
         "拣货差错的5-Why追问落在薪酬机制(C22)上, 复核和库位调整只治标; 错发漏发投诉仍占客户投诉的四成。",
         "修订拣货员计件方案, 引入差错扣减系数, 人力资源部于12月前拿出方案。", "C22, J42", 3),
    ]),
    "feedback": rows(FEEDBACK, [
        ("4.2.3", "opportunity", "年度目标只分解到事业部, 运输调度部和班组没有与交付时效挂钩的指标", "是", "D",
         "2026年事业部业绩合同"),
        ("4.2.3", "strength", "每月经营例会跟踪重点项目进度", "否", "D", None),
        ("4.3.3", "opportunity", "大客户投诉处理以个案为主, 投诉数据没有用于流程改进", "是", "L", "客户投诉台账"),
        ("4.3.3", "strength", "为前五大客户配置专属客户经理, 响应时间承诺2小时", "否", "A", "客户服务协议"),
        ("4.4.4", "opportunity", "WMS与TMS数据割裂, 运营数据靠人工汇总, 口径不一致", "是", "I", "系统架构图"),
        ("4.5.3", "opportunity", "异常订单处理此前无标准流程, 已于本期补建SOP, 尚需验证效果", "否", "A", "异常订单SOP"),
        ("4.5.3", "strength", "仓储作业推行5S和目视化管理, 库存准确率保持在99.5%以上", "是", "D", "仓储月报"),
        ("4.6.2", "opportunity", "指标口径未统一, 各部门报表数据相互矛盾, 难以支撑决策", "是", "A", None),
        ("4.7.3", "opportunity", "订单准时交付率连续三个季度下降, 且低于主要竞争对手公开数据", "是", "T", "季度客户报告"),
        ("4.7.3", "strength", "客户满意度92.2分, 高于行业平均水平", "否", "C", "第三方满意度调查"),
        ("4.7.6", "opportunity", "干线运输准时率本期低于门槛值, 车辆满载率本期没有报数, 运输过程结果无法评价", "是", "Le", None),
    ]),
    "reviews": rows(REVIEWS, [
        ("J31", "2026Q3", "旺季外协车辆到车不准时, 承运商没有时效违约条款", "承运商准入与季度考核(A01)", "黄磊",
         "2026-11-30"),
        ("J14", "2026Q3", "9月错发漏发投诉集中在新入职拣货员", "新员工三级培训与上岗认证(A10)", "林芳", "2026-11-30"),
        ("J21", "2026Q3", "18点后订单占42%, 夜班人力不足", "调整截单时间, 建立大客户订单预报(A04)", "林芳", "2026-10-31"),
    ]),
    "reasons": {"A03": "接口开发预算未获2026年追加批准, 转入2027年第一季度; 期间以人工双人复核转录数据"},
    "history": {},
}

# ------------------------------------------------------------------------------------------------ Riverside
RIVERSIDE: dict[str, Any] = {
    "profile": {
        "profile": ("Riverside Municipal Hospital is a 620-bed acute hospital serving 410,000 residents of the Riverside "
                    "district, with a 24-hour Emergency Department (about 92,000 attendances a year), a surgical division "
                    "of eleven theatres and a regional orthopaedic service. It employs 3,900 staff and is funded mainly "
                    "through the municipal health budget and activity-based payments."),
        "challenges": [
            "Emergency demand grows 4% a year while primary care capacity in the district shrinks",
            "Elective waiting lists are the longest in the region; every cancelled operation costs a theatre slot",
            "Nurse vacancy rate of 11% and rising agency spend",
            "Strength: a regional orthopaedic service with outcomes in the national top quartile",
        ],
        "target_score": 550,
    },
    "findings": rows(FINDINGS, [
        ("F01", "The hospital's contract scores 97 while the Emergency Department misses every access standard",
         "Median door-to-provider time is 48 minutes against 30 (score 0) and left-without-being-seen runs at twice the "
         "target; the executive contract carries no access measure, so the board sees green while patients wait.",
         "Add ED door-to-provider time to the executive contract and review the split-flow pilot (A01) weekly at the "
         "executive huddle until the median is under 35 minutes.", "R21, R22, C04, A01", 1),
        ("F02", "The evening arrival peak is met with a 2019 roster",
         "41% of arrivals come between 16:00 and 22:00 but only 29% of physician hours; the root cause (C02) has no "
         "action, so the split-flow stream will be starved of doctors at exactly the busiest hours.",
         "Re-baseline the ED medical roster on 2026 arrival data before the winter plan is signed off.", "C02, C01, R21", 2),
        ("F03", "Measurement is improving but not yet trusted",
         "15% of door-to-provider records were incomplete until electronic time-stamping (A04); cancellation reasons "
         "are only now coded consistently (A10). Decisions this year rested on partial data.",
         "Publish a monthly data-completeness indicator alongside every access KPI.", "4.6.2, A04, A10", 3),
        ("F04", "Results are strong on safety and finance, thin on the community",
         "Never events, falls and cost per case are at or better than target; community health and environmental "
         "results (4.1.4, 4.7.7) are barely reported, which caps the assessment in categories 4.1 and 4.7.",
         "Report community and environmental outcomes to the board twice a year (A12).", "4.1.4, 4.7.7, A12", 4),
    ]),
    "feedback": rows(FEEDBACK, [
        ("4.1.2", "strength", "Senior leaders round on wards weekly and the executive huddle reviews safety daily", "yes",
         "D", "Huddle log, 2026"),
        ("4.1.2", "opportunity", "Leaders' own performance is not reviewed against the strategic plan", "no", "L", None),
        ("4.1.4", "opportunity", "Community health needs are not assessed systematically; no environmental targets", "yes",
         "A", "Board papers 2025-2026"),
        ("4.2.3", "strength", "Annual objectives cascade to divisions and departments through signed contracts", "no", "D",
         "2026 performance contracts"),
        ("4.2.3", "opportunity", "Access standards are missing from the executive contract, so the cascade omits them",
         "yes", "I", None),
        ("4.3.3", "strength", "Patient experience top-box score of 96 with real-time feedback in every ward", "yes", "A",
         "Patient experience dashboard"),
        ("4.5.3", "opportunity", "Improvement projects are not prioritised against the access problems", "no", "A", None),
        ("4.6.2", "opportunity", "Incomplete time stamps and inconsistent cancellation codes undermine analysis", "yes",
         "A", "Data quality audit, June 2026"),
        ("4.6.2", "strength", "Integrated performance report goes to the board monthly", "no", "D",
         "Integrated performance report"),
        ("4.7.2", "strength", "Never events at zero for eight quarters; surgical site infections falling", "yes", "T",
         "Safety dashboard"),
        ("4.7.3", "opportunity", "ED access results are below target and below the regional median", "yes", "C",
         "Regional benchmarking report"),
        ("4.7.7", "opportunity", "No trend data on community and environmental results", "no", "T", None),
    ]),
    "reviews": rows(REVIEWS, [
        ("R21", "2026Q3", "Evening arrival peak met with the 2019 roster; triage and registration run in sequence",
         "Split-flow stream for low-acuity patients (A01); roster re-baselining", "Dr Priya Nair", "2026-12-31"),
        ("R23", "2026Q3", "Admitted patients boarding in ED cubicles while waiting for beds",
         "Bed management integration (A03); discharge-before-noon (A02)", "Tom Reilly", "2027-01-31"),
        ("R13", "2026Q3", "Lists booked beyond session time; late instrument sets on Mondays",
         "Case-time booking rule (A08)", "Dr Samuel Okafor", "2026-12-31"),
        ("R15", "2026Q3", "Three infections after hip revisions in July", "Surgical site infection bundle audit",
         "Dr James Whitfield", "2026-11-30"),
    ]),
    "reasons": {"A05": "Capital bid for the analyser deferred to the 2027 equipment round; the supplier's loan unit covers "
                       "breakdowns meanwhile"},
    "history": {
        "2025Q3": {"default": -5, "items": {"4.6.2": -10, "4.7.3": -5, "4.3.3": 5}, "actuals_from": 0},
    },
}

V2 = {"huaxin-steel": HUAXIN, "jinfeng-logistics": JINFENG, "riverside-hospital": RIVERSIDE}
