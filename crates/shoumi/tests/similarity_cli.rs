//! `shoumi match …` run as the real binary in temporary directories: keys, keyed fingerprints
//! and scans, side-by-side reports, the `pairs` benchmark format and its error reporting.
//! No database and no configuration are involved.

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use serde_json::Value;

/// What a run of the binary left behind.
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert!(
            self.status.success(),
            "expected success, got {}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    fn failed(self) -> Run {
        assert!(
            !self.status.success(),
            "expected a failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// `shoumi match ARGS…` in `dir` (relative paths are as given in its messages).
fn shoumi_match(dir: &Path, args: &[&str]) -> Run {
    shoumi_match_with_stdin(dir, args, "")
}

fn shoumi_match_with_stdin(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shoumi"))
        .arg("match")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the shoumi binary starts");
    {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("the shoumi binary ends");
    Run {
        status: out.status,
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write test file");
}

/// The key id printed by `keygen` ("… (key id 0123abcd…) …").
fn key_id(keygen_stdout: &str) -> String {
    let rest = keygen_stdout
        .split("key id ")
        .nth(1)
        .unwrap_or_else(|| panic!("no key id in {keygen_stdout:?}"));
    let id: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    assert!(id.len() >= 8, "key id {id:?} in {keygen_stdout:?}");
    id
}

fn ratio(field: &str) -> f64 {
    let (int, frac) = field
        .split_once('.')
        .unwrap_or_else(|| panic!("{field:?} is not a ratio"));
    assert!(
        int.len() == 1 && frac.len() == 4 && field.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "{field:?} is not a ratio with 4 decimals"
    );
    let x: f64 = field.parse().unwrap();
    assert!((0.0..=1.0).contains(&x), "{field:?} is outside 0–1");
    x
}

/// One line of `pairs` output.
#[derive(Debug, Clone, PartialEq)]
struct Scored {
    left: String,
    right: String,
    similarity: f64,
    left_containment: f64,
    right_containment: f64,
    longest: u32,
}

fn scored(line: &str) -> Scored {
    let f: Vec<&str> = line.split('\t').collect();
    assert_eq!(f.len(), 6, "six tab-separated fields in {line:?}");
    Scored {
        left: f[0].to_string(),
        right: f[1].to_string(),
        similarity: ratio(f[2]),
        left_containment: ratio(f[3]),
        right_containment: ratio(f[4]),
        longest: f[5]
            .parse()
            .unwrap_or_else(|_| panic!("longest {:?} is not a count", f[5])),
    }
}

/// The secret: a furnace controller with distinctive names, a Chinese string and comment, and
/// markup in a string literal (which a report must escape).
const SECRET_JAVA: &str = r#"package plant;

/** 炉温控制：核心校准算法（机密）。 */
class Furnace {
    static final String BANNER = "<script>alert('炉温校准系数')</script>";
    int kilnHeightQuartz = 12;
    double[] emberTableZeta = new double[64];
    int xorChecksumVortex;

    void start() { igniteBurnerNow(); }

    void run(double gainFactorOmega, double offset) {
        String[] labels = new String[3];
        for (int row = 0; row < kilnHeightQuartz; row++) {
            double weight = kilnZoneCalibration(row, 0.35, 180);
            emberTableZeta[row] = weight * gainFactorOmega + offset;
            xorChecksumVortex ^= (int) emberTableZeta[row];
        }
        log.info("done");
    }

    double kilnZoneCalibration(int zone, double alpha, int limit) {
        double acc = 0;
        for (int i = 0; i < limit; i += 7) {
            acc = acc * (1 - alpha) + Math.sin(zone * i) * alpha;
            if (acc > 42.5) {
                acc = 42.5 - acc / 3;
            }
        }
        return acc + zone * 0.0125;
    }
}
"#;

/// The secret with every name changed, other comments and strings, and another layout.
const RENAMED_COPY_JAVA: &str = r#"package works;
// 我们自己开发的加热程序
class Oven
{
  static final String B = "hello";
  int h = 12;
  double[] t = new double[64];
  int cs;
  void begin() { fire(); }
  void exec(double g, double o)
  {
    String[] names = new String[3];
    for (int r = 0; r < h; r++)
    {
      double w = adjust(r, 0.35, 180);
      t[r] = w * g + o;
      cs ^= (int) t[r];
    }
    log.info("finished");
  }
  double adjust(int z, double a, int n)
  {
    double s = 0;
    for (int j = 0; j < n; j += 7)
    {
      s = s * (1 - a) + Math.sin(z * j) * a;
      if (s > 42.5) { s = 42.5 - s / 3; }
    }
    return s + z * 0.0125;
  }
}
"#;

/// Other code of the same language.
const UNRELATED_JAVA: &str = r#"import java.util.ArrayList;
import java.util.List;

public class Inventory {
    private final List<String> items = new ArrayList<>();

    public void add(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("empty name");
        }
        items.add(name.trim());
    }

    public int count() {
        return items.size();
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (String s : items) {
            sb.append(s).append(", ");
        }
        return sb.toString();
    }
}
"#;

/// A secret whose copied block is on lines 10–14 (from column 5) …
const REGION_SECRET_JAVA: &str = "package plant;

/** Furnace control. */
class Furnace {
    int height = 12;
    String name = \"f\";
    void start() { ignite(); }
    void run(double gain, double offset) {
        String[] labels = new String[3];
    for (int row = 0; row < height; row++) {
        double weight = calibrate(row, 0.35, 180);
        table[row] = weight * gain + offset;
        checksum ^= (int) table[row];
    }
        log.info(\"done\");
    }
}
";

/// … renamed and re-indented on lines 4–8 (from column 3) here.
const REGION_SUSPECT_JAVA: &str = "import java.util.List;
class Copy {
  boolean go(List<String> xs) { return xs.isEmpty(); }
  for (int r = 0; r < h; r++) {
      double w = calibrate(r, 0.35, 180);
      t[r] = w * g + o;
      sum ^= (int) t[r];
  }
  char c = 'x';
}
";

const RECIPE_SECRET: &str = "高强度环氧胶粘剂 工艺配方（内部资料）
1. 将环氧树脂E-51 100份加入反应釜，升温至85℃，搅拌30分钟。
2. 加入固化剂35份，保持温度85℃，在真空度-0.095MPa下脱泡15分钟。
3. 加入气相二氧化硅2.5%，以1200 rpm分散20 min。
4. 降温至40℃后出料，用120目滤网过滤。
5. 固化条件：150℃保温2 h。
";

/// Every sentence reworded, every parameter kept.
const RECIPE_REWORDED: &str = "胶粘剂生产要点
首先把一百份E-51型树脂投进釜里，加热到85摄氏度，然后搅拌三十分钟；
固化剂的用量是35份，温度仍然维持85 °C，抽真空到-0.095 MPa，除去气泡需要15 min；
分散阶段：转速1200 r/min，时间20分钟，气相白炭黑的添加量为百分之二点五。
冷却到40 ℃即可放料，过滤网为120目。
最后在150摄氏度下固化两小时（2 小时）。
";

/// The secret's wording with other parameters.
const RECIPE_OTHER_PARAMETERS: &str = "高强度环氧胶粘剂 工艺配方（内部资料）
1. 将环氧树脂E-44 80份加入反应釜，升温至70℃，搅拌45分钟。
2. 加入固化剂28份，保持温度70℃，在真空度-0.080MPa下脱泡10分钟。
3. 加入气相二氧化硅1.5%，以900 rpm分散30 min。
4. 降温至35℃后出料，用200目滤网过滤。
5. 固化条件：120℃保温4 h。
";

/// The first bytes of a PNG image.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

/// A temp dir with the three Java files (`Furnace.java`, `Oven.java`, `Inventory.java`).
fn java_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Furnace.java", SECRET_JAVA);
    write(dir.path(), "Oven.java", RENAMED_COPY_JAVA);
    write(dir.path(), "Inventory.java", UNRELATED_JAVA);
    dir
}

/// `keygen -o NAME` in `dir`; the key id.
/// `match fingerprint --key acme.key Furnace.java -o secrets.fp`, which must succeed.
fn fingerprint_furnace(dir: &Path) -> Run {
    shoumi_match(
        dir,
        &[
            "fingerprint",
            "--key",
            "acme.key",
            "Furnace.java",
            "-o",
            "secrets.fp",
        ],
    )
    .ok()
}

fn keygen(dir: &Path, name: &str) -> String {
    key_id(&shoumi_match(dir, &["keygen", "-o", name]).ok().stdout)
}

#[test]
fn keygen_writes_a_private_key_file_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = shoumi_match(dir.path(), &["keygen", "-o", "acme.key"]).ok();
    let id = key_id(&run.stdout);
    assert!(run.stdout.contains("acme.key"), "{}", run.stdout);
    let path = dir.path().join("acme.key");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&id),
        "the key file names its id {id}:\n{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }

    // A second key to the same file is refused and the first key is kept.
    let again = shoumi_match(dir.path(), &["keygen", "-o", "acme.key"]).failed();
    assert!(again.stderr.contains("acme.key"), "{}", again.stderr);
    assert!(again.stderr.contains("must not exist"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // Two keys are different keys.
    let other = keygen(dir.path(), "other.key");
    assert_ne!(other, id);
}

#[test]
fn fingerprint_then_scan_finds_the_secret_in_a_renamed_copy_and_not_in_unrelated_code() {
    let dir = java_dir();
    let d = dir.path();
    keygen(d, "acme.key");
    let fp = fingerprint_furnace(d);
    assert!(fp.stdout.contains("1 document(s)"), "{}", fp.stdout);
    assert!(d.join("secrets.fp").is_file());

    let scan = shoumi_match(
        d,
        &[
            "scan",
            "--key",
            "acme.key",
            "--fingerprints",
            "secrets.fp",
            "Oven.java",
            "Inventory.java",
            "--json",
            "hits.json",
        ],
    )
    .ok();
    let mut lines = scan.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("suspect\tsecret\tcontainment\tsimilarity\tlongest\tregions")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    for r in &rows {
        assert_eq!(r.len(), 6, "{r:?}");
        assert_eq!(r[1], "Furnace.java", "{r:?}");
    }
    let copy = rows
        .iter()
        .find(|r| r[0] == "Oven.java")
        .unwrap_or_else(|| panic!("the copy is found:\n{}", scan.stdout));
    let containment = ratio(copy[2]);
    assert!(containment >= 0.8, "containment of the copy {containment}");
    assert!(copy[4].parse::<u32>().unwrap() >= 50, "longest {}", copy[4]);
    assert!(copy[5].contains("Oven.java:"), "regions {:?}", copy[5]);
    assert!(copy[5].contains("~ secret line"), "regions {:?}", copy[5]);
    if let Some(unrelated) = rows.iter().find(|r| r[0] == "Inventory.java") {
        let c = ratio(unrelated[2]);
        assert!(c < 0.25, "containment of unrelated code {c}");
    }

    // The JSON file holds the same results, with regions.
    let hits: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("hits.json")).unwrap()).unwrap();
    let hit = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["suspect"] == "Oven.java")
        .expect("the copy in hits.json");
    assert_eq!(hit["secret"], "Furnace.java");
    assert!(hit["left_containment"].as_f64().unwrap() >= 0.8, "{hit}");
    assert!(!hit["matches"].as_array().unwrap().is_empty(), "{hit}");

    // With --min, the unrelated file is not reported at all.
    let strict = shoumi_match(
        d,
        &[
            "scan",
            "--key",
            "acme.key",
            "--fingerprints",
            "secrets.fp",
            "--min",
            "0.5",
            "Oven.java",
            "Inventory.java",
        ],
    )
    .ok();
    assert!(strict.stdout.contains("\nOven.java\t"), "{}", strict.stdout);
    assert!(
        !strict.stdout.contains("Inventory.java"),
        "{}",
        strict.stdout
    );
}

