//! The case file (案宗, R-WF-9): a PDF of the complaint with its assessment, plan, timeline and
//! evidence (photos embedded), in Chinese. The CJK font is embedded in the binary and subset
//! into each PDF, so export works on any machine.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::get;
use crate::state::AppState;
use domain::state::Action;
use domain::{Channel, Code, Grade, Reasonableness, Role, Satisfaction, State};
use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use serde_json::Value;

/// WenQuanYi Micro Hei (Apache-2.0, see assets/fonts): Latin and CJK glyphs in one TrueType
/// collection, so mixed text such as "编号 KS-202611-00042" renders in one font.
static FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;

enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: Image,
    },
}

/// Lays out lines and images on A4 pages, top to bottom.
struct Layout {
    pages: Vec<Vec<Item>>,
    y: f32,
}

/// Estimated advance of a character in em: full-width for CJK and other wide characters.
fn advance(c: char) -> f32 {
    if (c as u32) >= 0x2E80 {
        1.0
    } else {
        0.58
    }
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![vec![]],
            y: MARGIN,
        }
    }

    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN - 20.0 {
            self.pages.push(vec![]);
            self.y = MARGIN;
        }
    }

    fn push(&mut self, item: Item) {
        self.pages.last_mut().expect("a page").push(item);
    }

    /// Adds text, wrapped to the width, at `size` points, indented by `indent`.
    fn text(&mut self, text: &str, size: f32, indent: f32) {
        let width = PAGE_W - 2.0 * MARGIN - indent;
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut used = 0.0;
            let mut lines = Vec::new();
            for c in paragraph.chars().filter(|c| !c.is_control()) {
                let w = advance(c) * size;
                if used + w > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                line.push(c);
                used += w;
            }
            lines.push(line);
            for l in lines {
                let h = size * 1.55;
                self.room(h);
                self.y += h;
                if !l.trim().is_empty() {
                    self.push(Item::Text {
                        x: MARGIN + indent,
                        y: self.y - size * 0.35,
                        size,
                        text: l,
                    });
                }
            }
        }
    }

    fn heading(&mut self, text: &str) {
        self.y += 6.0;
        self.text(text, 13.0, 0.0);
    }

    fn field(&mut self, label: &str, value: &str) {
        if !value.is_empty() {
            self.text(&format!("{label}：{value}"), BODY, 0.0);
        }
    }

    fn image(&mut self, image: Image) {
        let (w, h) = image.size();
        if w == 0 || h == 0 {
            return;
        }
        let scale = (360.0 / w as f32).min(260.0 / h as f32).min(1.0);
        let (w, h) = (w as f32 * scale, h as f32 * scale);
        self.room(h + 8.0);
        self.push(Item::Image {
            x: MARGIN + 12.0,
            y: self.y + 4.0,
            w,
            h,
            image,
        });
        self.y += h + 8.0;
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn label<T: Code>(code: &Value) -> String {
    code.as_str()
        .and_then(T::from_code)
        .map(|v| v.label().zh.to_string())
        .unwrap_or_else(|| s(code))
}

fn state_label(code: &Value) -> String {
    label::<State>(code)
}

/// `2026-11-22T10:00:00+08:00` → `2026-11-22 10:00` (times are already in Asia/Shanghai).
fn when(v: &Value) -> String {
    let t = s(v);
    match t.get(..16) {
        Some(head) if t.len() >= 16 => head.replace('T', " "),
        _ => t,
    }
}

fn event_label(kind: &str) -> String {
    match kind {
        "registered" => "受理登记".into(),
        "attachment_added" => "上传证据".into(),
        "linked" => "关联投诉".into(),
        "merged_in" => "合并并入".into(),
        other => Action::from_code(other)
            .map(|a| a.label().zh.to_string())
            .unwrap_or_else(|| other.to_string()),
    }
}

/// The words that say what an event did, from its detail.
fn event_text(e: &Value) -> String {
    let d = &e["detail"];
    let inner = &d["detail"];
    let mut parts = Vec::new();
    if let (Some(from), Some(to)) = (d["before"].get("state"), d["after"].get("state")) {
        if from != to {
            parts.push(format!("{} → {}", state_label(from), state_label(to)));
        }
    }
    for key in [
        "lead_department",
        "handler_name",
        "content",
        "facts",
        "measures",
        "comment",
        "reason",
        "summary",
        "text",
        "satisfaction",
        "filename",
        "with",
        "into",
    ] {
        let v = inner.get(key).or_else(|| d.get(key)).map(s).unwrap_or_default();
        if !v.is_empty() {
            parts.push(v);
        }
    }
    parts.join("；")
}

/// Renders the case file of a complaint the caller may see.
pub async fn render(state: &AppState, who: &Principal, number: &str) -> AppResult<Vec<u8>> {
    let c = get(state, who, number).await?;
    let timeline = crate::services::workflow::timeline(state, who, number).await?;
    let font = Font::new(FONT.into(), 0).ok_or_else(|| AppError::Internal("the embedded font does not load".into()))?;

    let mut l = Layout::new();
    l.text("客户投诉案宗", 20.0, 0.0);
    l.text(
        &format!("编号 {}    {}", s(&c["number"]), s(&c["project"]["name"])),
        12.0,
        0.0,
    );
    l.heading("基本信息");
    l.field("状态", &state_label(&c["state"]));
    l.field("等级", &label::<Grade>(&c["grade"]));
    l.field(
        "分类",
        &format!("{}（{}）", s(&c["category"]["name"]), s(&c["category"]["code"])),
    );
    l.field("渠道", &label::<Channel>(&c["channel"]));
    l.field(
        "投诉人",
        &format!("{}  {}", s(&c["complainant"]["name"]), s(&c["complainant"]["phone"])),
    );
    l.field(
        "位置",
        &[&c["project"]["name"], &c["building"], &c["unit"], &c["location"]]
            .iter()
            .map(|v| s(v))
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    );
    l.field("受理时间", &when(&c["received_at"]));
    l.field("第一责任部门", &s(&c["lead_department"]["name"]));
    l.field("处理人", &s(&c["handler"]["name"]));
    l.field("责任人", &s(&c["accountable"]["name"]));
    l.field("满意度", &label::<Satisfaction>(&c["satisfaction"]));
    l.field("结案时间", &when(&c["closed_at"]));
    l.field("归档时间", &when(&c["archived_at"]));
    l.heading("投诉内容");
    l.field("主题", &s(&c["subject"]));
    l.field("描述", &s(&c["description"]));
    l.field("诉求", &s(&c["demands"]));
    if c["assessment"].is_object() {
        l.heading("核实评估");
        l.field("事实", &s(&c["assessment"]["facts"]));
        l.field("责任", &s(&c["assessment"]["responsibility"]));
        l.field("合理性", &label::<Reasonableness>(&c["assessment"]["reasonableness"]));
        l.field("解决方向", &s(&c["assessment"]["direction"]));
    }
    if c["plan"].is_object() {
        l.heading("处理方案");
        l.field("措施", &s(&c["plan"]["measures"]));
        let fen = c["plan"]["compensation_fen"].as_i64().unwrap_or(0);
        if fen > 0 {
            l.field(
                "补偿",
                &format!(
                    "{}.{:02} 元 {}",
                    fen / 100,
                    fen % 100,
                    s(&c["plan"]["compensation_form"])
                ),
            );
        }
        for a in c["plan"]["approvals"].as_array().into_iter().flatten() {
            l.field(
                "审批",
                &format!(
                    "{} {} {} {}",
                    when(&a["at"]),
                    s(&a["name"]),
                    label::<Role>(&a["role"]),
                    s(&a["comment"])
                ),
            );
        }
    }
    l.heading("处理过程");
    for e in timeline["items"].as_array().into_iter().flatten() {
        l.text(
            &format!(
                "{}  {}  {}",
                when(&e["at"]),
                s(&e["actor"]),
                event_label(e["kind"].as_str().unwrap_or(""))
            ),
            BODY,
            0.0,
        );
        let what = event_text(e);
        if !what.is_empty() {
            l.text(&what, 9.5, 18.0);
        }
    }
    // `get` above has checked the caller may see the complaint: read its evidence rows once.
    let complaint_id: uuid::Uuid = s(&c["id"])
        .parse()
        .map_err(|_| AppError::Internal("complaint id".into()))?;
    let attachments = {
        let mut r = state.store.reader().await?;
        store::attachments::of(&mut r.conn(), &[complaint_id]).await?
    };
    if !attachments.is_empty() {
        l.heading("证据附件");
        for a in &attachments {
            l.text(
                &format!(
                    "{}  {}  {} 字节  SHA-256 {}",
                    a.filename, a.content_type, a.size, a.sha256
                ),
                9.5,
                0.0,
            );
            let bytes = crate::services::attachments::bytes(state, a)?;
            let image = match a.content_type.as_str() {
                "image/png" => Image::from_png(bytes.into(), true).ok(),
                "image/jpeg" => Image::from_jpeg(bytes.into(), true).ok(),
                "image/gif" => Image::from_gif(bytes.into(), true).ok(),
                "image/webp" => Image::from_webp(bytes.into(), true).ok(),
                _ => None,
            };
            if let Some(image) = image {
                l.image(image);
            }
        }
    }

    let total = l.pages.len();
    let footer = format!(
        "客诉系统生成 · {}",
        when(&Value::String(domain::time::rfc3339_cn(state.clock.now())))
    );
    let mut doc = Document::new();
    for (i, items) in l.pages.into_iter().enumerate() {
        let settings = PageSettings::new(Size::from_wh(PAGE_W, PAGE_H).expect("A4"));
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for item in items {
            match item {
                Item::Text { x, y, size, text } => surface.draw_text(
                    Point::from_xy(x, y),
                    font.clone(),
                    size,
                    &text,
                    false,
                    TextDirection::Auto,
                ),
                Item::Image { x, y, w, h, image } => {
                    surface.push_transform(&Transform::from_translate(x, y));
                    surface.draw_image(image, Size::from_wh(w, h).expect("positive"));
                    surface.pop();
                }
            }
        }
        let foot = format!("第 {} 页 / 共 {total} 页    {footer}", i + 1);
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_H - MARGIN + 14.0),
            font.clone(),
            8.0,
            &foot,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| AppError::Internal(format!("writing the case file: {e:?}")))
}
