//! `shoumi calendar`: working days from the command line, and importing a year, on a fresh
//! database (SQLite, or PostgreSQL with SHOUMI_TEST_DATABASE_URL).

mod common;

use std::process::{Command, Output};

fn shoumi(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shoumi"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("SHOUMI_CONFIG")
        .output()
        .expect("run shoumi")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn add_days_skips_national_day_and_warns_about_a_year_without_a_notice() {
    let scratch = common::ScratchDb::new().await;
    let url = scratch.url.clone();
    let o = shoumi(&url, &["calendar", "add-days", "2024-09-30", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2024-10-08 星期二");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    let o = shoumi(&url, &["calendar", "add-days", "2026-12-28", "10"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), "2027-01-11 星期一");
    assert!(
        stderr(&o).contains("2027"),
        "no uncertainty warning: {}",
        stderr(&o)
    );

    let o = shoumi(&url, &["calendar", "between", "2025-01-24", "2025-02-10"]);
    assert_eq!(stdout(&o).trim(), "7");

    let o = shoumi(&url, &["calendar", "add-days", "2024-02-30", "1"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("2024-02-30"), "{}", stderr(&o));
}

#[tokio::test]
async fn an_imported_year_is_used_and_a_bad_file_changes_nothing() {
    let scratch = common::ScratchDb::new().await;
    let url = scratch.url.clone();
    let files = tempfile::tempdir().unwrap();
    // A made-up 2027 notice: Spring Festival off 02-06..02-12, Sunday 02-14 worked.
    let good = files.path().join("2027.toml");
    std::fs::write(
        &good,
        "[[year]]\nyear = 2027\nsource = \"测试通知\"\noff = [\"2027-01-01\", \"2027-02-06..2027-02-12\"]\nwork = [\"2027-02-14\"]\n",
    )
    .unwrap();
    // The same year in holiday-cn JSON, with a weekday listed as a working day: refused.
    let bad = files.path().join("2027.json");
    std::fs::write(
        &bad,
        r#"{"year": 2027, "papers": [], "days": [{"name": "春节", "date": "2027-02-06", "isOffDay": true}, {"name": "春节", "date": "2027-02-03", "isOffDay": false}]}"#,
    )
    .unwrap();

    let o = shoumi(&url, &["calendar", "import", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("2027-02-03"), "{}", stderr(&o));
    let o = shoumi(&url, &["calendar", "show"]);
    assert!(!stdout(&o).contains("2027"), "{}", stdout(&o));

    let o = shoumi(&url, &["calendar", "import", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("2027: added"), "{}", stdout(&o));
    // Importing it again changes nothing.
    let o = shoumi(&url, &["calendar", "import", good.to_str().unwrap()]);
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));

    // Fri 2027-02-05 + 1 → Sun 02-14 (worked); no warning now.
    let o = shoumi(&url, &["calendar", "add-days", "2027-02-05", "1"]);
    assert_eq!(stdout(&o).trim(), "2027-02-14 星期日");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    // The import is in the audit trail.
    let db = common::connect(&url).await;
    let rows = shoumi_storage::audit::for_entity(&db, "calendar_year", "2027")
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "calendar.add");
}

#[tokio::test]
async fn a_programme_file_is_exported_edited_and_imported_as_a_new_version() {
    let scratch = common::ScratchDb::new().await;
    let url = scratch.url.clone();
    let files = tempfile::tempdir().unwrap();
    let o = shoumi(&url, &["programme", "export", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = stdout(&o);
    assert!(json.contains("\"format\": \"shoumi-programme/1\""));
    // The same file again: no new version.
    let same = files.path().join("same.json");
    std::fs::write(&same, &json).unwrap();
    let o = shoumi(&url, &["programme", "import", same.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));
    // A raised 2025 enterprise target: version 2.
    let raised = files.path().join("raised.yaml");
    let yaml = stdout(&shoumi(&url, &["programme", "export"]));
    std::fs::write(&raised, yaml.replacen("count: 15", "count: 18", 1)).unwrap();
    let o = shoumi(
        &url,
        &[
            "programme",
            "import",
            raised.to_str().unwrap(),
            "--note",
            "目标上调",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("version 2"), "{}", stdout(&o));
    let o = shoumi(&url, &["programme", "versions"]);
    let lines: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("目标上调"));
    let o = shoumi(&url, &["programme", "export", "--version", "1"]);
    assert!(stdout(&o).contains("count: 15"));
    // A broken file names its problems and changes nothing.
    let bad = files.path().join("bad.yaml");
    std::fs::write(&bad, yaml.replacen("points: 15", "points: 16", 1)).unwrap();
    let o = shoumi(&url, &["programme", "import", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("indicators.enterprise"),
        "{}",
        stderr(&o)
    );
    let o = shoumi(&url, &["programme", "versions"]);
    assert_eq!(stdout(&o).lines().count(), 2);
}