#[test]
fn scan_with_another_key_is_refused_with_a_clear_message() {
    let dir = java_dir();
    let d = dir.path();
    let acme = keygen(d, "acme.key");
    let other = keygen(d, "other.key");
    fingerprint_furnace(d);
    let run = shoumi_match(
        d,
        &[
            "scan",
            "--key",
            "other.key",
            "--fingerprints",
            "secrets.fp",
            "Oven.java",
        ],
    )
    .failed();
    assert!(run.stderr.contains("secrets.fp"), "{}", run.stderr);
    assert!(run.stderr.contains("another key"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&acme),
        "names the file's key id {acme}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&other),
        "names the given key's id {other}: {}",
        run.stderr
    );
    assert!(!run.stdout.contains("Oven.java"), "{}", run.stdout);
}

#[test]
fn fp_file_holds_no_text_of_the_secret() {
    let dir = java_dir();
    let d = dir.path();
    write(d, "配方.txt", RECIPE_SECRET);
    keygen(d, "acme.key");
    let run = shoumi_match(
        d,
        &[
            "fingerprint",
            "--key",
            "acme.key",
            "Furnace.java",
            "配方.txt",
            "-o",
            "secrets.fp",
        ],
    )
    .ok();
    assert!(run.stdout.contains("2 document(s)"), "{}", run.stdout);
    let bytes = std::fs::read(d.join("secrets.fp")).unwrap();
    assert!(bytes.len() > 64, "{} bytes", bytes.len());
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for secret in [
        "kilnZoneCalibration",
        "emberTableZeta",
        "xorChecksumVortex",
        "gainFactorOmega",
        "kilnHeightQuartz",
        "igniteBurnerNow",
        "BANNER",
        "<script>",
        "alert",
        "炉温校准系数",
        "核心校准算法",
        "42.5",
        "0.0125",
        "环氧树脂",
        "反应釜",
        "固化剂",
        "二氧化硅",
        "-0.095",
        "MPa",
    ] {
        assert!(
            !contains(secret),
            "the fingerprint file holds {secret:?} of the secret"
        );
    }
}

