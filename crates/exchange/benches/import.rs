//! Import speed: a 100,000-row enterprise XLSX, parsed and validated from bytes.
//!
//! Target: well under 2 s per file in release (`cargo bench -p shoumi-exchange`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rust_xlsxwriter::Workbook;
use shoumi_domain::CreditCode;
use shoumi_exchange::{ENTERPRISE_COLUMNS, import_enterprises};

const ROWS: u32 = 100_000;

/// A realistic sheet: every column filled, numbers where people leave numbers.
fn workbook(rows: u32) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, col) in ENTERPRISE_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, col.zh).unwrap();
    }
    let towns = [
        "371526001",
        "371526002",
        "371526101",
        "371526102",
        "371526103",
    ];
    let industries = ["C26", "C17", "C34", "C38", "F51", "I65"];
    let sizes = ["大型", "中型", "小型", "微型"];
    for i in 0..rows {
        let r = i + 1;
        let code = CreditCode::with_check_character(&format!("91371526{i:09}")).unwrap();
        ws.write_string(r, 0, format!("高唐县示例第{i}号制造有限公司"))
            .unwrap();
        ws.write_string(r, 1, code.as_str()).unwrap();
        ws.write_string(r, 2, "王某某").unwrap();
        ws.write_string(r, 3, format!("山东省聊城市高唐县人和街道工业路{i}号"))
            .unwrap();
        // Division codes as numbers, as they end up when typed into Excel.
        ws.write_number(
            r,
            4,
            towns[i as usize % towns.len()].parse::<f64>().unwrap(),
        )
        .unwrap();
        ws.write_string(r, 5, "").unwrap();
        ws.write_string(r, 6, industries[i as usize % industries.len()])
            .unwrap();
        ws.write_string(r, 7, sizes[i as usize % sizes.len()])
            .unwrap();
        ws.write_string(
            r,
            8,
            if i % 7 == 0 {
                "专精特新、瞪羚企业"
            } else {
                ""
            },
        )
        .unwrap();
        ws.write_string(r, 9, "李某").unwrap();
        ws.write_number(r, 10, 13_800_000_000.0 + f64::from(i))
            .unwrap();
        ws.write_string(r, 11, format!("contact{i}@example.cn"))
            .unwrap();
        ws.write_string(r, 12, if i % 2 == 0 { "是" } else { "否" })
            .unwrap();
        ws.write_string(r, 13, "存续").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn bench(c: &mut Criterion) {
    let bytes = workbook(ROWS);
    let check = import_enterprises("bench.xlsx", &bytes).unwrap();
    assert!(
        check.is_clean(),
        "{:?}",
        &check.problems[..3.min(check.problems.len())]
    );
    assert_eq!(check.rows.len(), ROWS as usize);
    c.bench_function("import 100k-row enterprise xlsx", |b| {
        b.iter(|| import_enterprises("bench.xlsx", black_box(&bytes)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
