//! The two-level complaint taxonomy (R-GR-3), each category's default department, the special
//! routings of R-IN-7, and classification of a complaint's text.

use crate::phrase::{Phrase, Prepared};
use serde::{Deserialize, Serialize};

/// One category; a top-level category has no parent. Codes are dotted: `engineering.leakage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Stable code.
    pub code: String,
    /// Parent code for second-level categories.
    pub parent: Option<String>,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Code of the department a complaint of this category goes to by default (R-GR-3).
    pub department: String,
    /// Phrases that suggest this category; empty for top-level categories.
    pub phrases: Vec<Phrase>,
}

/// The outcome of classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// Chosen category code.
    pub code: String,
    /// The phrases' words that matched, e.g. `keyword:漏水`; empty for the fallback.
    pub reasons: Vec<String>,
}

/// The category used when nothing matches.
pub const FALLBACK: &str = "other.general";

/// Classifies text: the second-level category with the most matching phrases wins, a match in
/// the subject counting double; ties go to the earlier category; no match gives [`FALLBACK`].
pub fn classify(subject: &Prepared, body: &Prepared, categories: &[Category]) -> Classification {
    let mut best: Option<(usize, &Category, Vec<String>)> = None;
    for cat in categories.iter().filter(|c| c.parent.is_some()) {
        let mut score = 0;
        let mut words = Vec::new();
        for p in &cat.phrases {
            if let Some(ev) = p.mentions(subject) {
                score += 2;
                words.extend(ev);
            } else if let Some(ev) = p.mentions(body) {
                score += 1;
                words.extend(ev);
            }
        }
        if score > 0 && best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, cat, words));
        }
    }
    match best {
        Some((_, cat, words)) => Classification {
            code: cat.code.clone(),
            reasons: words.into_iter().map(|w| format!("keyword:{w}")).collect(),
        },
        None => Classification {
            code: FALLBACK.into(),
            reasons: vec![],
        },
    }
}

fn top(code: &str, zh: &str, en: &str, dept: &str) -> Category {
    Category {
        code: code.into(),
        parent: None,
        name_zh: zh.into(),
        name_en: en.into(),
        department: dept.into(),
        phrases: vec![],
    }
}

fn leaf(parent: &str, code: &str, zh: &str, en: &str, dept: &str, words: &[&str], pairs: &[&[&[&str]]]) -> Category {
    let mut phrases: Vec<Phrase> = words.iter().map(|w| Phrase::of(&[&[w]])).collect();
    phrases.extend(pairs.iter().map(|p| Phrase::of(p)));
    Category {
        code: format!("{parent}.{code}"),
        parent: Some(parent.into()),
        name_zh: zh.into(),
        name_en: en.into(),
        department: dept.into(),
        phrases,
    }
}

