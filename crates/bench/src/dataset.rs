//! A realistic complaint data set, deterministic from a seed (issue 9): an organisation of
//! regions, cities and projects with buildings and units (as import files), and complaints
//! spread over a year's months with delivery-season peaks, across the category themes the
//! taxonomy's rules recognise, every channel in realistic shares, Chinese text of realistic and
//! varied lengths, group complaints, and owners who complain again about the same thing.

use serde_json::{json, Value};

/// SplitMix64: small, fast, and the same sequence for the same seed on every machine.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One of the items by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut at = self.below(total);
        for (item, w) in items {
            if at < u64::from(*w) {
                return item;
            }
            at -= u64::from(*w);
        }
        &items[0].0
    }
}

const CITIES: [(&str, &str, &str); 12] = [
    ("R-SOUTH", "GZ", "广州"),
    ("R-SOUTH", "SZ", "深圳"),
    ("R-SOUTH", "FS", "佛山"),
    ("R-SOUTH", "DG", "东莞"),
    ("R-EAST", "SH", "上海"),
    ("R-EAST", "HZ", "杭州"),
    ("R-EAST", "NJ", "南京"),
    ("R-EAST", "SU", "苏州"),
    ("R-WEST", "CD", "成都"),
    ("R-WEST", "CQ", "重庆"),
    ("R-NORTH", "BJ", "北京"),
    ("R-NORTH", "TJ", "天津"),
];
const ESTATES: [&str; 16] = [
    "云璟花园",
    "滨江湾",
    "海岸城",
    "悦府",
    "江畔华庭",
    "春申里",
    "翡翠公馆",
    "御景台",
    "锦城湖岸",
    "天悦府",
    "星河湾",
    "玖珑山",
    "紫宸苑",
    "时代广场",
    "书香名邸",
    "澜悦府",
];
const DISTRICTS: [&str; 8] = ["天河", "南山", "浦东", "滨江", "高新", "江北", "朝阳", "和平"];

/// Projects per city: 12 cities × 10 = 120 projects, 10 buildings of 120 units each.
pub const PROJECTS_PER_CITY: usize = 10;
const BUILDINGS: usize = 10;
const FLOORS: usize = 30;
const UNITS_PER_FLOOR: usize = 4;

/// The project codes, in order.
pub fn project_codes() -> Vec<String> {
    CITIES
        .iter()
        .flat_map(|(_, city, _)| (1..=PROJECTS_PER_CITY).map(move |n| format!("{city}-{:03}", n + 100)))
        .collect()
}

/// The organisation as an import file (`kesu import org`): new regions, cities and projects.
pub fn org_csv() -> String {
    let mut out = String::from("code,name,name_en,parent_code,kind\n");
    for (code, name) in [("R-WEST", "西南区域公司"), ("R-NORTH", "华北区域公司")] {
        out.push_str(&format!("{code},{name},,GROUP,region\n"));
    }
    let mut rng = Rng::new(7);
    for (region, city, name) in CITIES {
        out.push_str(&format!("C-{city}-B,{name}城市公司二部,,{region},city\n"));
        for n in 1..=PROJECTS_PER_CITY {
            let estate = rng.pick(&ESTATES);
            let district = rng.pick(&DISTRICTS);
            out.push_str(&format!(
                "{city}-{:03},{district}·{estate}{n}期,,C-{city}-B,project\n",
                n + 100
            ));
        }
    }
    out
}

/// The buildings and units of every project as import files (`kesu import units`), one per
/// ten projects (an import file holds at most 100,000 rows).
pub fn units_csvs() -> Vec<String> {
    project_codes().chunks(PROJECTS_PER_CITY).map(units_csv).collect()
}

/// The buildings and units of some projects as one import file.
fn units_csv(projects: &[String]) -> String {
    let mut out = String::from("project_code,building,unit\n");
    for p in projects {
        for b in 1..=BUILDINGS {
            for f in 1..=FLOORS {
                for u in 1..=UNITS_PER_FLOOR {
                    out.push_str(&format!("{p},{b}栋,{f}{u:02}\n"));
                }
            }
        }
    }
    out
}

/// A theme: subjects, openings, details and demands that the taxonomy's rules classify.
struct Theme {
    subjects: &'static [&'static str],
    details: &'static [&'static str],
    demands: &'static [&'static str],
    weight: u32,
}

