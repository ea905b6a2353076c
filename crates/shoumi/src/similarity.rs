//! `shoumi match …`: the similarity appraisal engine (同一性比对) on the command line.
//!
//! - `keygen -o KEYFILE`: a per-enterprise fingerprint key;
//! - `fingerprint --key KEYFILE FILE… -o secret.fp`: keyed fingerprints of secret files;
//! - `scan --key KEYFILE --fingerprints secret.fp SUSPECT…`: suspects against stored fingerprints;
//! - `compare A B [-o report.html]`: two files side by side (HTML or JSON report);
//! - `pairs`: tab-separated path pairs on stdin, one score line per pair (the benchmark's).
//!
//! See docs/SIMILARITY.md. No database and no configuration are needed.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};
use clap::Subcommand;
use shoumi::cli::{bar, write_secret};
use shoumi_similarity::compare::{self, Base, Options};
use shoumi_similarity::fingerprint::Params;
use shoumi_similarity::report::{self, ReportLang};
use shoumi_similarity::{Document, EnterpriseKey, FingerprintFile, Index, Language};

#[derive(Subcommand)]
pub enum MatchCmd {
    /// Make a per-enterprise fingerprint key (256 random bits) in a new file (mode 0600).
    Keygen {
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Fingerprint secret files with the enterprise's key into one fingerprint file.
    Fingerprint {
        /// The enterprise's key file (from `shoumi match keygen`).
        #[arg(long)]
        key: PathBuf,
        /// Secret files: source code, text, DOCX, XLSX, PPTX, PDF.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(short, long)]
        output: PathBuf,
        /// Base (template) files whose material is left out (repeat).
        #[arg(long)]
        base: Vec<PathBuf>,
        /// Read every file as this language (c, cpp, java, javascript, typescript, go, rust,
        /// csharp, python, sql, text) instead of by its extension.
        #[arg(long = "as")]
        language: Option<String>,
        /// Tokens per k-gram (default: 6 for program source, 8 for text).
        #[arg(long)]
        k: Option<u16>,
        /// Winnowing window (default: 3 for program source, 4 for text).
        #[arg(long)]
        w: Option<u16>,
    },
    /// Scan suspect files against stored fingerprints: which secrets, how much, where.
    Scan {
        #[arg(long)]
        key: PathBuf,
        /// Fingerprint files (repeat for many secrets).
        #[arg(long = "fingerprints", required = true)]
        fingerprints: Vec<PathBuf>,
        /// Suspect files.
        #[arg(required = true)]
        suspects: Vec<PathBuf>,
        /// Base (template) files whose material is ignored (repeat).
        #[arg(long)]
        base: Vec<PathBuf>,
        #[arg(long = "as")]
        language: Option<String>,
        /// Only report secrets of which at least this share is found (0–1).
        #[arg(long, default_value_t = 0.0)]
        min: f64,
        /// Write every result with its regions as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Compare two files; with -o, write a side-by-side HTML report (or JSON for a .json file).
    Compare {
        a: PathBuf,
        b: PathBuf,
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Report language: zh (default) or en.
        #[arg(long, default_value = "zh")]
        lang: String,
        #[arg(long)]
        base: Vec<PathBuf>,
        #[arg(long = "as")]
        language: Option<String>,
        /// Print the comparison as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Read `left<TAB>right` path pairs on stdin; write `left right similarity
    /// left_containment right_containment longest` (tab-separated) per pair, in input order.
    Pairs {
        #[arg(long)]
        base: Vec<PathBuf>,
        #[arg(long = "as")]
        language: Option<String>,
        /// Worker threads (default: the number of cores from 1,000 pairs up, else 1).
        #[arg(long)]
        threads: Option<usize>,
    },
}

pub fn run(cmd: MatchCmd) -> anyhow::Result<()> {
    match cmd {
        MatchCmd::Keygen { output } => keygen(&output),
        MatchCmd::Fingerprint {
            key,
            files,
            output,
            base,
            language,
            k,
            w,
        } => fingerprint(&key, &files, &output, &base, language.as_deref(), k, w),
        MatchCmd::Scan {
            key,
            fingerprints,
            suspects,
            base,
            language,
            min,
            json,
        } => scan(
            &key,
            &fingerprints,
            &suspects,
            &base,
            language.as_deref(),
            min,
            json.as_deref(),
        ),
        MatchCmd::Compare {
            a,
            b,
            output,
            lang,
            base,
            language,
            json,
        } => compare_cmd(
            &a,
            &b,
            output.as_deref(),
            &lang,
            &base,
            language.as_deref(),
            json,
        ),
        MatchCmd::Pairs {
            base,
            language,
            threads,
        } => pairs(&base, language.as_deref(), threads),
    }
}

fn parse_language(s: Option<&str>) -> anyhow::Result<Option<Language>> {
    match s {
        None => Ok(None),
        Some(s) => match Language::parse(s) {
            Some(l) => Ok(Some(l)),
            None => bail!(
                "unknown language {s:?}: c, cpp, java, javascript, typescript, go, rust, csharp, python, sql or text"
            ),
        },
    }
}

fn load(path: &Path, language: Option<Language>) -> Result<Document, shoumi_similarity::Error> {
    match language {
        Some(l) => Document::from_path_as(path, l),
        None => Document::from_path(path),
    }
}

fn load_base(paths: &[PathBuf], language: Option<Language>) -> anyhow::Result<Vec<Document>> {
    paths
        .iter()
        .map(|p| load(p, language).with_context(|| "reading a base file".to_string()))
        .collect()
}

fn keygen(output: &Path) -> anyhow::Result<()> {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = EnterpriseKey::from_bytes(bytes);
    write_secret(output, &key.to_file_text())?;
    println!(
        "key written to {} (key id {}); keep it secret and keep a copy: fingerprints made with it can only be scanned with it",
        output.display(),
        key.id_hex()
    );
    Ok(())
}

fn fingerprint(
    key: &Path,
    files: &[PathBuf],
    output: &Path,
    base: &[PathBuf],
    language: Option<&str>,
    k: Option<u16>,
    w: Option<u16>,
) -> anyhow::Result<()> {
    let key = EnterpriseKey::read(key)?;
    let language = parse_language(language)?;
    if k.into_iter().chain(w).any(|v| !(1..=1024).contains(&v)) {
        bail!("--k and --w must be between 1 and 1024");
    }
    let base = load_base(base, language)?;
    let pb = bar(files.len() as u64, "reading");
    let mut docs = Vec::with_capacity(files.len());
    for f in files {
        docs.push(load(f, language)?);
        pb.inc(1);
    }
    pb.finish_and_clear();
    // Each document keeps its language's default for whichever of k and w is not given.
    let fp = shoumi_similarity::fingerprint_file_with(
        &key,
        &docs,
        |l| {
            let d = Params::for_language(l);
            Params {
                k: k.unwrap_or(d.k),
                w: w.unwrap_or(d.w),
            }
        },
        &base,
    );
    let bytes = fp.to_bytes();
    std::fs::write(output, &bytes).with_context(|| format!("writing {}", output.display()))?;
    let n: usize = fp.docs.iter().map(|d| d.fingerprints.len()).sum();
    let tokens: u64 = fp.docs.iter().map(|d| u64::from(d.tokens)).sum();
    println!(
        "{}: {} document(s), {tokens} tokens, {n} fingerprints, {} bytes, key id {}",
        output.display(),
        fp.docs.len(),
        bytes.len(),
        key.id_hex()
    );
    for d in &fp.docs {
        if d.fingerprints.is_empty() {
            eprintln!(
                "warning: {} has too few tokens ({}) for a fingerprint (k = {})",
                d.name, d.tokens, d.params.k
            );
        }
    }
    Ok(())
}

fn scan(
    key: &Path,
    fingerprints: &[PathBuf],
    suspects: &[PathBuf],
    base: &[PathBuf],
    language: Option<&str>,
    min: f64,
    json: Option<&Path>,
) -> anyhow::Result<()> {
    let key = EnterpriseKey::read(key)?;
    let language = parse_language(language)?;
    let mut index = Index::new(&key);
    for f in fingerprints {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let fp = FingerprintFile::parse(&bytes).with_context(|| format!("{}", f.display()))?;
        index.add(&f.display().to_string(), fp)?;
    }
    let base_docs = load_base(base, language)?;
    let base_sets = (!base_docs.is_empty()).then(|| index.base(&base_docs));
    let pb = bar(suspects.len() as u64, "scanning");
    let mut all = Vec::new();
    let mut failed = 0usize;
    for s in suspects {
        match load(s, language) {
            Ok(doc) => {
                for r in index.scan(&doc, base_sets.as_ref()) {
                    if r.left_containment >= min {
                        all.push(r);
                    }
                }
            }
            Err(e) => {
                pb.suspend(|| eprintln!("skipped: {e}"));
                failed += 1;
            }
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "suspect\tsecret\tcontainment\tsimilarity\tlongest\tregions"
    )?;
    for r in &all {
        let regions: Vec<String> = r
            .matches
            .iter()
            .take(8)
            .map(|m| {
                format!(
                    "{}:{}-{} ~ secret line {}-{}",
                    r.suspect,
                    m.suspect.start.line,
                    m.suspect.end.line,
                    m.secret_lines[0],
                    m.secret_lines[1]
                )
            })
            .collect();
        writeln!(
            out,
            "{}\t{}\t{:.4}\t{:.4}\t{}\t{}",
            r.suspect,
            r.secret,
            r.left_containment,
            r.similarity,
            r.longest,
            regions.join("; ")
        )?;
    }
    if let Some(path) = json {
        std::fs::write(path, report::json(&all))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if failed > 0 {
        bail!("{failed} suspect file(s) could not be read (see above)");
    }
    Ok(())
}

fn compare_cmd(
    a: &Path,
    b: &Path,
    output: Option<&Path>,
    lang: &str,
    base: &[PathBuf],
    language: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let lang = ReportLang::parse(lang).context("--lang must be zh or en")?;
    let language = parse_language(language)?;
    let opts = Options::default();
    let base_docs = load_base(base, language)?;
    let base = Base::new(&base_docs, &opts);
    let da = load(a, language)?;
    let db = load(b, language)?;
    let c = compare::compare(&da, &db, Some(&base), &opts);
    if json {
        println!("{}", report::json(&c));
    } else {
        println!("similarity        {:.4}", c.similarity);
        println!(
            "left_containment  {:.4}  (share of {} found in {})",
            c.left_containment, c.left, c.right
        );
        println!(
            "right_containment {:.4}  (share of {} found in {})",
            c.right_containment, c.right, c.left
        );
        println!("longest           {} tokens", c.longest);
        for (n, m) in c.matches.iter().enumerate() {
            println!(
                "  #{:<3} {}:{}:{}-{}:{}  {}:{}:{}-{}:{}  ({} tokens)",
                n + 1,
                c.left,
                m.left.start.line,
                m.left.start.col,
                m.left.end.line,
                m.left.end.col,
                c.right,
                m.right.start.line,
                m.right.start.col,
                m.right.end.line,
                m.right.end.col,
                m.tokens
            );
        }
    }
    if let Some(out) = output {
        let is_json = out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let body = if is_json {
            report::json(&c)
        } else {
            report::html(&c, &da, &db, lang)
        };
        std::fs::write(out, body).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("report written to {}", out.display());
    }
    Ok(())
}

/// One input line of `pairs`: the two paths, or why the line is unusable.
type PairLine = Result<(String, String), String>;

fn pairs(base: &[PathBuf], language: Option<&str>, threads: Option<usize>) -> anyhow::Result<()> {
    let language = parse_language(language)?;
    let opts = Options::default();
    let base_docs = load_base(base, language)?;
    let base = Base::new(&base_docs, &opts);
    let mut lines: Vec<PairLine> = Vec::new();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.context("reading stdin")?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            lines.push(Err(String::new()));
            continue;
        }
        let mut f = line.split('\t');
        lines.push(match (f.next(), f.next(), f.next()) {
            (Some(l), Some(r), None) if !l.is_empty() && !r.is_empty() => {
                Ok((l.to_string(), r.to_string()))
            }
            _ => Err(format!(
                "line {}: expected two paths separated by one tab, got {line:?}",
                n + 1
            )),
        });
    }
    // Every distinct file once: the same original appears in many pairs.
    let mut paths: Vec<&str> = lines
        .iter()
        .flatten()
        .flat_map(|(l, r)| [l.as_str(), r.as_str()])
        .collect();
    paths.sort_unstable();
    paths.dedup();
    // Below about a thousand pairs the whole run takes a few milliseconds of CPU and a second
    // thread costs more than it saves (measured on IR-Plag's 460 pairs, docs/SIMILARITY.md).
    let threads = threads
        .unwrap_or_else(|| {
            if lines.len() < 1000 {
                1
            } else {
                std::thread::available_parallelism().map_or(1, |n| n.get())
            }
        })
        .clamp(1, 64);
    let pb = bar((paths.len() + lines.len()) as u64, "pairs");
    let docs: HashMap<&str, Result<Arc<Document>, String>> = parallel(&paths, threads, |p| {
        let r = load(Path::new(p), language)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        pb.inc(1);
        r
    })
    .into_iter()
    .zip(paths.iter())
    .map(|(r, p)| (*p, r))
    .collect();
    let results: Vec<Option<compare::Comparison>> = parallel(&lines, threads, |line| {
        let r = match line {
            Ok((l, r)) => match (&docs[l.as_str()], &docs[r.as_str()]) {
                (Ok(a), Ok(b)) => Some(compare::score(a, b, Some(&base), &opts)),
                _ => None,
            },
            Err(_) => None,
        };
        pb.inc(1);
        r
    });
    pb.finish_and_clear();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0usize;
    // The line where each unreadable file's reason was first given.
    let mut reported: HashMap<&str, usize> = HashMap::new();
    for (n, (line, result)) in lines.iter().zip(&results).enumerate() {
        match (line, result) {
            (Ok((l, r)), Some(c)) => writeln!(
                out,
                "{l}\t{r}\t{:.4}\t{:.4}\t{:.4}\t{}",
                c.similarity, c.left_containment, c.right_containment, c.longest
            )?,
            (Ok((l, r)), None) => {
                failed += 1;
                for p in [l.as_str(), r.as_str()] {
                    if let Err(e) = &docs[p] {
                        match reported.get(p) {
                            Some(first) => {
                                eprintln!("line {}: {p}: unreadable (see line {first})", n + 1)
                            }
                            None => {
                                reported.insert(p, n + 1);
                                eprintln!("line {}: {e}", n + 1);
                            }
                        }
                    }
                }
            }
            (Err(e), _) if e.is_empty() => {}
            (Err(e), _) => {
                failed += 1;
                eprintln!("{e}");
            }
        }
    }
    out.flush()?;
    if failed > 0 {
        bail!("{failed} line(s) could not be scored (see above)");
    }
    Ok(())
}

/// `f` over `items` on `threads` threads (work taken one item at a time), results in order.
fn parallel<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads <= 1 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(items.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut got = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= items.len() {
                            break;
                        }
                        got.push((i, f(&items[i])));
                    }
                    got
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread panicked"))
            .collect()
    });
    let mut all: Vec<(usize, R)> = parts.drain(..).flatten().collect();
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}
