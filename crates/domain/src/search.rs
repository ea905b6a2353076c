//! Search terms for enterprise names: an inverted index of character bigrams that both database
//! engines can use with an ordinary B-tree, so a substring search of 300,000 Chinese names does
//! not scan the table. (Trigram indexes — SQLite FTS5 `trigram`, PostgreSQL `pg_trgm` — cannot
//! serve the two-character queries that are typical in Chinese: "化工", "食品".)

/// Bigrams of legal-form words carry no search information and match nearly every name; a query
/// made only of them falls back to a scan (which then finds its first page at once).
const STOP: &[&str] = &[
    "有限", "限公", "公司", "限责", "责任", "任公", "股份", "份有", "集团", "团有",
];

/// Normalises text for matching: full-width ASCII to half-width, ASCII lower case, no spaces.
pub fn normalise(s: &str) -> Vec<char> {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            };
            (!c.is_whitespace()).then(|| c.to_ascii_lowercase())
        })
        .collect()
}

fn bigrams(chars: &[char]) -> Vec<String> {
    let mut out: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    out.sort();
    out.dedup();
    out
}

/// The index terms of an enterprise: the bigrams of its name and one `tag:` term per tag. The
/// legal-form bigrams ([`STOP`]) are left out: [`query_terms`] never looks them up, and they are
/// in almost every name (a third of all postings, written for nothing on every import).
pub fn enterprise_terms(name: &str, tags: &[crate::KeyTag]) -> Vec<String> {
    let mut t = bigrams(&normalise(name));
    t.retain(|b| !STOP.contains(&b.as_str()));
    t.extend(tags.iter().map(|tag| tag_term(*tag)));
    t
}

pub fn tag_term(tag: crate::KeyTag) -> String {
    format!("tag:{}", tag.as_str())
}

/// The terms to look up for a name query, rarest-looking first; `None` when the index cannot
/// help (one character, or only legal-form words) and the caller must scan.
pub fn query_terms(q: &str) -> Option<Vec<String>> {
    let all = bigrams(&normalise(q));
    let useful: Vec<String> = all
        .into_iter()
        .filter(|b| !STOP.contains(&b.as_str()))
        .collect();
    if useful.is_empty() {
        return None;
    }
    // Four terms narrow any realistic query to a handful of candidates.
    Some(useful.into_iter().take(4).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_form_bigrams_are_not_indexed_and_never_looked_up() {
        let terms = enterprise_terms("高唐县砚澄精细化工有限公司", &[]);
        assert!(terms.contains(&"砚澄".to_string()));
        for stop in STOP {
            assert!(!terms.contains(&stop.to_string()), "{stop} indexed");
        }
        // A query for a legal-form word alone cannot use the index (the caller scans).
        assert_eq!(query_terms("有限公司"), None);
        // Every term a query looks up is a term an indexed name can have.
        for t in query_terms("砚澄精细化工有限公司").unwrap() {
            assert!(terms.contains(&t), "{t} looked up but not indexed");
        }
    }

    #[test]
    fn a_name_is_indexed_by_its_bigrams_and_tags() {
        let t = enterprise_terms("高唐县 化工", &[crate::KeyTag::Gazelle]);
        assert!(t.contains(&"化工".to_string()));
        assert!(
            t.contains(&"县化".to_string()),
            "spaces are removed before pairing"
        );
        assert!(t.contains(&"tag:gazelle".to_string()));
    }

    #[test]
    fn full_width_letters_match_half_width() {
        assert_eq!(normalise("ＡＢＣ 化工"), vec!['a', 'b', 'c', '化', '工']);
    }

    #[test]
    fn short_and_legal_form_queries_fall_back_to_a_scan() {
        assert_eq!(query_terms("化"), None);
        assert_eq!(query_terms("有限公司"), None);
        assert_eq!(
            query_terms("化工有限公司"),
            Some(vec!["化工".to_string(), "工有".to_string()])
        );
    }

    proptest::proptest! {
        #[test]
        fn every_substring_query_finds_its_name(name in "[高唐县化工食品机械纺织有限公司ABC]{2,12}", start in 0usize..10, len in 2usize..6) {
            let chars: Vec<char> = name.chars().collect();
            proptest::prop_assume!(start + len <= chars.len());
            let q: String = chars[start..start + len].iter().collect();
            let terms = enterprise_terms(&name, &[]);
            if let Some(qt) = query_terms(&q) {
                for t in qt {
                    proptest::prop_assert!(terms.contains(&t), "{} not indexed for {}", t, name);
                }
            }
        }
    }
}