const THEMES: [Theme; 10] = [
    Theme {
        subjects: &["卫生间天花板漏水", "厨房渗水", "阳台漏水", "外墙渗水", "地下室漏水"],
        details: &[
            "楼上卫生间渗水到我家天花板",
            "下雨后墙角一直渗水，墙皮起鼓脱落",
            "天花板有水渍，已经滴到地板上",
            "防水层明显有问题，维修过两次还在漏",
        ],
        demands: &["尽快维修并赔偿损失", "要求重做防水", "赔偿装修损失"],
        weight: 22,
    },
    Theme {
        subjects: &["客厅墙面开裂", "地面空鼓", "门窗密封不严", "瓷砖脱落"],
        details: &[
            "墙上裂缝越来越大，担心结构安全",
            "多处地砖空鼓，踩上去有响声",
            "窗户关不严，刮风时漏风噪音很大",
            "交房不到一年瓷砖大面积脱落",
        ],
        demands: &["要求检测并维修", "更换合格的门窗", "给出书面整改方案"],
        weight: 16,
    },
    Theme {
        subjects: &["电梯经常故障", "电梯困人", "电梯异响"],
        details: &[
            "电梯一周坏了三次，老人上下楼很不方便",
            "今天早上电梯突然停在两层之间，困了二十分钟",
            "电梯运行时有很大的异响和抖动",
        ],
        demands: &["彻底检修电梯", "更换电梯维保单位", "公布维保记录"],
        weight: 8,
    },
    Theme {
        subjects: &["物业费乱收费", "物业服务差", "保安态度恶劣", "垃圾清运不及时"],
        details: &[
            "物业费收费标准不透明，多收了公摊费用",
            "报修多次没人来处理，客服电话打不通",
            "保安说话很冲，不让访客进小区",
            "垃圾桶满了两天都没人清理，气味很大",
        ],
        demands: &["公示收费标准并退还多收费用", "更换物业服务人员", "要求物业书面道歉"],
        weight: 14,
    },
    Theme {
        subjects: &["楼下商铺噪音扰民", "夜间施工噪音", "空调外机噪音"],
        details: &[
            "楼下餐饮店每天营业到凌晨，噪音很大",
            "晚上十一点以后还在施工，影响休息",
            "隔壁空调外机正对我家卧室窗户",
        ],
        demands: &["要求限制营业时间", "禁止夜间施工", "协调移位"],
        weight: 6,
    },
    Theme {
        subjects: &["车位销售不公", "车库积水", "小区停车乱收费"],
        details: &[
            "开发商把车位优先卖给外部人员",
            "地下车库积水严重，车辆被泡",
            "临时停车费比周边高出一倍",
        ],
        demands: &["重新公开销售车位", "赔偿车辆损失", "降低停车收费"],
        weight: 7,
    },
    Theme {
        subjects: &["交房延期", "房产证迟迟办不下来", "交付标准与合同不符"],
        details: &[
            "合同约定的交房日期已过去三个月",
            "交房两年了还没有办证，影响孩子上学",
            "样板间承诺的精装修标准和交付的不一样",
        ],
        demands: &["按合同支付逾期违约金", "尽快办理房产证", "按合同标准整改"],
        weight: 12,
    },
    Theme {
        subjects: &["销售承诺未兑现", "学区承诺落空", "合同条款纠纷"],
        details: &[
            "销售人员承诺的学位没有落实",
            "售楼时说小区旁边建公园，现在变成了商业楼",
            "合同中的补充条款对业主明显不公平",
        ],
        demands: &["兑现销售承诺", "要求退房", "解释并修改条款"],
        weight: 6,
    },
    Theme {
        subjects: &["绿化维护差", "小区道路破损", "公共区域照明损坏"],
        details: &[
            "草坪大面积枯死，树木没人修剪",
            "小区主干道坑洼不平，下雨积水",
            "楼道和地库的灯坏了一个月没人修",
        ],
        demands: &["恢复绿化", "修补道路", "尽快修复照明"],
        weight: 5,
    },
    Theme {
        subjects: &["燃气管道漏气", "配电箱冒烟", "消防通道被占"],
        details: &[
            "厨房闻到很浓的燃气味",
            "楼道配电箱冒烟，有烧焦味",
            "消防通道长期被车辆占用",
        ],
        demands: &["立即派人检查", "彻底排查安全隐患", "清理消防通道"],
        weight: 4,
    },
];

const CHANNELS: [(&str, u32); 12] = [
    ("hotline", 38),
    ("wechat", 18),
    ("app", 10),
    ("walk_in", 9),
    ("recorded_line", 6),
    ("website", 5),
    ("email", 4),
    ("letter", 2),
    ("social_media", 3),
    ("government", 3),
    ("media", 1),
    ("internal", 1),
];
const KINDS: [(&str, u32); 7] = [
    ("owner", 74),
    ("resident", 6),
    ("prospect", 6),
    ("tenant", 8),
    ("employee", 1),
    ("partner", 1),
    ("other", 4),
];
const STAGES: [&str; 5] = ["pre_sale", "signing", "delivery", "occupancy", "property_service"];
const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "郑", "梁", "谢", "欧阳",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "志强",
];
const FILLERS: [&str; 8] = [
    "之前已经反映过好几次，一直没有解决。",
    "家里有老人和小孩，影响很大。",
    "物业说要等开发商处理，开发商又推给物业。",
    "我已经拍了照片和视频作为证据。",
    "希望公司重视，给一个明确的答复和处理时间。",
    "如果再不处理，我们将向住建部门投诉。",
    "邻居们也有同样的问题，很多户都受影响。",
    "上周维修人员来看过，说材料不够就走了。",
];
/// Complaint volume by month, January first: delivery peaks in June and December.
const MONTH_WEIGHT: [u32; 12] = [6, 5, 7, 8, 9, 12, 9, 8, 8, 9, 8, 11];

