//! The evidence ledger through the platform: registering digests over the API and the pages,
//! proofs that verify offline, the tlog-tiles read API, witnesses, two instances on one
//! database, tampering found by the audit, and the writer killed under load.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TestApp;
use serde_json::json;
use shoumi_ledger::merkle::{leaf_hash, tree_root};
use shoumi_ledger::note::{Algorithm, SignerKey};
use shoumi_ledger::tiles::{decode_bundle, index_path};
use shoumi_ledger::witness::Witness;
use shoumi_ledger::{Checkpoint, Digests, Entry, EntryKind, Note, Policy, Verifier, VerifyError};
use shoumi_storage::ledger::{self as store, Lookup, Submission};
use shoumi_storage::{Actor, Db, sql};
use shoumi_web::ledger::{Ledger, WitnessEndpoint};

fn policy(l: &Ledger, quorum: usize) -> Policy {
    Policy {
        quorum,
        ..l.config.policy()
    }
}

async fn append_docs(l: &Ledger, who: &str, docs: &[String]) -> Vec<u64> {
    let entries: Vec<Entry> = docs
        .iter()
        .map(|d| {
            Entry::new(
                EntryKind::Document,
                Digests::of(d.as_bytes()),
                [1; 32],
                1_764_000_000_000,
                who,
            )
            .unwrap()
        })
        .collect();
    l.append(Submission {
        actor: Actor::system("test"),
        entries: entries.clone(),
    })
    .await
    .unwrap();
    let mut out = Vec::new();
    for e in &entries {
        out.push(
            l.wait_sequenced(&e.identity(), Duration::from_secs(20))
                .await
                .unwrap()
                .0,
        );
    }
    out
}

