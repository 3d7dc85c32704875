//! Matching of rule phrases against what owners actually write (R-GR-2, R-GR-3).
//!
//! A [`Phrase`] is a list of concept groups; each group lists synonyms. The phrase matches when
//! every group has a synonym inside one sentence, in any order and with any words between them
//! (so "电梯停在12楼，我妈被困在里面" matches 电梯 + 困). A synonym directly preceded by a negation
//! ("没有停电", "未漏水") does not count.

use serde::{Deserialize, Serialize};

/// Synonym groups that must all occur in one sentence. Synonyms are kept normalised (see
/// [`normalise`]) from construction on, so matching does no per-call work on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Vec<String>>", into = "Vec<Vec<String>>")]
pub struct Phrase(Vec<Vec<String>>);

impl From<Vec<Vec<String>>> for Phrase {
    fn from(groups: Vec<Vec<String>>) -> Phrase {
        Phrase::new(groups)
    }
}

impl From<Phrase> for Vec<Vec<String>> {
    fn from(p: Phrase) -> Self {
        p.0
    }
}

impl Phrase {
    /// Builds a phrase from synonym groups, normalising every synonym.
    pub fn new(groups: Vec<Vec<String>>) -> Phrase {
        Phrase(
            groups
                .into_iter()
                .map(|g| g.iter().map(|w| normalise(w)).collect())
                .collect(),
        )
    }

    /// Builds a phrase from string slices: `Phrase::of(&[&["电梯", "升降梯"], &["困", "关在"]])`.
    pub fn of(groups: &[&[&str]]) -> Phrase {
        Phrase::new(
            groups
                .iter()
                .map(|g| g.iter().map(|s| s.to_string()).collect())
                .collect(),
        )
    }

    /// The synonym groups.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.0
    }

    /// Whether every group has a non-negated synonym in one sentence of `text` (used for grading).
    pub fn matches(&self, text: &Prepared) -> bool {
        self.find(text, Polarity::Affirmed).is_some()
    }

    /// The synonyms found in the first sentence that has one of every group, negated or not
    /// (used for classification: "还没有办证" is still about certificates).
    pub fn mentions(&self, text: &Prepared) -> Option<Vec<String>> {
        self.find(text, Polarity::Any)
    }

    /// The synonyms that matched in the first matching sentence, one per group.
    pub fn find(&self, text: &Prepared, polarity: Polarity) -> Option<Vec<String>> {
        // A group none of whose synonyms can occur in the text rules the phrase out before any
        // sentence is searched (most phrases, for most texts).
        if self.0.is_empty() || !self.0.iter().all(|g| g.iter().any(|w| text.may_contain(w))) {
            return None;
        }
        text.sentences.iter().find_map(|s| {
            self.0
                .iter()
                .map(|group| group.iter().find(|w| contains(s, w, polarity)).cloned())
                .collect::<Option<Vec<_>>>()
        })
    }

    /// Checks that the phrase is usable: at least one group, no empty synonym.
    pub fn is_valid(&self) -> bool {
        !self.0.is_empty()
            && self
                .0
                .iter()
                .all(|g| !g.is_empty() && g.iter().all(|w| !w.trim().is_empty()))
    }
}

/// Whether a negated occurrence counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// Only occurrences not directly preceded by a negation.
    Affirmed,
    /// Every occurrence.
    Any,
}

/// Text split into normalised sentences, ready for matching many phrases.
#[derive(Debug, Clone)]
pub struct Prepared {
    sentences: Vec<String>,
    /// Every character of the text, sorted, once: a word with a character outside it cannot
    /// occur, which is the answer for most words of most rules.
    chars: Vec<char>,
}

impl Prepared {
    /// Normalises (full-width to half-width, lower case, no spaces) and splits into sentences.
    pub fn new(text: &str) -> Prepared {
        let norm = normalise(text);
        let sentences = norm
            .split(['。', '！', '？', '；', '!', '?', ';', '\n', '…'])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut chars: Vec<char> = norm.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        Prepared { sentences, chars }
    }

