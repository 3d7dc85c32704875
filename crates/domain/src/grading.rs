//! Automatic grading (R-GR-1, R-GR-2): emergencies, group complaints, media or government
//! involvement and repeat complaints, each a rule that names itself in `grade_reasons`.

use crate::codes::{Channel, Code, Grade};
use crate::phrase::{Phrase, Prepared};
use serde::{Deserialize, Serialize};

/// What a text rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A listed emergency (001-5 2(6)): grade becomes urgent.
    Emergency,
    /// Media involvement (002 §3, 004 §4.4): at least important.
    Media,
    /// Government involvement (12345, regulators): at least important.
    Government,
}

impl RuleKind {
    /// The lowest grade a complaint gets when a rule of this kind fires.
    pub fn floor(self) -> Grade {
        match self {
            RuleKind::Emergency => Grade::Urgent,
            RuleKind::Media | RuleKind::Government => Grade::Important,
        }
    }

    /// The code used in `grade_reasons`.
    pub fn code(self) -> &'static str {
        match self {
            RuleKind::Emergency => "emergency",
            RuleKind::Media => "media",
            RuleKind::Government => "government",
        }
    }
}

/// A text rule: data an administrator can extend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextRule {
    /// Stable identifier, e.g. `emergency.lift_entrapment`.
    pub code: String,
    /// What the rule raises.
    pub kind: RuleKind,
    /// The name shown in `grade_reasons`, e.g. `电梯困人`.
    pub label: String,
    /// The rule fires when any phrase matches.
    pub phrases: Vec<Phrase>,
}

impl TextRule {
    /// Whether the rule fires on the prepared text.
    pub fn fires(&self, text: &Prepared) -> bool {
        self.phrases.iter().any(|p| p.matches(text))
    }
}

/// Households at or above which a complaint is a group complaint (群诉, R-GR-2).
pub const GROUP_HOUSEHOLDS: i32 = 3;

/// Everything grading looks at.
#[derive(Debug, Clone)]
pub struct GradingInput<'a> {
    /// Subject, description and demands together.
    pub text: &'a Prepared,
    /// Intake channel.
    pub channel: Channel,
    /// Households raising the same matter.
    pub households: i32,
    /// The number of an open complaint of the same complainant on the same matter, if any.
    pub open_repeat_of: Option<&'a str>,
    /// The agent's explicit grade, which wins.
    pub explicit: Option<Grade>,
}

/// Who decided the grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decider {
    /// The rules (or the default).
    Rules,
    /// The agent's explicit choice.
    Agent,
}

impl Decider {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Decider::Rules => "rules",
            Decider::Agent => "agent",
        }
    }
}

/// The outcome of grading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeDecision {
    /// The grade the complaint gets.
    pub grade: Grade,
    /// What the rules alone would have chosen.
    pub suggested: Grade,
    /// Who decided.
    pub decided_by: Decider,
    /// Every rule that fired, e.g. `rule:emergency:电梯困人`; `agent:<grade>` first when overridden.
    pub reasons: Vec<String>,
}

/// Grades a complaint by the rules; an explicit grade wins and is recorded as such.
pub fn grade(input: &GradingInput<'_>, rules: &[TextRule]) -> GradeDecision {
    let mut floor = Grade::General;
    let mut reasons = Vec::new();
    let mut raise = |g: Grade, reason: String, reasons: &mut Vec<String>| {
        floor = floor.max(g);
        reasons.push(reason);
    };
    for rule in rules.iter().filter(|r| r.fires(input.text)) {
        raise(
            rule.kind.floor(),
            format!("rule:{}:{}", rule.kind.code(), rule.label),
            &mut reasons,
        );
    }
    if input.households >= GROUP_HOUSEHOLDS {
        raise(
            Grade::Major,
            format!("rule:group:households={}", input.households),
            &mut reasons,
        );
    }
    match input.channel {
        Channel::Media => raise(Grade::Important, "rule:media:channel=media".into(), &mut reasons),
        Channel::Government => raise(
            Grade::Important,
            "rule:government:channel=government".into(),
            &mut reasons,
        ),
        _ => {}
    }
    let mut suggested = floor;
    if let Some(number) = input.open_repeat_of {
        suggested = suggested.raised();
        reasons.push(format!("rule:repeat:{number}"));
    }
    match input.explicit {
        Some(g) => {
            reasons.insert(0, format!("agent:{}", g.code()));
            GradeDecision {
                grade: g,
                suggested,
                decided_by: Decider::Agent,
                reasons,
            }
        }
        None => GradeDecision {
            grade: suggested,
            suggested,
            decided_by: Decider::Rules,
            reasons,
        },
    }
}