#[tokio::test]
async fn registering_digests_over_the_api_gives_a_proof_that_verifies_offline() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    c.api_sign_in("enterprise").await;
    let doc = b"the recipe, version 3";
    let d = Digests::of(doc);
    let body = json!({"wait": true, "entries": [{
        "kind": "secret-version",
        "sha256": hex::encode(d.sha256),
        "sm3": hex::encode(d.sm3),
        "metadata_sha256": hex::encode([7u8; 32]),
    }]});
    let r = c.json("POST", "/api/v1/ledger/entries", body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert!(j["submitter"].as_str().unwrap().starts_with("uscc:"), "{j}");
    let e0 = &j["entries"][0];
    assert_eq!(e0["status"], "integrated");
    let index = e0["index"].as_u64().unwrap();

    // The same document and metadata again: the existing entry, not a new one.
    let again = c.json("POST", "/api/v1/ledger/entries", body).await.json();
    assert_eq!(again["entries"][0]["index"].as_u64(), Some(index));
    assert_eq!(again["entries"][0]["existing"], true);

    let proof = c.get(&format!("/api/v1/ledger/proofs/{index}")).await;
    assert_eq!(proof.status, 200);
    let v = Verifier::new(policy(&app.ledger, 0));
    let ok = v.verify(&proof.body, Some(&d)).unwrap();
    assert_eq!(ok.index, index);
    assert_eq!(ok.entry.kind, EntryKind::SecretVersion);
    assert_eq!(
        v.verify(&proof.body, Some(&Digests::of(b"another document")))
            .unwrap_err(),
        VerifyError::DocumentSha256
    );

    // Status by identity.
    let id = &e0["identity"];
    let st = c
        .get(&format!("/api/v1/ledger/entries/{}", id.as_str().unwrap()))
        .await
        .json();
    assert_eq!(st["status"], "integrated");
    assert_eq!(st["entry"]["sha256"], hex::encode(d.sha256));

    // Bad input names the field; nothing is written.
    let before = store::head(&app.db).await.unwrap().unwrap().size;
    let r = c
        .json(
            "POST",
            "/api/v1/ledger/entries",
            json!({"entries": [{"kind": "secret-version", "sha256": "abc", "sm3": hex::encode(d.sm3),
                                "metadata_sha256": hex::encode([0u8; 32])},
                               {"kind": "poem", "sha256": hex::encode(d.sha256), "sm3": hex::encode(d.sm3),
                                "metadata_sha256": hex::encode([0u8; 32])}]}),
        )
        .await;
    assert_eq!(r.status, 422);
    let t = r.text();
    assert!(
        t.contains("entries[0].sha256") && t.contains("entries[1].kind"),
        "{t}"
    );
    assert_eq!(store::pending_count(&app.db).await.unwrap(), 0);
    assert_eq!(store::head(&app.db).await.unwrap().unwrap().size, before);

    // Another enterprise cannot read this entry's proof, nor register as this enterprise.
    let mut b = app.client();
    b.api_sign_in("enterprise-b").await;
    assert_eq!(
        b.get(&format!("/api/v1/ledger/proofs/{index}"))
            .await
            .status,
        404
    );
    let r = b
        .json(
            "POST",
            "/api/v1/ledger/entries",
            json!({"submitter": j["submitter"], "entries": [{"kind": "document",
                   "sha256": hex::encode(d.sha256), "sm3": hex::encode(d.sm3),
                   "metadata_sha256": hex::encode([0u8; 32])}]}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("submitter"));
}

#[tokio::test]
async fn tiles_and_checkpoint_follow_tlog_tiles_and_rebuild_the_signed_root() {
    let app = TestApp::spawn().await;
    let docs: Vec<String> = (0..300).map(|i| format!("doc {i}")).collect();
    append_docs(&app.ledger, "user:office", &docs).await;
    let mut c = app.client();
    let cp = c.get("/log/checkpoint").await;
    assert_eq!(cp.status, 200);
    assert_eq!(cp.headers["cache-control"], "no-cache");
    let note = Note::parse(&cp.body).unwrap();
    note.verify(&app.ledger.config.log_keys()).unwrap();
    let checkpoint = Checkpoint::parse(&note.text).unwrap();
    let size = checkpoint.size;
    assert_eq!(size, 300);

    let full = c.get("/log/tile/0/000").await;
    assert_eq!(full.status, 200);
    assert_eq!(full.body.len(), 256 * 32);
    assert_eq!(
        full.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let part = c.get("/log/tile/0/001.p/44").await;
    assert_eq!(part.status, 200);
    assert_eq!(part.body.len(), 44 * 32);
    // Narrower widths of a partial tile are served; wider than the tree are not.
    assert_eq!(c.get("/log/tile/0/001.p/10").await.body, part.body[..320]);
    assert_eq!(c.get("/log/tile/0/001.p/45").await.status, 404);
    assert_eq!(c.get("/log/tile/0/001").await.status, 404);
    assert_eq!(c.get("/log/tile/0/1").await.status, 404);
    let upper = c.get("/log/tile/1/000.p/1").await;
    assert_eq!(upper.body.len(), 32);

    // Leaves from the bundles hash to the tiles, and the tiles to the signed root.
    let mut leaves = Vec::new();
    for (n, w) in [(0u64, None), (1, Some(44))] {
        let path = match w {
            None => format!("/log/tile/entries/{}", index_path(n)),
            Some(w) => format!("/log/tile/entries/{}.p/{w}", index_path(n)),
        };
        let b = c.get(&path).await;
        assert_eq!(b.status, 200, "{path}");
        for e in decode_bundle(&b.body).unwrap() {
            Entry::parse(e).unwrap();
            leaves.push(leaf_hash(e));
        }
    }
    let tile_hashes: Vec<[u8; 32]> = full
        .body
        .chunks(32)
        .chain(part.body.chunks(32))
        .map(|h| h.try_into().unwrap())
        .collect();
    assert_eq!(leaves, tile_hashes);
    assert_eq!(
        tree_root(&shoumi_ledger::merkle::Leaves(&leaves), size).unwrap(),
        checkpoint.root
    );
    assert_eq!(
        shoumi_ledger::merkle::perfect_root(&leaves[..256]),
        <[u8; 32]>::try_from(&upper.body[..]).unwrap()
    );
}

#[tokio::test]
async fn a_page_registration_sends_only_digests_and_the_certificate_and_verification_read_plainly()
{
    let app = TestApp::spawn().await;
    let mut c = app.signed_in("enterprise").await;
    let page = c.get("/evidence").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("register-form"));
    let doc = b"%PDF-1.4 confidentiality agreement with staff";
    let d = Digests::of(doc);
    // Bad digests are named beside their fields.
    let r = c
        .post_form(
            "/evidence",
            &[
                ("kind", "measure-record"),
                ("title", "保密协议"),
                ("sha256", "zz"),
                ("sm3", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("sha256-error") && r.text().contains("sm3-error"));

    let r = c
        .post_form(
            "/evidence",
            &[
                ("kind", "measure-record"),
                ("title", "保密协议"),
                ("file_name", "agreement.pdf"),
                ("file_size", &doc.len().to_string()),
                ("sha256", &hex::encode(d.sha256)),
                ("sm3", &hex::encode(d.sm3)),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let to = r.location.clone().unwrap();
    assert!(
        to.starts_with("/evidence/") && to.ends_with("?registered=1"),
        "{to}"
    );
    let cert = c.get(&to).await;
    assert_eq!(cert.status, 200);
    let t = cert.text();
    assert!(
        t.contains(&hex::encode(d.sha256)) && t.contains("存证证书"),
        "{t}"
    );
    let index: u64 = to["/evidence/".len()..to.find('?').unwrap()]
        .parse()
        .unwrap();
    let proof = c.get(&format!("/evidence/{index}/proof")).await;
    assert_eq!(proof.status, 200);
    assert!(
        proof.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".tlog-proof")
    );
    let listing = c.get("/evidence").await.text();
    assert!(listing.contains(&format!("/evidence/{index}")));

    // Anyone verifies: the right document, then the wrong one, then a damaged proof.
    let mut anon = app.client();
    assert_eq!(anon.get("/evidence/verify").await.status, 200);
    let proof_text = proof.text();
    let ok = anon
        .post_file(
            "/evidence/verify",
            &[
                ("sha256", &hex::encode(d.sha256)),
                ("sm3", &hex::encode(d.sm3)),
                ("proof_text", &proof_text),
            ],
            "ignored",
            b"",
        )
        .await
        .text();
    assert!(ok.contains("data-result=\"valid\""), "{ok}");
    assert!(ok.contains("所选文件正是当时登记的文件"));
    let entry = Entry::parse(&store::entry(&app.db, index).await.unwrap().unwrap()).unwrap();
    let name = store::resolve_submitter(&app.db, &entry.submitter)
        .await
        .unwrap()
        .expect("the enterprise is known");
    assert!(ok.contains(&name), "the enterprise is named");
    let wrong = Digests::of(b"some other file");
    let bad = anon
        .post_file(
            "/evidence/verify",
            &[
                ("sha256", &hex::encode(wrong.sha256)),
                ("proof_text", &proof_text),
            ],
            "ignored",
            b"",
        )
        .await
        .text();
    assert!(
        bad.contains("data-result=\"invalid\"") && bad.contains("不一致"),
        "{bad}"
    );
    let damaged = proof_text.replacen("index ", "index 1", 1);
    let bad = anon
        .post_file("/evidence/verify", &[("proof_text", &damaged)], "x", b"")
        .await
        .text();
    assert!(bad.contains("data-result=\"invalid\""), "{bad}");
}

/// Starts an in-process witness server; its endpoint for the log.
async fn witness(
    name: &str,
    ledger_keys: Vec<shoumi_ledger::VerifierKey>,
) -> (WitnessEndpoint, Arc<Witness>) {
    let key = SignerKey::generate(name, Algorithm::Cosignature).unwrap();
    let vkey = key.verifier().clone();
    let w = Arc::new(Witness::open(key, ledger_keys, None).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = shoumi_web::ledger::witness_server::router(w.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (
        WitnessEndpoint {
            url: format!("http://{addr}"),
            key: vkey,
            label: name.into(),
        },
        w,
    )
}

#[tokio::test]
async fn two_of_three_witnesses_cosign_and_proofs_carry_their_times() {
    let scratch = shoumi_storage::scratch::ScratchDb::new().await;
    let db = common::connect(&scratch.url).await;
    shoumi_storage::migrate::run(&db).await.unwrap();
    // The log's keys must be known to the witnesses before they start, so make them first.
    let origin = "test.example/ledger";
    let ed = SignerKey::generate(origin, Algorithm::Ed25519).unwrap();
    let sm2 = SignerKey::generate(origin, Algorithm::Sm2).unwrap();
    let keys = vec![ed.verifier().clone(), sm2.verifier().clone()];
    let (court, _) = witness("court.example/w", keys.clone()).await;
    let (proc_, _) = witness("procuratorate.example/w", keys.clone()).await;
    // The police witness is down: nothing listens there.
    let down = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let police = WitnessEndpoint {
        url: format!("http://{}", down.local_addr().unwrap()),
        key: SignerKey::generate("police.example/w", Algorithm::Cosignature)
            .unwrap()
            .verifier()
            .clone(),
        label: "police".into(),
    };
    drop(down);
    let l = Ledger::start(
        db.clone(),
        shoumi_web::ledger::LedgerConfig {
            origin: origin.into(),
            ed25519: ed,
            sm2,
            witnesses: vec![court, proc_, police],
            quorum: 2,
            interval: Duration::from_millis(10),
            audit_anchor_every: None,
        },
    )
    .await
    .unwrap();
    let idx = append_docs(&l, "user:office", &["witnessed".to_string()]).await[0];
    assert!(l.wait_cosigned(idx, Duration::from_secs(20)).await.unwrap());
    let proof = l.proof(idx).await.unwrap().to_text();
    let two = Verifier::new(policy(&l, 2))
        .verify(proof.as_bytes(), Some(&Digests::of(b"witnessed")))
        .unwrap();
    assert_eq!(two.checkpoint.cosignatures.len(), 2);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        two.checkpoint
            .cosignatures
            .iter()
            .all(|(_, t)| now - t < 60)
    );
    match Verifier::new(policy(&l, 3)).verify(proof.as_bytes(), None) {
        Err(VerifyError::Quorum {
            have: 2,
            need: 3,
            missing,
        }) => assert_eq!(missing, vec!["police.example/w".to_string()]),
        other => panic!("expected a quorum failure, got {other:?}"),
    }
    // Later entries are cosigned too: witnesses follow the log by consistency proofs.
    let more: Vec<String> = (0..40).map(|i| format!("later {i}")).collect();
    let last = *append_docs(&l, "user:office", &more).await.last().unwrap();
    assert!(
        l.wait_cosigned(last, Duration::from_secs(20))
            .await
            .unwrap()
    );
    let report = store::audit(&db, origin, &l.config.log_keys(), &l.config.witness_keys())
        .await
        .unwrap();
    assert!(report.cosignatures >= 4, "{report:?}");
    l.stop();
}

#[tokio::test]
async fn two_instances_share_one_log_one_sequences_and_the_other_takes_over() {
    let app = TestApp::spawn().await;
    let a = app.ledger.clone();
    // A second instance: same keys (an operator deploys the same key files), own connections.
    let db2 = common::connect(&app.url).await;
    let b = Ledger::start(db2.clone(), clone_config(&a)).await.unwrap();
    let docs_a: Vec<String> = (0..50).map(|i| format!("a {i}")).collect();
    let docs_b: Vec<String> = (0..50).map(|i| format!("b {i}")).collect();
    let (ia, ib) = tokio::join!(
        append_docs(&a, "user:office", &docs_a),
        append_docs(&b, "user:office", &docs_b)
    );
    let mut all: Vec<u64> = ia.into_iter().chain(ib).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 100, "every entry once");
    // The sequencer stops; the other instance takes the lock and carries on.
    a.stop();
    let late: Vec<String> = (0..20).map(|i| format!("late {i}")).collect();
    let il = append_docs(&b, "user:office", &late).await;
    assert_eq!(il.len(), 20);
    let h = store::head(&app.db).await.unwrap().unwrap();
    assert_eq!(h.size, 120, "{h:?}");
    store::audit(&app.db, &a.config.origin, &a.config.log_keys(), &[])
        .await
        .unwrap();
    b.stop();
}

fn clone_config(l: &Ledger) -> shoumi_web::ledger::LedgerConfig {
    let c = &l.config;
    shoumi_web::ledger::LedgerConfig {
        origin: c.origin.clone(),
        ed25519: SignerKey::parse(&c.ed25519.to_private_string()).unwrap(),
        sm2: SignerKey::parse(&c.sm2.to_private_string()).unwrap(),
        witnesses: c.witnesses.clone(),
        quorum: c.quorum,
        interval: c.interval,
        audit_anchor_every: c.audit_anchor_every,
    }
}

/// Every stored value of the log, as (table, id, column).
async fn cells(db: &Db) -> Vec<(&'static str, i64, &'static str)> {
    let mut out = Vec::new();
    for (table, cols) in [
        ("ledger_head", &["size", "root", "cosigned_size"][..]),
        (
            "ledger_entries",
            &["id", "identity", "entry", "submitter"][..],
        ),
        ("ledger_tiles", &["id", "hashes"][..]),
        ("ledger_checkpoints", &["id", "note"][..]),
    ] {
        let ids: Vec<i64> = sql::query(&format!("SELECT id FROM {table} ORDER BY id"))
            .fetch_all(db)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_at::<i64>(0).unwrap())
            .collect();
        for id in ids {
            for c in cols {
                out.push((table, id, *c));
            }
        }
    }
    out
}

async fn set_value(db: &Db, table: &str, col: &str, id: i64, mut args: sql::Args) -> bool {
    args.add(id);
    sql::query_with(
        &format!("UPDATE {table} SET {col} = $1 WHERE id = $2"),
        args,
    )
    .execute(db)
    .await
    .is_ok()
}

/// Changes one byte of one stored value (an integer by one), returning how to put it back.
async fn tamper(db: &Db, table: &str, id: i64, col: &str, seed: usize) -> Option<sql::Args> {
    let row = sql::query(&format!("SELECT {col} FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap();
    let mut restore = sql::Args::default();
    let mut changed = sql::Args::default();
    if let Ok(v) = row.try_get_at::<i64>(0) {
        restore.add(v);
        changed.add(if col == "id" { v + 1_000_000 } else { v + 1 });
    } else if let Ok(v) = row.try_get_at::<String>(0) {
        restore.add(v.clone());
        let mut b = v.into_bytes();
        let i = seed % b.len();
        // Another ASCII letter, so the text stays UTF-8 (a multi-byte character is skipped).
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        changed.add(String::from_utf8(b).ok()?);
    } else {
        let v: Vec<u8> = row.try_get_at(0).unwrap();
        restore.add(v.clone());
        let mut b = v;
        let i = seed % b.len();
        b[i] ^= 1 << (seed % 8);
        changed.add(b);
    }
    set_value(db, table, col, id, changed)
        .await
        .then_some(restore)
}

#[tokio::test]
async fn one_changed_byte_anywhere_in_the_log_is_found_by_the_audit() {
    let app = TestApp::spawn().await;
    let l = &app.ledger;
    // Enough entries for a full tile, a second level, and several checkpoints.
    for chunk in 0..3 {
        let docs: Vec<String> = (0..100).map(|i| format!("tamper {chunk} {i}")).collect();
        append_docs(l, "user:office", &docs).await;
    }
    let keys = l.config.log_keys();
    let audit = || store::audit(&app.db, &l.config.origin, &keys, &[]);
    audit().await.expect("consistent before");
    l.stop();
    let cells = cells(&app.db).await;
    // Every head, tile and checkpoint value; entries sampled across the log.
    let mut checked = 0;
    for (n, (table, id, col)) in cells.iter().enumerate() {
        if *table == "ledger_entries" && n % 23 != 0 {
            continue;
        }
        let Some(restore) = tamper(&app.db, table, *id, col, n * 7919 + 13).await else {
            continue;
        };
        let found = audit().await;
        // Put it back (the id of a moved row is its new id).
        let where_id = if *col == "id" { *id + 1_000_000 } else { *id };
        assert!(set_value(&app.db, table, col, where_id, restore).await);
        assert!(
            found.is_err(),
            "changing {table}.{col} of row {id} went unnoticed"
        );
        checked += 1;
    }
    assert!(checked > 40, "{checked}");
    audit().await.expect("consistent again");
}

/// The writer is killed (SIGKILL) at random moments under load; after restart no acknowledged
/// entry is missing and the audit passes. (The benchmark script does this 100 times.)
#[tokio::test]
async fn a_writer_killed_under_load_loses_no_acknowledged_entry() {
    use std::io::BufRead;
    let scratch = shoumi_storage::scratch::ScratchDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_shoumi");
    let data = dir.path().to_str().unwrap();
    let url = scratch.url.clone();
    let status = std::process::Command::new(bin)
        .args([
            "--data",
            data,
            "--database-url",
            &url,
            "log",
            "init",
            "--origin",
            "crash.example/log",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let mut acked = Vec::new();
    for round in 0..3u64 {
        let mut child = std::process::Command::new(bin)
            .args([
                "--data",
                data,
                "--database-url",
                &url,
                "log",
                "load",
                "--seconds",
                "60",
                "--clients",
                "8",
                "--batch",
                "4",
                "--print-acks",
            ])
            .env("SHOUMI__LOG__FILTER", "error")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(h) = line.strip_prefix("ack ") {
                    let _ = tx.send(h.to_string());
                }
            }
        });
        // Let it start and write for a while, then kill it mid-flight.
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the writer acknowledges");
        acked.push(first);
        std::thread::sleep(Duration::from_millis(200 + (round * 337) % 700));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        acked.extend(rx.try_iter());
    }
    assert!(acked.len() > 10, "{}", acked.len());
    // Restart: a process with the log's keys sequences what was pending.
    let cfg = shoumi::config::Config::load(
        None,
        &shoumi::config::Overrides {
            data_dir: Some(dir.path().to_path_buf()),
            database_url: Some(url.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let db = common::connect(&url).await;
    let l = shoumi::ledger::start(&cfg, &db).await.unwrap().unwrap();
    for h in &acked {
        let id = hex::decode(h).unwrap();
        l.wait_sequenced(&id, Duration::from_secs(60))
            .await
            .unwrap_or_else(|e| panic!("acknowledged entry {h} is lost: {e}"));
    }
    assert!(matches!(
        store::lookup(&db, &hex::decode(&acked[0]).unwrap())
            .await
            .unwrap(),
        Lookup::Sequenced { .. }
    ));
    let r = store::audit(&db, &l.config.origin, &l.config.log_keys(), &[])
        .await
        .unwrap();
    assert!(r.entries as usize >= acked.len());
    l.stop();
}

#[tokio::test]
async fn the_audit_trail_anchored_in_the_ledger_reveals_a_changed_or_removed_row() {
    let app = TestApp::spawn().await;
    // The demo has written hundreds of audit rows; anchor them (no settling time in a test).
    let a = store::anchor_audit_trail(&app.db, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.from_audit_id, 1);
    let e = a.entry(&[0; 32], 0).unwrap();
    app.ledger
        .wait_sequenced(&e.identity(), Duration::from_secs(20))
        .await
        .expect("the anchor is registered in the ledger");
    let (anchors, rows) = store::verify_audit_anchors(&app.db).await.unwrap();
    assert_eq!(anchors, 1);
    assert!(rows > 100, "{rows}");
    // The next anchor chains on from the last (sequencing and anchoring were audited since).
    let b = store::anchor_audit_trail(&app.db, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.from_audit_id, a.to_audit_id + 1);
    assert_eq!(store::verify_audit_anchors(&app.db).await.unwrap().0, 2);
    assert!(
        store::anchor_audit_trail(&app.db, 3_600_000_000)
            .await
            .unwrap()
            .is_none()
    );

    // Someone with database access edits an anchored audit row: found, with its range.
    let victim = a.to_audit_id - 3;
    let summary: String = sql::query_scalar("SELECT summary FROM audit_log WHERE id = $1")
        .bind(victim)
        .fetch_one(&app.db)
        .await
        .unwrap();
    sql::query("UPDATE audit_log SET summary = $1 WHERE id = $2")
        .bind(format!("{summary} "))
        .bind(victim)
        .execute(&app.db)
        .await
        .unwrap();
    let err = store::verify_audit_anchors(&app.db).await.unwrap_err();
    assert!(
        err.contains(&format!("{}–{}", a.from_audit_id, a.to_audit_id)),
        "{err}"
    );
    sql::query("UPDATE audit_log SET summary = $1 WHERE id = $2")
        .bind(summary)
        .bind(victim)
        .execute(&app.db)
        .await
        .unwrap();
    store::verify_audit_anchors(&app.db).await.unwrap();
    // … or removes one.
    sql::query("DELETE FROM audit_log WHERE id = $1")
        .bind(b.to_audit_id)
        .execute(&app.db)
        .await
        .unwrap();
    let err = store::verify_audit_anchors(&app.db).await.unwrap_err();
    assert!(err.contains("changed or removed"), "{err}");
    app.ledger.stop();
}