    /// Whether every character of `word` occurs somewhere in the text (necessary for a match).
    fn may_contain(&self, word: &str) -> bool {
        !word.is_empty() && word.chars().all(|c| self.chars.binary_search(&c).is_ok())
    }
}

const NEGATIONS: [&str; 8] = ["没有", "并未", "不是", "没", "未", "无", "不", "非"];

fn contains(sentence: &str, word: &str, polarity: Polarity) -> bool {
    if word.is_empty() {
        return false;
    }
    sentence.match_indices(word).any(|(at, _)| {
        let before = &sentence[..at];
        polarity == Polarity::Any || !NEGATIONS.iter().any(|n| before.ends_with(n))
    })
}

/// Full-width ASCII to half-width, lower case, whitespace removed.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lift() -> Phrase {
        Phrase::of(&[&["电梯", "升降梯", "梯"], &["困", "关在", "卡在", "出不来"]])
    }

    #[test]
    fn matches_synonyms_order_and_split_phrases() {
        let cases = [
            ("电梯困人", true),
            ("有人被困在电梯里", true),
            ("电梯停在12楼，我妈被困在里面出不来", true),
            ("电梯坏了。我被困在家里", false),
            ("电梯没有困人，只是有异响", false),
            ("楼道灯坏了", false),
            ("升降梯 卡在 三楼", true),
        ];
        for (text, want) in cases {
            assert_eq!(lift().matches(&Prepared::new(text)), want, "{text}");
        }
    }

    #[test]
    fn normalises_full_width_and_case() {
        assert_eq!(
            Phrase::of(&[&["ＣＣＴＶ 曝光"]]).groups(),
            [vec!["cctv曝光".to_string()]]
        );
        let stored: Phrase = serde_json::from_str(r#"[["１２３４５"]]"#).unwrap();
        assert_eq!(
            stored.groups(),
            [vec!["12345".to_string()]],
            "normalised when loaded too"
        );
        let p = Phrase::of(&[&["12345"]]);
        assert!(p.matches(&Prepared::new("已经打了１２３４５")));
        let q = Phrase::of(&[&["cctv"]]);
        assert!(q.matches(&Prepared::new("我要找ＣＣＴＶ曝光")));
    }

    #[test]
    fn the_character_filter_changes_no_answer() {
        // Words whose characters all occur in the text, but not together, still do not match;
        // words sharing only some characters are ruled out by the filter alone.
        let p = Phrase::of(&[&["漏水", "渗水"], &["天花"]]);
        assert!(!p.matches(&Prepared::new("水管漏了，天花板发霉")), "漏 and 水 apart");
        assert!(p.matches(&Prepared::new("天花板渗水")));
        assert!(!p.matches(&Prepared::new("天台漏雨")), "花 missing");
        let text = Prepared::new("楼上渗水到我家天花");
        assert!(text.may_contain("渗水") && text.may_contain("水渗"));
        assert!(!text.may_contain("漏水") && !text.may_contain(""));
    }

    #[test]
    fn evidence_names_the_words() {
        let e = lift()
            .find(&Prepared::new("我被关在电梯里"), Polarity::Affirmed)
            .unwrap();
        assert_eq!(e, vec!["电梯".to_string(), "关在".to_string()]);
    }

    #[test]
    fn negation_only_blocks_the_negated_occurrence() {
        let p = Phrase::of(&[&["停电"]]);
        assert!(!p.matches(&Prepared::new("昨天没有停电")));
        assert!(p.mentions(&Prepared::new("昨天没有停电")).is_some());
        assert!(p.matches(&Prepared::new("昨天没有热水，今天又停电")));
        assert!(!Phrase::new(vec![]).is_valid());
        assert!(!Phrase::of(&[&[" "]]).is_valid());
    }
}
