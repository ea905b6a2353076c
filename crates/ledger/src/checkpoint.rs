//! C2SP tlog-checkpoint v1.0.0: origin, tree size and root hash, one a line.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::merkle::Hash;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Extension lines, without their newline (discouraged; kept verbatim).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    pub fn new(origin: &str, size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text: each line ends in a newline.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a note's text (not the signatures).
    pub fn parse(text: &str) -> Result<Checkpoint, String> {
        let body = text
            .strip_suffix('\n')
            .ok_or("a checkpoint ends in a newline")?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        if !valid_origin(origin) {
            return Err(format!("bad origin line {origin:?}"));
        }
        let size = lines.next().ok_or("no tree size line")?;
        if size.is_empty()
            || (size.len() > 1 && size.starts_with('0'))
            || !size.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!("bad tree size {size:?}"));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| format!("tree size {size} too large"))?;
        let root = lines.next().ok_or("no root hash line")?;
        let root: Hash = B64
            .decode(root)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("bad root hash {root:?}"))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err("an empty extension line".into());
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}

/// A schema-less URL-like name: printable, no spaces, no plus.
pub fn valid_origin(origin: &str) -> bool {
    crate::note::valid_key_name(origin) && !origin.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip_and_bad_ones_are_named() {
        let c = Checkpoint::new("gaotang.example/ledger", 42, [7; 32]);
        let t = c.to_text();
        assert_eq!(
            t,
            "gaotang.example/ledger\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n"
        );
        assert_eq!(Checkpoint::parse(&t).unwrap(), c);
        for (bad, why) in [
            (
                "o\n042\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
                "size",
            ),
            (
                "o o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
                "origin",
            ),
            ("o\n1\nBwcH\n", "root"),
            ("o\n1\n", "root"),
            (
                "o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
                "newline",
            ),
        ] {
            let e = Checkpoint::parse(bad).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }
}