#[test]
fn fingerprint_with_only_k_or_only_w_keeps_each_languages_default_for_the_other() {
    let dir = java_dir();
    let d = dir.path();
    write(d, "配方.txt", RECIPE_SECRET);
    keygen(d, "acme.key");
    let fp = |files: &[&str], extra: &[&str]| {
        let mut args = vec!["fingerprint", "--key", "acme.key"];
        args.extend_from_slice(files);
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", "out.fp"]);
        shoumi_match(d, &args).ok();
        std::fs::read(d.join("out.fp")).expect("the .fp file")
    };
    // Program source defaults to k = 6, w = 3: naming either one alone changes nothing.
    let java = fp(&["Furnace.java"], &[]);
    assert_eq!(fp(&["Furnace.java"], &["--w", "3"]), java);
    assert_eq!(fp(&["Furnace.java"], &["--k", "6"]), java);
    assert_ne!(fp(&["Furnace.java"], &["--w", "5"]), java);
    // Text defaults to k = 8, w = 4: `--w 3` changes the text document, not the Java one's k.
    let mixed = fp(&["Furnace.java", "配方.txt"], &[]);
    assert_ne!(fp(&["Furnace.java", "配方.txt"], &["--w", "3"]), mixed);
    let refused = shoumi_match(
        d,
        &[
            "fingerprint",
            "--key",
            "acme.key",
            "Furnace.java",
            "--w",
            "0",
            "-o",
            "x.fp",
        ],
    )
    .failed();
    assert!(
        refused.stderr.contains("between 1 and 1024"),
        "{}",
        refused.stderr
    );
    assert!(!d.join("x.fp").exists());
}