fn rule(code: &str, kind: RuleKind, label: &str, phrases: &[&[&[&str]]]) -> TextRule {
    TextRule {
        code: code.into(),
        kind,
        label: label.into(),
        phrases: phrases.iter().map(|p| Phrase::of(p)).collect(),
    }
}

/// The default rules, from the emergency list of 001-5 2(6) and the involvement rules of 002 §3.
pub fn default_rules() -> Vec<TextRule> {
    use RuleKind::*;
    let broken: &[&str] = &[
        "故障",
        "坏了",
        "坏掉",
        "停机",
        "瘫痪",
        "不能用",
        "用不了",
        "停止运行",
        "失灵",
        "停摆",
        "不工作",
    ];
    vec![
        rule(
            "emergency.fire",
            Emergency,
            "火灾",
            &[&[&["火灾", "着火", "失火", "起火", "烧起来", "火情", "冒烟起火"]]],
        ),
        rule(
            "emergency.lift_entrapment",
            Emergency,
            "电梯困人",
            &[&[
                &["电梯", "升降梯", "轿厢", "梯"],
                &["困", "关在", "卡在", "出不来", "被关", "被锁"],
            ]],
        ),
        rule(
            "emergency.explosion",
            Emergency,
            "爆炸",
            &[&[&["爆炸", "炸了", "爆燃", "燃气泄漏", "煤气泄漏", "闻到煤气"]]],
        ),
        rule(
            "emergency.power_cut",
            Emergency,
            "突发性停电",
            &[&[&["停电", "断电", "没电", "全楼跳闸", "整栋跳闸", "黑灯瞎火"]]],
        ),
        rule(
            "emergency.flooding",
            Emergency,
            "水浸",
            &[
                &[&["水浸", "被淹", "淹水", "淹了", "水漫", "泡水", "积水没过", "倒灌"]],
                &[&["爆管", "水管爆", "水管爆裂", "管道爆裂"]],
            ],
        ),
        rule(
            "emergency.theft",
            Emergency,
            "盗窃等破坏性行为",
            &[&[&[
                "被盗",
                "盗窃",
                "失窃",
                "被偷",
                "偷走",
                "小偷",
                "入室",
                "撬锁",
                "撬门",
                "砸车",
                "蓄意破坏",
            ]]],
        ),
        rule(
            "emergency.crime",
            Emergency,
            "刑事案件",
            &[&[&[
                "刑事案件",
                "抢劫",
                "持刀",
                "杀人",
                "伤人",
                "斗殴",
                "绑架",
                "性侵",
                "命案",
            ]]],
        ),
        rule(
            "emergency.major_plant",
            Emergency,
            "主要设备设施故障",
            &[&[
                &[
                    "中央空调",
                    "空调主机",
                    "发电机",
                    "高压",
                    "低压",
                    "高低压",
                    "配电柜",
                    "电柜",
                    "变压器",
                    "配电房",
                    "通讯设备",
                    "通信设备",
                    "通讯",
                    "供水泵",
                    "消防泵",
                ],
                broken,
            ]],
        ),
        rule(
            "emergency.structure",
            Emergency,
            "主体结构遭受破坏",
            &[
                &[
                    &["主体结构", "承重墙", "承重柱", "结构", "大梁", "楼板"],
                    &["破坏", "坍塌", "倒塌", "断裂", "塌", "砸穿", "打穿", "拆除"],
                ],
                &[&["坍塌", "倒塌", "塌方", "塌陷"]],
            ],
        ),
        rule(
            "media.mention",
            Media,
            "媒体曝光",
            &[&[&[
                "媒体",
                "记者",
                "曝光",
                "电视台",
                "报社",
                "上新闻",
                "微博",
                "抖音",
                "自媒体",
                "头条",
                "小红书",
                "发到网上",
                "网上发帖",
            ]]],
        ),
        rule(
            "government.mention",
            Government,
            "政府部门介入",
            &[&[&[
                "12345",
                "市长热线",
                "住建局",
                "住建委",
                "房管局",
                "信访",
                "上访",
                "政府",
                "街道办",
                "消协",
                "消费者协会",
                "市场监管",
                "工商局",
                "质监站",
                "人大代表",
            ]]],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        text: &'static str,
        channel: Channel,
        households: i32,
        repeat: Option<&'static str>,
        explicit: Option<Grade>,
        grade: Grade,
        reasons: &'static [&'static str],
    }

    const fn case(text: &'static str, grade: Grade, reasons: &'static [&'static str]) -> Case {
        Case {
            text,
            channel: Channel::Hotline,
            households: 1,
            repeat: None,
            explicit: None,
            grade,
            reasons,
        }
    }

    #[test]
    fn each_rule_alone_and_in_combination() {
        let rules = default_rules();
        let cases = [
            case("卫生间天花板漏水", Grade::General, &[]),
            case("电梯困人，快来救援", Grade::Urgent, &["rule:emergency:电梯困人"]),
            case(
                "3栋的电梯停在半空，我女儿被困在里面半小时了",
                Grade::Urgent,
                &["rule:emergency:电梯困人"],
            ),
            case("楼下着火了", Grade::Urgent, &["rule:emergency:火灾"]),
            case("地下车库被淹了，车都泡水了", Grade::Urgent, &["rule:emergency:水浸"]),
            case(
                "小区突然停电，已经两个小时",
                Grade::Urgent,
                &["rule:emergency:突发性停电"],
            ),
            case(
                "中央空调主机坏了整栋楼没有冷气",
                Grade::Urgent,
                &["rule:emergency:主要设备设施故障"],
            ),
            case(
                "隔壁装修把承重墙打穿了",
                Grade::Urgent,
                &["rule:emergency:主体结构遭受破坏"],
            ),
            case(
                "家里被盗了，门锁被撬",
                Grade::Urgent,
                &["rule:emergency:盗窃等破坏性行为"],
            ),
            case("再不处理我就找记者曝光", Grade::Important, &["rule:media:媒体曝光"]),
            case("已经打了12345反映", Grade::Important, &["rule:government:政府部门介入"]),
            case("没有停电，只是灯闪", Grade::General, &[]),
            Case {
                households: 3,
                ..case("整栋楼外墙渗水", Grade::Major, &["rule:group:households=3"])
            },
            Case {
                households: 2,
                ..case("两户外墙渗水", Grade::General, &[])
            },
            Case {
                channel: Channel::Media,
                ..case("外墙渗水", Grade::Important, &["rule:media:channel=media"])
            },
            Case {
                channel: Channel::Government,
                ..case("外墙渗水", Grade::Important, &["rule:government:channel=government"])
            },
            Case {
                repeat: Some("KS-202611-00001"),
                ..case("还是漏水", Grade::Important, &["rule:repeat:KS-202611-00001"])
            },
            // Combinations: floors take the maximum, repeat raises the result by one.
            Case {
                households: 5,
                ..case(
                    "要找媒体曝光",
                    Grade::Major,
                    &["rule:media:媒体曝光", "rule:group:households=5"],
                )
            },
            Case {
                repeat: Some("KS-202611-00007"),
                ..case(
                    "我要找记者",
                    Grade::Major,
                    &["rule:media:媒体曝光", "rule:repeat:KS-202611-00007"],
                )
            },
            Case {
                households: 4,
                repeat: Some("KS-202611-00002"),
                ..case(
                    "外墙渗水",
                    Grade::Urgent,
                    &["rule:group:households=4", "rule:repeat:KS-202611-00002"],
                )
            },
            Case {
                channel: Channel::Media,
                ..case(
                    "电梯困人，记者已经来了",
                    Grade::Urgent,
                    &[
                        "rule:emergency:电梯困人",
                        "rule:media:媒体曝光",
                        "rule:media:channel=media",
                    ],
                )
            },
            // The agent's explicit grade wins and is recorded first.
            Case {
                explicit: Some(Grade::General),
                ..case(
                    "电梯困人",
                    Grade::General,
                    &["agent:general", "rule:emergency:电梯困人"],
                )
            },
        ];
        for c in cases {
            let text = Prepared::new(c.text);
            let input = GradingInput {
                text: &text,
                channel: c.channel,
                households: c.households,
                open_repeat_of: c.repeat,
                explicit: c.explicit,
            };
            let d = grade(&input, &rules);
            assert_eq!(d.grade, c.grade, "{}", c.text);
            assert_eq!(d.reasons, c.reasons, "{}", c.text);
            assert_eq!(
                d.decided_by,
                if c.explicit.is_some() {
                    Decider::Agent
                } else {
                    Decider::Rules
                }
            );
        }
    }

    #[test]
    fn explicit_grade_keeps_the_suggestion() {
        let text = Prepared::new("电梯困人");
        let input = GradingInput {
            text: &text,
            channel: Channel::Hotline,
            households: 1,
            open_repeat_of: None,
            explicit: Some(Grade::Major),
        };
        let d = grade(&input, &default_rules());
        assert_eq!((d.grade, d.suggested), (Grade::Major, Grade::Urgent));
    }

    #[test]
    fn default_rules_are_valid_and_unique() {
        let rules = default_rules();
        let mut codes: Vec<_> = rules.iter().map(|r| r.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), rules.len());
        assert!(rules.iter().all(|r| r.phrases.iter().all(Phrase::is_valid)));
    }
}
