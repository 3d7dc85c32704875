//! A4 PDF layout for the case file and the reports (R-WF-9, R-AN-4): wrapped Chinese text,
//! images, tables and bar charts, top to bottom over as many pages as needed, with a numbered
//! footer. The CJK font is embedded in the binary and subset into each PDF.

use crate::error::{AppError, AppResult};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use krilla::Document;

/// WenQuanYi Micro Hei (Apache-2.0, see assets/fonts): Latin and CJK glyphs in one TrueType
/// collection, so mixed text such as "编号 KS-202611-00042" renders in one font.
static FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
/// Body text size in points.
pub const BODY: f32 = 10.5;
/// The width text and charts may use.
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
/// Bar colour (the console's accent).
const BAR: (u8, u8, u8) = (37, 99, 235);

/// The footer line of every generated PDF: "客诉系统生成 · 2026-11-22 10:00" (Asia/Shanghai).
pub fn stamp(now: chrono::DateTime<chrono::Utc>) -> String {
    format!("客诉系统生成 · {}", domain::time::minute_cn(now))
}

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
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: (u8, u8, u8),
    },
}

/// Lays out lines, tables, charts and images on A4 pages, top to bottom.
pub struct Layout {
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

/// `text` cut to fit `width` points at `size`, with an ellipsis when cut.
fn fit(text: &str, size: f32, width: f32) -> String {
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars().filter(|c| !c.is_control()) {
        used += advance(c) * size;
        if used > width - size {
            out.push('…');
            return out;
        }
        out.push(c);
    }
    out
}

impl Default for Layout {
    fn default() -> Self {
        Self::new()
    }
}

impl Layout {
    /// An empty first page.
    pub fn new() -> Layout {
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
    pub fn text(&mut self, text: &str, size: f32, indent: f32) {
        let width = WIDTH - indent;
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

    /// A section heading.
    pub fn heading(&mut self, text: &str) {
        self.y += 6.0;
        self.text(text, 13.0, 0.0);
    }

    /// `label：value`, left out when the value is empty.
    pub fn field(&mut self, label: &str, value: &str) {
        if !value.is_empty() {
            self.text(&format!("{label}：{value}"), BODY, 0.0);
        }
    }

    /// A table: a header row and rows, the first column wider than the rest; cells that do not
    /// fit are cut with an ellipsis. The header repeats on every page the table reaches.
    pub fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let size = 9.0;
        let h = size * 1.8;
        let n = header.len().max(1) as f32;
        let first = (WIDTH * 0.32).max(WIDTH / n);
        let other = if n > 1.0 { (WIDTH - first) / (n - 1.0) } else { 0.0 };
        let draw = |l: &mut Layout, cells: &[String], shade: bool| {
            l.room(h);
            if shade {
                l.push(Item::Rect {
                    x: MARGIN,
                    y: l.y + 1.0,
                    w: WIDTH,
                    h: h - 2.0,
                    colour: (232, 238, 250),
                });
            }
            l.y += h;
            let mut x = MARGIN + 3.0;
            for (i, cell) in cells.iter().enumerate() {
                let w = if i == 0 { first } else { other };
                l.push(Item::Text {
                    x,
                    y: l.y - size * 0.55,
                    size,
                    text: fit(cell, size, w),
                });
                x += w;
            }
        };
        self.y += 4.0;
        draw(self, header, true);
        for row in rows {
            if self.y + h > PAGE_H - MARGIN - 20.0 {
                self.room(PAGE_H);
                draw(self, header, true);
            }
            draw(self, row, false);
        }
    }

    /// A horizontal bar chart: one labelled bar per row, scaled to the largest value, the
    /// value written after the bar.
    pub fn bars(&mut self, rows: &[(String, i64)]) {
        let size = 8.5;
        let h = 14.0;
        let label_w = WIDTH * 0.3;
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f32;
        self.y += 4.0;
        for (label, n) in rows {
            self.room(h);
            self.push(Item::Text {
                x: MARGIN,
                y: self.y + h - 4.0,
                size,
                text: fit(label, size, label_w),
            });
            let w = ((WIDTH - label_w - 50.0) * (*n as f32) / max).max(0.5);
            self.push(Item::Rect {
                x: MARGIN + label_w,
                y: self.y + 2.0,
                w,
                h: h - 4.0,
                colour: BAR,
            });
            self.push(Item::Text {
                x: MARGIN + label_w + w + 4.0,
                y: self.y + h - 4.0,
                size,
                text: n.to_string(),
            });
            self.y += h;
        }
    }

    /// A column chart over time: one column per period, labelled below every `every` columns,
    /// with the largest value written at the top.
    pub fn columns(&mut self, rows: &[(String, i64)], every: usize) {
        if rows.is_empty() {
            return;
        }
        let height = 110.0;
        let size = 7.5;
        self.room(height + 30.0);
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        let top = self.y + 12.0;
        self.push(Item::Text {
            x: MARGIN,
            y: top - 3.0,
            size,
            text: format!("最高 / max {max}"),
        });
        let slot = WIDTH / rows.len() as f32;
        let base = top + height;
        self.push(Item::Rect {
            x: MARGIN,
            y: base,
            w: WIDTH,
            h: 0.6,
            colour: (120, 120, 120),
        });
        for (i, (label, n)) in rows.iter().enumerate() {
            let h = height * (*n as f32) / max as f32;
            let x = MARGIN + slot * i as f32;
            if *n > 0 {
                self.push(Item::Rect {
                    x: x + slot * 0.15,
                    y: base - h,
                    w: slot * 0.7,
                    h,
                    colour: BAR,
                });
            }
            if i % every.max(1) == 0 {
                self.push(Item::Text {
                    x,
                    y: base + 10.0,
                    size,
                    text: label.clone(),
                });
            }
        }
        self.y = base + 18.0;
    }

    /// An image, scaled to fit.
    pub fn image(&mut self, image: Image) {
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

    /// Writes the PDF, each page with "第 i 页 / 共 n 页" and `footer`.
    pub fn finish(self, footer: &str) -> AppResult<Vec<u8>> {
        let font =
            Font::new(FONT.into(), 0).ok_or_else(|| AppError::Internal("the embedded font does not load".into()))?;
        let total = self.pages.len();
        let mut doc = Document::new();
        for (i, items) in self.pages.into_iter().enumerate() {
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
                    Item::Rect { x, y, w, h, colour } => {
                        let Some(rect) = Rect::from_xywh(x, y, w, h) else {
                            continue;
                        };
                        let mut pb = PathBuilder::new();
                        pb.push_rect(rect);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(Some(Fill {
                                paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
                                ..Default::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_fill(Some(Fill::default()));
                        }
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
            .map_err(|e| AppError::Internal(format!("writing the PDF: {e:?}")))
    }
}