/// One complaint of the data set, as the registration API takes it.
pub fn complaint(seed: u64, i: u64, year: i32) -> Value {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let projects = project_codes();
    // One in twelve complains again: same owner, unit and theme as an earlier complaint.
    let (person, theme_at) = if i > 100 && rng.below(12) == 0 {
        let earlier = rng.below(i);
        (earlier, earlier)
    } else {
        (i, i)
    };
    let mut who = Rng::new(seed ^ person.wrapping_mul(0x9e37_79b9));
    let project = &projects[who.below(projects.len() as u64) as usize];
    let building = format!("{}栋", who.below(BUILDINGS as u64) + 1);
    let unit = format!(
        "{}{:02}",
        who.below(FLOORS as u64) + 1,
        who.below(UNITS_PER_FLOOR as u64) + 1
    );
    let name = format!("{}{}", who.pick(&SURNAMES), who.pick(&GIVEN));
    let phone = format!(
        "1{}{:09}",
        [3, 5, 7, 8, 9][who.below(5) as usize],
        person % 1_000_000_000
    );
    let weights: Vec<(usize, u32)> = THEMES.iter().enumerate().map(|(k, t)| (k, t.weight)).collect();
    let theme = &THEMES[*Rng::new(seed ^ theme_at.wrapping_mul(31)).weighted(&weights)];
    let subject = rng.pick(theme.subjects);
    let mut description = rng.pick(theme.details).to_string();
    description.push('。');
    // Lengths vary: most a sentence or three, some a long letter.
    let extra = match rng.below(20) {
        0 => 12 + rng.below(20),
        1..=4 => 3 + rng.below(4),
        _ => rng.below(3),
    };
    for _ in 0..extra {
        description.push_str(*rng.pick(&FILLERS));
    }
    let months: Vec<(u32, u32)> = MONTH_WEIGHT
        .iter()
        .enumerate()
        .map(|(m, w)| (m as u32 + 1, *w))
        .collect();
    let month = *rng.weighted(&months);
    let day = 1 + rng.below(28);
    let hour = [8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17, 19, 21][rng.below(14) as usize];
    let households = if rng.below(50) == 0 { 3 + rng.below(40) } else { 1 };
    json!({
        "channel": rng.weighted(&CHANNELS),
        "complainant": {"name": name, "phone": phone, "kind": rng.weighted(&KINDS)},
        "project_code": project,
        "building": building,
        "unit": unit,
        "stage": rng.pick(&STAGES),
        "subject": subject,
        "description": description,
        "demands": rng.pick(theme.demands),
        "households": households,
        "received_at": format!("{year}-{month:02}-{day:02}T{hour:02}:{:02}:{:02}+08:00", rng.below(60), rng.below(60)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data_set() {
        assert_eq!(complaint(42, 1000, 2026), complaint(42, 1000, 2026));
        assert_ne!(complaint(42, 1000, 2026), complaint(43, 1000, 2026));
        assert_eq!(project_codes().len(), 120);
        let units: usize = units_csvs().iter().map(|f| f.lines().count() - 1).sum();
        assert_eq!(units, 120 * 10 * 30 * 4);
    }

    #[test]
    fn shares_and_lengths_look_like_a_service_centre() {
        let n = 20_000;
        let rows: Vec<Value> = (0..n).map(|i| complaint(1, i, 2026)).collect();
        let share = |f: &dyn Fn(&Value) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n as f64;
        assert!((0.33..0.43).contains(&share(&|r| r["channel"] == "hotline")));
        let lens: Vec<usize> = rows
            .iter()
            .map(|r| r["description"].as_str().unwrap().chars().count())
            .collect();
        assert!(
            lens.iter().any(|l| *l > 300) && lens.iter().any(|l| *l < 40),
            "varied lengths"
        );
        let phones: std::collections::HashSet<&str> = rows
            .iter()
            .map(|r| r["complainant"]["phone"].as_str().unwrap())
            .collect();
        let again = 1.0 - phones.len() as f64 / n as f64;
        assert!((0.05..0.12).contains(&again), "owners who complain again: {again}");
        let june = share(&|r| r["received_at"].as_str().unwrap()[5..7] == *"06");
        let february = share(&|r| r["received_at"].as_str().unwrap()[5..7] == *"02");
        assert!(june > february * 1.8, "delivery peaks: {june} vs {february}");
    }
}
