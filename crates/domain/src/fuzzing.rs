//! Fuzz targets for every parser of outside input in the domain (R-SEC-4). Each takes arbitrary
//! bytes, must never panic, and checks what a parse promises (a parsed value parses again to
//! itself, accepted text stays within its limits). `fuzz/` runs them under libFuzzer
//! (`scripts/fuzz`); the test below runs each on a fixed seed corpus and seeded mutations of it.

use crate::approval::ApprovalPolicy;
use crate::contact::{mask_phone, Email, Phone};
use crate::hours::BusinessHours;
use crate::intake::{limits, NewComplaint, RawComplaint};
use crate::period::Period;
use chrono::{TimeZone, Utc};

/// A fuzz target: arbitrary bytes in, a panic when a promise is broken.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/<name>.rs` call them.
pub const TARGETS: [(&str, Target); 7] = [
    ("intake", intake),
    ("contact", contact),
    ("period", period),
    ("hours", hours),
    ("approval_policy", approval_policy),
    ("search_words", search_words),
    ("import_rows", import_rows),
];

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A registration's fields, split on U+001F, through [`NewComplaint::parse`].
pub fn intake(data: &[u8]) {
    let s = text(data);
    let mut f = s.split('\u{1f}').map(|v| (!v.is_empty()).then(|| v.to_string()));
    let mut next = || f.next().flatten();
    let raw = RawComplaint {
        channel: next(),
        name: next(),
        phone: next(),
        email: next(),
        kind: next(),
        project_code: next(),
        building: next(),
        unit: next(),
        location: next(),
        stage: next(),
        subject: next(),
        description: next(),
        demands: next(),
        received_at: next(),
        category_code: next(),
        grade: next(),
        grade_reason: next(),
        households: next().and_then(|h| h.parse().ok()),
        complained_employee: next(),
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    match NewComplaint::parse(&raw, now) {
        Ok(c) => {
            assert!(c.subject.chars().count() <= limits::SUBJECT && !c.subject.trim().is_empty());
            assert!(c.description.chars().count() <= limits::DESCRIPTION);
            assert!(c.complainant.name.chars().count() <= limits::NAME);
            assert!(c.received_at <= now + chrono::Duration::seconds(limits::FUTURE_SKEW_SECS));
            assert!(c.households >= 1);
            if let Some(p) = &c.complainant.phone {
                assert_eq!(Phone::parse("p", p.as_str()).as_ref(), Ok(p));
            }
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
}

/// A phone number and an e-mail address: normalised values parse to themselves; masks hide digits.
pub fn contact(data: &[u8]) {
    let s = text(data);
    if let Ok(p) = Phone::parse("phone", &s) {
        assert_eq!(Phone::parse("phone", p.as_str()).as_ref(), Ok(&p));
        let masked = mask_phone(p.as_str());
        assert!(masked.contains('*') && masked != p.as_str());
    }
    if let Ok(e) = Email::parse("email", &s) {
        assert_eq!(Email::parse("email", e.as_str()).as_ref(), Ok(&e));
    }
}

/// A report period (`2026-11`, `2026-Q4`, `2026-W47`): its code parses back to it.
pub fn period(data: &[u8]) {
    if let Some(p) = Period::parse(&text(data)) {
        assert_eq!(Period::parse(&p.code()), Some(p));
        assert!(p.first() <= p.last());
    }
}

/// Business hours as two `HH:MM` values split on a space.
pub fn hours(data: &[u8]) {
    let s = text(data);
    let (open, close) = s.split_once(' ').unwrap_or((&s, ""));
    if let Ok(h) = BusinessHours::parse(Some(open), Some(close), "hours") {
        assert!(h.open < h.close);
    }
}

/// An approval policy document: what is accepted survives a round trip.
pub fn approval_policy(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(p) = ApprovalPolicy::from_json(&v) {
        assert_eq!(ApprovalPolicy::from_json(&p.to_json()), Ok(p));
    }
}

/// Chinese word segmentation of complaint text and search boxes; highlights stay inside the text.
pub fn search_words(data: &[u8]) {
    let s = text(data);
    let words = crate::search::query_words(&s);
    for (start, end) in crate::search::highlights(&s, &words) {
        assert!(start < end && end <= s.len() && s.is_char_boundary(start) && s.is_char_boundary(end));
    }
    let _ = crate::search::index_words(&s);
}

/// A CSV import file of any kind: every data row is either taken or reported, by its number.
pub fn import_rows(data: &[u8]) {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    for kind in crate::import::Kind::ALL {
        let p = crate::import::parse_csv(*kind, data, now);
        let failed: std::collections::BTreeSet<usize> = p.errors.iter().map(|e| e.row).filter(|r| *r > 1).collect();
        if p.errors
            .iter()
            .any(|e| e.row == 1 || e.message.starts_with("not readable"))
        {
            assert!(
                p.records.is_empty(),
                "{kind:?}: a bad header or an unreadable file takes no row"
            );
            continue;
        }
        assert_eq!(p.records.len() + failed.len(), p.rows, "{kind:?}: {p:?}");
        assert!(p.records.iter().all(|(r, _)| !failed.contains(r)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs that reach deep into each parser, to mutate from.
    fn seeds() -> Vec<Vec<u8>> {
        let us = '\u{1f}';
        [
            format!("hotline{us}张三{us}13812345678{us}a@b.cn{us}owner{us}GZ-001{us}3栋{us}1502{us}卫生间{us}occupancy{us}漏水{us}楼上渗水到我家{us}维修{us}2026-11-22T10:00:00+08:00{us}{us}urgent{us}媒体{us}3"),
            String::new(),
            "0".into(),
            "+86 138-1234-5678".into(),
            "020-12345678".into(),
            "zhang.san@example.com".into(),
            "2026-11".into(),
            "2026-Q4".into(),
            "2026-W53".into(),
            "09:00 18:00".into(),
            r#"{"ladder":["dept_head","project_head"],"rules":[{"grade":"major","from":"project_head"}]}"#.into(),
            "物业不处理，我要起诉并找媒体曝光".into(),
            "code,name,parent_code,kind\nGZ-003,天河新城,C-GZ,project\n".into(),
            "username,display_name,password,role,node,department\nzhao,赵一,Kesu@2026-long,handler,GZ-001,engineering\n".into(),
            "project_code,building,unit\nGZ-001,3栋,1502\n\"GZ-001\",\"5,栋\",\n".into(),
        ]
        .into_iter()
        .map(String::into_bytes)
        .collect()
    }

    /// A small deterministic generator, so a failure names the input that caused it.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    const INTERESTING: [&[u8]; 10] = [
        b"\xff",
        b"\xe6\xbc",
        b"\0",
        b",",
        b"\"",
        b"\n",
        b"\r\n",
        "栋".as_bytes(),
        b"99999999999999999999",
        b"-",
    ];

    fn mutate(rng: &mut XorShift, seed: &[u8]) -> Vec<u8> {
        let mut v = seed.to_vec();
        for _ in 0..1 + rng.next() % 4 {
            let at = if v.is_empty() {
                0
            } else {
                (rng.next() as usize) % v.len()
            };
            match rng.next() % 4 {
                0 if !v.is_empty() => v[at] = rng.next() as u8,
                1 => {
                    let ins = INTERESTING[(rng.next() as usize) % INTERESTING.len()];
                    v.splice(at..at, ins.iter().copied());
                }
                2 if !v.is_empty() => {
                    let end = (at + 1 + (rng.next() as usize) % 8).min(v.len());
                    v.drain(at..end);
                }
                _ => {
                    let copy: Vec<u8> = v[at..].iter().take(16).copied().collect();
                    v.extend(copy);
                }
            }
        }
        v
    }

    const MUTATIONS: usize = 1_000;

    /// Every target on every seed and 1,000 mutations of each: a short run for CI; the long runs
    /// are `scripts/fuzz` under libFuzzer.
    #[test]
    fn every_target_survives_seeds_and_mutations() {
        let seeds = seeds();
        for (name, target) in TARGETS {
            let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
            let mut runs = 0;
            for seed in &seeds {
                target(seed);
                for _ in 0..MUTATIONS {
                    let input = mutate(&mut rng, seed);
                    let outcome = std::panic::catch_unwind(|| target(&input));
                    assert!(
                        outcome.is_ok(),
                        "{name} panicked on {:?}",
                        String::from_utf8_lossy(&input)
                    );
                    runs += 1;
                }
            }
            assert_eq!(runs, seeds.len() * MUTATIONS, "{name}");
        }
    }
}
