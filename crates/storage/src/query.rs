//! Small helpers for portable dynamic SQL with `$N` placeholders.

/// Builds a `WHERE` clause and its arguments, numbering placeholders as it goes.
#[derive(Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    vals: Vec<Val>,
    n: usize,
}

#[derive(Clone)]
enum Val {
    Text(String),
    Int(i64),
}

impl Filter {
    /// Appends a clause containing `?` placeholders, each replaced by the next `$N`.
    pub(crate) fn push(&mut self, clause: &str) -> &mut Self {
        let mut out = String::with_capacity(clause.len() + 4);
        for c in clause.chars() {
            if c == '?' {
                self.n += 1;
                out.push('$');
                out.push_str(&self.n.to_string());
            } else {
                out.push(c);
            }
        }
        self.clauses.push(out);
        self
    }
    pub(crate) fn bind_str(&mut self, v: impl Into<String>) -> &mut Self {
        self.vals.push(Val::Text(v.into()));
        self
    }
    pub(crate) fn bind_i64(&mut self, v: i64) -> &mut Self {
        self.vals.push(Val::Int(v));
        self
    }
    /// The bound values, as arguments for one query (call once per query).
    pub(crate) fn args(&self) -> crate::sql::Args {
        let mut a = crate::sql::Args::default();
        for v in &self.vals {
            match v {
                Val::Text(s) => a.add(s.clone()),
                Val::Int(i) => a.add(*i),
            }
        }
        a
    }

    pub(crate) fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// `%text%` for LIKE with `\` as the escape character.
pub(crate) fn like_contains(text: &str) -> String {
    let mut s = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// A list of integers as SQL literals (ids only; never user text).
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// `(c1 IN (…) OR c2 IN (…) …)` over the non-empty lists, `(1=0)` when all are empty: a scope's
/// areas and rows as one condition (ids only; never user text).
pub(crate) fn any_in(pairs: &[(&str, &[i64])]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(col, ids)| format!("{col} IN ({})", id_list(ids)))
        .collect();
    if parts.is_empty() {
        "(1=0)".into()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// A page request: 1-based page number and page size.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Page {
    pub number: u32,
    pub size: u32,
}

impl Page {
    pub fn new(number: u32, size: u32) -> Page {
        Page {
            number: number.max(1),
            size: size.clamp(1, 500),
        }
    }
    pub fn offset(&self) -> i64 {
        (self.number as i64 - 1) * self.size as i64
    }
}

impl Default for Page {
    fn default() -> Self {
        Page::new(1, 50)
    }
}

/// Placeholder number `n` (1-based) for a bulk statement. On SQLite an anonymous `?`: binding
/// resolves every *named* parameter through `sqlite3_bind_parameter_name`, which walks the list
/// of names, so `$N` costs grow with the square of the parameter count, while `?` costs nothing.
/// Callers add arguments in placeholder order and never reuse a number.
pub(crate) fn mark(backend: crate::Backend, n: usize) -> String {
    match backend {
        crate::Backend::Sqlite => "?".to_string(),
        crate::Backend::Postgres => format!("${n}"),
    }
}

/// `(m1, m2, …, mk)` for the `k` placeholders after `start`.
pub(crate) fn tuple(backend: crate::Backend, start: usize, k: usize) -> String {
    let marks: Vec<String> = (1..=k).map(|i| mark(backend, start + i)).collect();
    format!("({})", marks.join(", "))
}