/// The default taxonomy: the five top-level classes of 004 §6, the property-management types of
/// 002 §2.3, the examples of 000 §3.2.2 and the special routings of R-IN-7 (002 §3).
pub fn default_categories() -> Vec<Category> {
    vec![
        top("engineering", "工程管理类", "Engineering and quality", "engineering"),
        leaf(
            "engineering",
            "leakage",
            "渗漏水",
            "Leaks and seepage",
            "engineering",
            &["漏水", "渗水", "渗漏", "滴水", "返潮", "水渍", "发霉", "霉斑", "反水"],
            &[],
        ),
        leaf(
            "engineering",
            "cracking",
            "开裂空鼓",
            "Cracks and hollow plaster",
            "engineering",
            &["开裂", "裂缝", "空鼓", "起砂", "脱落", "起皮", "裂纹"],
            &[],
        ),
        leaf(
            "engineering",
            "utilities",
            "水电设施",
            "Plumbing and electrics",
            "engineering",
            &[
                "跳闸",
                "漏电",
                "插座",
                "电路",
                "水管",
                "水压",
                "下水",
                "堵塞",
                "地漏",
                "排水",
                "燃气管",
            ],
            &[],
        ),
        leaf(
            "engineering",
            "doors_windows",
            "门窗",
            "Doors and windows",
            "engineering",
            &["门窗", "窗户", "推拉门", "入户门", "窗框", "玻璃", "密封条", "防盗门"],
            &[],
        ),
        leaf(
            "engineering",
            "maintenance_delay",
            "维保不及时",
            "Repairs not done in time",
            "repair",
            &[
                "维修不及时",
                "没人修",
                "迟迟不修",
                "一直没修",
                "报修",
                "拖着不修",
                "修了又坏",
            ],
            &[&[&["维修", "报修", "修理"], &["没人来", "不及时", "拖", "几次", "多次"]]],
        ),
        leaf(
            "engineering",
            "quality",
            "质量问题",
            "Construction quality",
            "engineering",
            &["质量问题", "偷工减料", "不平整", "歪斜", "房屋质量", "施工质量"],
            &[],
        ),
        top("design", "规划设计类", "Planning and design", "design"),
        leaf(
            "design",
            "planning",
            "规划变更",
            "Planning changes",
            "design",
            &["规划", "容积率", "绿化率", "楼间距", "规划变更", "配套设施"],
            &[],
        ),
        leaf(
            "design",
            "defect",
            "设计缺陷",
            "Design defects",
            "design",
            &["设计缺陷", "设计不合理", "采光", "户型", "层高", "设计问题"],
            &[],
        ),
        top("marketing", "营销管理类", "Sales and marketing", "sales"),
        leaf(
            "marketing",
            "promise",
            "销售承诺",
            "Sales promises",
            "sales",
            &[
                "承诺",
                "宣传",
                "样板间",
                "样板房",
                "广告",
                "置业顾问",
                "虚假宣传",
                "销售说",
            ],
            &[],
        ),
        leaf(
            "marketing",
            "contract",
            "合同纠纷",
            "Contract disputes",
            "sales",
            &["合同", "违约", "退房", "定金", "首付", "贷款", "按揭", "违约金"],
            &[],
        ),
        leaf(
            "marketing",
            "certificate",
            "产证办理",
            "Property certificates",
            "sales",
            &["房产证", "不动产证", "产权证", "办证", "产证"],
            &[],
        ),
        top("service", "客户服务类", "Customer service", "service"),
        leaf(
            "service",
            "delivery",
            "交付服务",
            "Delivery service",
            "service",
            &["交付", "交房", "收房", "验房", "延期交房", "逾期交房"],
            &[],
        ),
        leaf(
            "service",
            "efficiency",
            "及时性与效率",
            "Timeliness and efficiency",
            "service",
            &["没人回复", "没有回音", "不回复", "拖延", "推诿", "踢皮球", "效率低"],
            &[],
        ),
        leaf(
            "service",
            "complaint_handling",
            "投诉处理",
            "Complaint handling",
            "service",
            &["投诉处理", "处理结果", "答复不满意", "投诉了几次"],
            &[],
        ),
        top("property", "物业服务类", "Property services", "property"),
        leaf(
            "property",
            "facilities",
            "管理责任(公共设施设备)",
            "Shared facilities and equipment",
            "property",
            &[
                "电梯",
                "消防",
                "公共照明",
                "楼道灯",
                "门禁",
                "水泵",
                "对讲",
                "监控",
                "路灯",
            ],
            &[],
        ),
        leaf(
            "property",
            "security",
            "秩序维护",
            "Security and order",
            "property",
            &["保安", "门岗", "外来人员", "巡逻", "安保"],
            &[],
        ),
        leaf(
            "property",
            "cleaning",
            "保洁",
            "Cleaning",
            "property",
            &["垃圾", "保洁", "卫生", "清扫", "异味", "臭味"],
            &[],
        ),
        leaf(
            "property",
            "parking",
            "车辆管理",
            "Parking",
            "property",
            &["车位", "停车", "车库", "乱停", "充电桩"],
            &[],
        ),
        leaf(
            "property",
            "greening",
            "绿化养护",
            "Landscaping",
            "property",
            &["绿化", "草坪", "树木", "修剪", "花园"],
            &[],
        ),
        leaf(
            "property",
            "renovation",
            "装修管理",
            "Renovation management",
            "property",
            &["装修", "装修噪音", "装修垃圾", "违规装修"],
            &[],
        ),
        leaf(
            "property",
            "fees",
            "物业收费",
            "Property fees",
            "property",
            &["物业费", "乱收费", "收费标准", "停车费", "公摊"],
            &[],
        ),
        leaf(
            "property",
            "neighbour",
            "业户纠纷",
            "Disputes between residents",
            "property",
            &[
                "邻居",
                "邻里",
                "养狗",
                "养犬",
                "狗叫",
                "高空抛物",
                "噪音扰民",
                "占用公共",
            ],
            &[],
        ),
        top("special", "特殊事项", "Special routing", "service"),
        leaf(
            "special",
            "staff_conduct",
            "员工行为",
            "Staff conduct",
            "hr",
            &[
                "态度恶劣",
                "辱骂",
                "骂人",
                "索贿",
                "吃拿卡要",
                "服务态度",
                "态度很差",
                "态度差",
                "不耐烦",
            ],
            &[&[
                &["员工", "工作人员", "客服", "管家", "保安", "维修工"],
                &["打人", "骂", "威胁", "刁难", "索要"],
            ]],
        ),
        leaf(
            "special",
            "internal",
            "内部投诉",
            "Internal grievances",
            "hr",
            &["内部投诉", "工资", "加班费", "劳动合同", "考勤"],
            &[],
        ),
        leaf(
            "special",
            "policy",
            "制度流程",
            "Company rules and processes",
            "quality",
            &["制度不合理", "流程不合理", "规定不合理", "办事流程", "手续繁琐"],
            &[],
        ),
        leaf(
            "special",
            "official_visit",
            "媒体采访/公检法到访",
            "Media interviews and official visits",
            "hr",
            &["采访"],
            &[&[
                &["公安", "法院", "检察院", "工商", "税务", "记者", "派出所"],
                &["来访", "到访", "上门", "调查", "取证"],
            ]],
        ),
        top("other", "其他类", "Other", "service"),
        leaf("other", "general", "其他", "Other", "service", &[], &[]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_text(subject: &str, body: &str) -> String {
        classify(&Prepared::new(subject), &Prepared::new(body), &default_categories()).code
    }

    #[test]
    fn classifies_by_words_with_default_departments() {
        let cases = [
            (
                "卫生间天花板漏水",
                "楼上卫生间渗水到我家天花板，已经三天了。",
                "engineering.leakage",
            ),
            ("客厅墙面开裂", "墙上裂缝越来越大", "engineering.cracking"),
            ("房产证迟迟办不下来", "交房两年了还没有办证", "marketing.certificate"),
            ("销售承诺的学校没有了", "当时置业顾问说旁边有学校", "marketing.promise"),
            ("管家态度恶劣", "打电话问进度被骂了", "special.staff_conduct"),
            ("物业费乱收费", "", "property.fees"),
            ("公司的报修流程不合理", "办事流程太繁琐，制度不合理", "special.policy"),
            ("派出所民警到访", "公安来小区调查取证", "special.official_visit"),
            ("邻居养狗", "狗叫整夜", "property.neighbour"),
            ("报修三次都没人来", "维修一直拖着", "engineering.maintenance_delay"),
            ("想问一下", "随便说说", FALLBACK),
        ];
        for (s, b, want) in cases {
            assert_eq!(classify_text(s, b), want, "{s} / {b}");
        }
    }

    #[test]
    fn special_routings_of_r_in_7() {
        let cats = default_categories();
        let dept = |code: &str| cats.iter().find(|c| c.code == code).unwrap().department.clone();
        assert_eq!(dept("special.staff_conduct"), "hr");
        assert_eq!(dept("special.internal"), "hr");
        assert_eq!(dept("special.policy"), "quality");
        assert_eq!(dept("special.official_visit"), "hr");
        assert_eq!(dept("engineering.maintenance_delay"), "repair");
    }

    #[test]
    fn taxonomy_is_two_level_and_codes_unique() {
        let cats = default_categories();
        let mut codes: Vec<_> = cats.iter().map(|c| c.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), cats.len());
        for c in cats.iter().filter_map(|c| c.parent.as_deref()) {
            let parent = cats.iter().find(|p| p.code == c).expect("parent exists");
            assert!(parent.parent.is_none(), "only two levels");
        }
        assert!(cats.iter().any(|c| c.code == FALLBACK));
    }
}