#[test]
fn compare_writes_an_html_report_in_chinese_and_english() {
    let dir = java_dir();
    let d = dir.path();
    let zh = shoumi_match(
        d,
        &["compare", "Furnace.java", "Oven.java", "-o", "report.html"],
    )
    .ok();
    assert!(zh.stdout.starts_with("similarity "), "{}", zh.stdout);
    assert!(zh.stderr.contains("report.html"), "{}", zh.stderr);
    shoumi_match(
        d,
        &[
            "compare",
            "Furnace.java",
            "Oven.java",
            "-o",
            "report-en.html",
            "--lang",
            "en",
        ],
    )
    .ok();
    let zh = std::fs::read_to_string(d.join("report.html")).unwrap();
    let en = std::fs::read_to_string(d.join("report-en.html")).unwrap();
    for html in [&zh, &en] {
        assert!(html.contains("<html"), "an HTML page");
        assert!(html.contains("Furnace.java") && html.contains("Oven.java"));
        // Highlighted runs, linked to each other across the two sides.
        assert!(html.contains(r##"<a class="m m0" id="L1" href="#R1""##));
        assert!(html.contains(r##"<a class="m m0" id="R1" href="#L1""##));
        // The secret's text is shown escaped, never as markup.
        assert!(
            !html.contains("<script"),
            "unescaped markup from the secret"
        );
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "the escaped string literal"
        );
        assert!(
            html.contains("炉温校准系数"),
            "the secret's own text is shown"
        );
    }
    assert!(zh.contains(r#"<html lang="zh-CN""#));
    assert!(zh.contains("同一性比对报告") && zh.contains("相同片段"));
    assert!(!zh.contains("Similarity appraisal report"));
    assert!(en.contains(r#"<html lang="en""#));
    assert!(en.contains("Similarity appraisal report") && en.contains("Shared runs"));
    assert!(!en.contains("同一性比对报告") && !en.contains("相同片段"));

    // An unknown report language is refused.
    let bad = shoumi_match(
        d,
        &[
            "compare",
            "Furnace.java",
            "Oven.java",
            "-o",
            "x.html",
            "--lang",
            "fr",
        ],
    )
    .failed();
    assert!(bad.stderr.contains("--lang"), "{}", bad.stderr);
    assert!(!d.join("x.html").exists());
}

#[test]
fn compare_json_report_names_regions_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Furnace.java", REGION_SECRET_JAVA);
    write(d, "Copy.java", REGION_SUSPECT_JAVA);
    let run = shoumi_match(
        d,
        &["compare", "Furnace.java", "Copy.java", "-o", "report.json"],
    )
    .ok();
    assert!(run.stderr.contains("report.json"), "{}", run.stderr);
    let text = std::fs::read_to_string(d.join("report.json")).unwrap();
    let c: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(c["left"], "Furnace.java");
    assert_eq!(c["right"], "Copy.java");
    for field in ["similarity", "left_containment", "right_containment"] {
        let x = c[field]
            .as_f64()
            .unwrap_or_else(|| panic!("{field} in {c}"));
        assert!((0.0..=1.0).contains(&x), "{field} {x}");
    }
    let matches = c["matches"].as_array().unwrap();
    let m = matches
        .iter()
        .max_by_key(|m| m["tokens"].as_u64().unwrap())
        .expect("the copied block is a region");
    let pos = |side: &str, end: &str, what: &str| m[side][end][what].as_u64().unwrap();
    assert_eq!(
        (pos("left", "start", "line"), pos("left", "end", "line")),
        (10, 14),
        "{m}"
    );
    assert_eq!(
        (pos("right", "start", "line"), pos("right", "end", "line")),
        (4, 8),
        "{m}"
    );
    assert_eq!(pos("left", "start", "col"), 5, "{m}");
    assert_eq!(pos("right", "start", "col"), 3, "{m}");
    assert_eq!(c["longest"], m["tokens"]);

    // --json prints the same comparison on stdout.
    let stdout = shoumi_match(d, &["compare", "Furnace.java", "Copy.java", "--json"]).ok();
    let printed: Value = serde_json::from_str(&stdout.stdout).unwrap();
    assert_eq!(printed, c);

    // The plain summary names the same region by line and column.
    let plain = shoumi_match(d, &["compare", "Furnace.java", "Copy.java"]).ok();
    assert!(
        plain
            .stdout
            .contains("Furnace.java:10:5-14:5  Copy.java:4:3-8:3"),
        "{}",
        plain.stdout
    );
}

#[test]
fn pairs_reads_tab_separated_pairs_and_writes_one_line_each_in_order() {
    let dir = java_dir();
    let d = dir.path();
    let input = "Furnace.java\tOven.java\n\
                 Furnace.java\tInventory.java\n\
                 Oven.java\tFurnace.java\n\
                 Furnace.java\tFurnace.java\r\n\
                 Inventory.java\tOven.java\n";
    let run = shoumi_match_with_stdin(d, &["pairs"], input).ok();
    assert_eq!(run.stderr, "");
    let out: Vec<Scored> = run.stdout.lines().map(scored).collect();
    let names: Vec<(&str, &str)> = out
        .iter()
        .map(|s| (s.left.as_str(), s.right.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Furnace.java", "Oven.java"),
            ("Furnace.java", "Inventory.java"),
            ("Oven.java", "Furnace.java"),
            ("Furnace.java", "Furnace.java"),
            ("Inventory.java", "Oven.java"),
        ]
    );
    for s in &out {
        assert!(
            (s.similarity - s.left_containment.max(s.right_containment)).abs() <= 0.0001,
            "similarity is the larger containment: {s:?}"
        );
    }
    let (copy, unrelated, back, same) = (&out[0], &out[1], &out[2], &out[3]);
    assert!(copy.similarity >= 0.9, "{copy:?}");
    assert!(copy.longest >= 50, "{copy:?}");
    assert!(back.similarity >= 0.9, "{back:?}");
    assert!(unrelated.similarity <= 0.3, "{unrelated:?}");
    assert!(out[4].similarity <= 0.3, "{:?}", out[4]);
    assert_eq!(
        (
            same.similarity,
            same.left_containment,
            same.right_containment
        ),
        (1.0, 1.0, 1.0)
    );

    // The same lines on two threads come out in the same order with the same scores.
    let many = input.repeat(5);
    let one = shoumi_match_with_stdin(d, &["pairs", "--threads", "1"], &many).ok();
    let two = shoumi_match_with_stdin(d, &["pairs", "--threads", "2"], &many).ok();
    assert_eq!(one.stdout.lines().count(), 25);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, run.stdout.repeat(5));
}

#[test]
fn pairs_reports_a_bad_line_and_an_unreadable_file_but_scores_the_rest() {
    let dir = java_dir();
    let d = dir.path();
    let input = "Furnace.java\tOven.java\n\
                 Furnace.java Oven.java\n\
                 \n\
                 Furnace.java\tmissing.java\n\
                 Furnace.java\tOven.java\tInventory.java\n\
                 Inventory.java\tOven.java\n\
                 missing.java\tOven.java\n";
    let run = shoumi_match_with_stdin(d, &["pairs"], input);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let names: Vec<(String, String)> = run
        .stdout
        .lines()
        .map(scored)
        .map(|s| (s.left, s.right))
        .collect();
    assert_eq!(
        names,
        [
            ("Furnace.java".to_string(), "Oven.java".to_string()),
            ("Inventory.java".to_string(), "Oven.java".to_string()),
        ]
    );
    let err: Vec<&str> = run.stderr.lines().collect();
    let line = |n: &str| {
        err.iter()
            .find(|l| l.starts_with(&format!("line {n}:")))
            .unwrap_or_else(|| panic!("no message for line {n}:\n{}", run.stderr))
    };
    assert!(line("2").contains("tab"), "{}", run.stderr);
    assert!(line("4").contains("missing.java"), "{}", run.stderr);
    assert!(line("5").contains("tab"), "{}", run.stderr);
    // The blank line is skipped, not an error, but it is counted.
    assert!(!run.stderr.contains("line 3:"), "{}", run.stderr);
    // A file unreadable on several lines: each line says so, the reason is given once.
    assert!(
        line("7").contains("missing.java") && line("7").contains("see line 4"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("4 line(s)"), "{}", run.stderr);
}

#[test]
fn binary_file_is_refused_with_a_clear_message() {
    let dir = java_dir();
    let d = dir.path();
    // PNG bytes under a source file's name: recognised by content, not by extension.
    std::fs::write(d.join("Photo.java"), PNG).unwrap();
    let expect_png = |stderr: &str| {
        assert!(stderr.contains("Photo.java"), "{stderr}");
        assert!(stderr.contains("PNG image"), "{stderr}");
    };

    let run = shoumi_match(d, &["compare", "Furnace.java", "Photo.java"]).failed();
    expect_png(&run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    keygen(d, "acme.key");
    let run = shoumi_match(
        d,
        &[
            "fingerprint",
            "--key",
            "acme.key",
            "Photo.java",
            "-o",
            "photo.fp",
        ],
    )
    .failed();
    expect_png(&run.stderr);
    assert!(!d.join("photo.fp").exists());

    // A scan skips it, names it, still scans the rest and fails at the end.
    fingerprint_furnace(d);
    let run = shoumi_match(
        d,
        &[
            "scan",
            "--key",
            "acme.key",
            "--fingerprints",
            "secrets.fp",
            "Photo.java",
            "Oven.java",
        ],
    )
    .failed();
    expect_png(&run.stderr);
    assert!(run.stdout.contains("\nOven.java\t"), "{}", run.stdout);

    // And `pairs` names it with its line.
    let run = shoumi_match_with_stdin(
        d,
        &["pairs"],
        "Photo.java\tFurnace.java\nFurnace.java\tOven.java\n",
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("line 1:"), "{}", run.stderr);
    expect_png(&run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
}

#[test]
fn chinese_recipe_reworded_with_the_same_parameters_matches_and_other_parameters_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "配方.txt", RECIPE_SECRET);
    write(d, "改写.txt", RECIPE_REWORDED);
    write(d, "模板.txt", RECIPE_OTHER_PARAMETERS);

    let run =
        shoumi_match_with_stdin(d, &["pairs"], "配方.txt\t改写.txt\n配方.txt\t模板.txt\n").ok();
    let out: Vec<Scored> = run.stdout.lines().map(scored).collect();
    assert_eq!(out.len(), 2, "{}", run.stdout);
    let (reworded, other) = (&out[0], &out[1]);
    assert_eq!(
        (reworded.left.as_str(), reworded.right.as_str()),
        ("配方.txt", "改写.txt")
    );
    assert_eq!(
        (other.left.as_str(), other.right.as_str()),
        ("配方.txt", "模板.txt")
    );
    assert!(reworded.left_containment >= 0.8, "{reworded:?}");
    assert!(other.left_containment <= 0.3, "{other:?}");
    assert!(other.similarity <= 0.3, "{other:?}");

    // The JSON comparison counts the parameters: all of the secret's are in the rewording.
    let json = |b: &str| -> Value {
        let run = shoumi_match(d, &["compare", "配方.txt", b, "--json"]).ok();
        serde_json::from_str(&run.stdout).unwrap()
    };
    let c = json("改写.txt");
    let p = &c["parameters"];
    assert!(p["left"].as_u64().unwrap() >= 14, "{p}");
    assert_eq!(p["shared"], p["left"], "{p}");
    assert!(c["left_containment"].as_f64().unwrap() >= 0.8, "{c}");
    let c = json("模板.txt");
    let p = &c["parameters"];
    assert!(
        p["shared"].as_u64().unwrap() * 2 < p["left"].as_u64().unwrap(),
        "few parameters shared with the other template: {p}"
    );
    // The wording itself is shared and shown as regions.
    assert!(!c["matches"].as_array().unwrap().is_empty(), "{c}");
    assert!(c["left_containment"].as_f64().unwrap() <= 0.3, "{c}");
}
