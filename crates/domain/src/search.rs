//! Chinese full-text search (R-AN-1, DESIGN.md): text is segmented into words with jieba when it
//! is written and when it is searched, so a search for 漏水 finds "漏水" and not "漏电", which
//! shares a character but not the word. The database indexes the words as given.

use jieba_rs::Jieba;
use std::sync::LazyLock;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Loads the segmenter's dictionary now (about 0.2 s), so the first search or registration after
/// a start does not wait for it.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// Particles and pronouns that carry no meaning in a search.
const STOP: [&str; 24] = [
    "的", "了", "是", "在", "和", "与", "及", "或", "我", "你", "他", "她", "它", "们", "吗", "呢", "吧", "啊", "也",
    "都", "就", "很", "有", "被",
];

fn keep(word: &str) -> Option<String> {
    let w = word.trim();
    if w.is_empty() || !w.chars().any(char::is_alphanumeric) || STOP.contains(&w) {
        return None;
    }
    // Only letters and digits reach the index, so a word can never be read as query syntax.
    let clean: String = w
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

/// The words of a text for the index: every word, plus the shorter words inside long ones
/// (天花板 also gives 天花), so a search for either finds it.
pub fn index_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = JIEBA.cut_for_search(text, false).into_iter().filter_map(keep).collect();
    words.sort();
    words.dedup();
    words
}

/// The words of a query, all of which a match must contain; empty when it has none.
pub fn query_words(q: &str) -> Vec<String> {
    let mut words: Vec<String> = JIEBA.cut(q, false).into_iter().filter_map(keep).collect();
    words.dedup();
    words.truncate(12);
    words
}

/// Where the query's words occur in a text: byte ranges, sorted and not overlapping, for
/// highlighting the matched words in results.
pub fn highlights(text: &str, words: &[String]) -> Vec<(usize, usize)> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return vec![];
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for w in words {
        let mut from = 0;
        while let Some(i) = lower[from..].find(w.as_str()) {
            let start = from + i;
            spans.push((start, start + w.len()));
            from = start + w.len();
        }
    }
    spans.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_not_characters() {
        let leak = index_words("楼上卫生间漏水，渗到我家天花板，已经三天了。");
        let power = index_words("配电箱漏电，很危险！");
        assert!(leak.contains(&"漏水".to_string()), "{leak:?}");
        assert!(power.contains(&"漏电".to_string()), "{power:?}");
        assert!(!power.contains(&"漏水".to_string()));
        assert!(leak.contains(&"天花板".to_string()));
        assert!(
            !leak.iter().any(|w| w == "了" || w == "，"),
            "particles and punctuation stay out"
        );
        assert_eq!(query_words("漏水"), ["漏水"]);
        assert_eq!(query_words("  漏水了！ "), ["漏水"]);
        assert_eq!(query_words("Lift 电梯"), ["lift", "电梯"]);
        assert!(query_words("？！，").is_empty());
        assert!(query_words("\"OR\" *")
            .iter()
            .all(|w| w.chars().all(char::is_alphanumeric)));
    }

    #[test]
    fn highlights_merge_and_stay_on_boundaries() {
        let text = "卫生间漏水，漏水严重";
        let spans = highlights(text, &["漏水".to_string()]);
        assert_eq!(spans.len(), 2);
        for (s, e) in spans {
            assert_eq!(&text[s..e], "漏水");
        }
        assert_eq!(highlights("ABC abc", &["abc".to_string()]), [(0, 3), (4, 7)]);
    }
}
