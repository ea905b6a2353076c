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
