//! Chinese first, English second. Strings live in `locales/*.toml`, embedded in the binary.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn from_tag(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn is_en(self) -> bool {
        self == Lang::En
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

fn table(text: &str) -> HashMap<String, String> {
    let v: toml::Table = toml::from_str(text).expect("embedded locale is valid TOML");
    let mut out = HashMap::new();
    fn walk(prefix: &str, t: &toml::Table, out: &mut HashMap<String, String>) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Table(t) => walk(&key, t, out),
                _ => {}
            }
        }
    }
    walk("", &v, &mut out);
    out
}

fn tables() -> &'static (HashMap<String, String>, HashMap<String, String>) {
    static T: OnceLock<(HashMap<String, String>, HashMap<String, String>)> = OnceLock::new();
    T.get_or_init(|| {
        (
            table(include_str!("../locales/zh-CN.toml")),
            table(include_str!("../locales/en.toml")),
        )
    })
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct T {
    pub lang: Lang,
}

impl T {
    /// The string for `key`; falls back to Chinese, then to the key itself (a test checks that
    /// every key used exists in both files).
    pub fn s<'a>(&self, key: &'a str) -> &'a str {
        let (zh, en) = tables();
        let primary = if self.lang.is_en() { en } else { zh };
        primary
            .get(key)
            .or_else(|| zh.get(key))
            .map(|s| s.as_str())
            .unwrap_or(key)
    }
    pub fn en(&self) -> bool {
        self.lang.is_en()
    }
    /// One of two texts that come with their own translation (domain messages).
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang.is_en() && !en.is_empty() {
            en
        } else {
            zh
        }
    }
}

/// All keys of both locales, for the completeness test.
pub fn keys() -> (Vec<String>, Vec<String>) {
    let (zh, en) = tables();
    let mut a: Vec<String> = zh.keys().cloned().collect();
    let mut b: Vec<String> = en.keys().cloned().collect();
    a.sort();
    b.sort();
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `s("key")` in the templates and the code, and every key of the `item(…)` navigation
    /// and `error.*` pages.
    fn used_keys() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut keys = Vec::new();
        let mut stack = vec![root.join("templates"), root.join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                for pat in ["s(\"", "item(\"/"] {
                    let mut rest = text.as_str();
                    while let Some(i) = rest.find(pat) {
                        rest = &rest[i + pat.len()..];
                        let key_src = if pat == "s(\"" {
                            rest
                        } else {
                            // item("/path", "key")
                            match rest.find("\", \"") {
                                Some(j) => &rest[j + 4..],
                                None => continue,
                            }
                        };
                        if let Some(end) = key_src.find('"') {
                            let k = &key_src[..end];
                            if k.contains('.') && !k.contains('{') && !k.contains(' ') {
                                keys.push(k.to_string());
                            }
                        }
                    }
                }
            }
        }
        for code in ["400", "401", "403", "404", "409", "429", "500"] {
            keys.push(format!("error.{code}.title"));
            keys.push(format!("error.{code}.message"));
        }
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let (zh, en) = keys();
        assert_eq!(zh, en);
    }

    #[test]
    fn every_key_the_interface_uses_exists() {
        let (zh, _) = keys();
        let missing: Vec<String> = used_keys()
            .into_iter()
            .filter(|k| !zh.contains(k))
            .collect();
        assert!(missing.is_empty(), "missing interface strings: {missing:?}");
    }

    #[test]
    fn chinese_is_the_default_language() {
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(T::default().s("nav.home"), "首页");
        assert_eq!(T { lang: Lang::En }.s("nav.home"), "Home");
    }
}
