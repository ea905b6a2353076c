//! Behaviour of import and export, end to end through bytes.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use shoumi_domain::{
    CreditCode, DivisionCode, EnterpriseForm, EnterpriseInput, KeyTag, UnitInput, UnitKind,
};
use shoumi_exchange::{
    ExchangeError, Format, Severity, detect_format, export_enterprises, export_table_csv,
    export_table_xlsx, export_units, import_enterprises, import_units, problems_report_xlsx,
};

const HEADER: &[&str] = &[
    "企业名称",
    "统一社会信用代码",
    "所属镇街代码",
    "行业",
    "规模",
    "联系电话",
];

fn code(i: u32) -> String {
    CreditCode::with_check_character(&format!("91371526{i:09}"))
        .unwrap()
        .to_string()
}

/// A cell to write into a test workbook.
enum V {
    S(&'static str),
    Str(String),
    N(f64),
}

fn xlsx(header: &[&str], rows: &[Vec<V>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match v {
                V::S(s) => ws.write_string(r, c, *s).map(|_| ()),
                V::Str(s) => ws.write_string(r, c, s).map(|_| ()),
                V::N(n) => ws.write_number(r, c, *n).map(|_| ()),
            }
            .unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn good_row(i: u32) -> Vec<V> {
    vec![
        V::Str(format!("高唐县示例企业{i}有限公司")),
        V::Str(code(i)),
        V::S("371526101"),
        V::S("C26"),
        V::S("小型"),
        V::S("0635-3951234"),
    ]
}

fn sample_enterprises() -> Vec<EnterpriseInput> {
    let full = EnterpriseForm {
        name: "高唐县示例精细化工有限公司".into(),
        credit_code: "91310110666007217T".into(),
        legal_representative: "张三".into(),
        address: "山东省聊城市高唐县鱼丘湖街道, \"1号\"\n北院".into(),
        division_code: "371526101".into(),
        zone_key: "kaifaqu".into(),
        industry: "C26".into(),
        size: "小型".into(),
        tags: "专精特新、瞪羚企业、高新技术企业".into(),
        contact_name: "李四".into(),
        contact_phone: "+86 635 3951234".into(),
        contact_email: "li@example.cn".into(),
        share_contacts: "是".into(),
        status: "停业".into(),
    };
    let minimal = EnterpriseForm {
        name: "=HYPERLINK(\"x\")有限公司".into(),
        credit_code: code(7),
        division_code: "371526".into(),
        industry: "A01".into(),
        ..Default::default()
    };
    let legacy = EnterpriseForm {
        name: "早期试点企业".into(),
        credit_code: "91350211M00013FA1N".into(),
        division_code: "371526102".into(),
        industry: "26".into(),
        contact_phone: "-".into(),
        ..Default::default()
    };
    [full, minimal, legacy]
        .iter()
        .map(|f| f.parse().unwrap().0)
        .collect()
}

#[test]
fn a_file_with_one_bad_row_reports_that_row_and_column() {
    let mut bad = good_row(2);
    bad[1] = V::S("91371526ABC");
    let bytes = xlsx(HEADER, &[good_row(1), bad, good_row(3)]);
    let out = import_enterprises("企业.xlsx", &bytes).unwrap();
    assert!(!out.is_clean());
    assert_eq!(out.rows.len(), 2);
    assert_eq!(out.rows[0].row, 2);
    assert_eq!(out.rows[1].row, 4);
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    let p = &out.problems[0];
    assert_eq!(p.row, 3);
    assert_eq!(p.column, "统一社会信用代码");
    assert_eq!(p.field, "credit_code");
    assert_eq!(p.severity, Severity::Error);
    assert!(p.message_zh.contains("18位"), "{}", p.message_zh);
    assert!(p.message_en.contains("18 characters"), "{}", p.message_en);
    assert!(!p.message_zh.contains(" / "));
}

#[test]
fn numbers_in_xlsx_cells_become_text_without_decimal_point() {
    let row = vec![
        V::S("数字企业"),
        V::Str(code(1)),
        V::N(371526101.0),
        V::N(26.0),
        V::S(""),
        V::N(13800138000.0),
    ];
    let bytes = xlsx(HEADER, &[row]);
    let out = import_enterprises("x.xlsx", &bytes).unwrap();
    assert!(out.is_clean(), "{:?}", out.problems);
    let e = &out.rows[0].value;
    assert_eq!(e.division_code.as_str(), "371526101");
    assert_eq!(e.industry.code(), "C26");
    assert_eq!(e.contact_phone.as_deref(), Some("13800138000"));
}

#[test]
fn a_long_number_that_lost_digits_is_an_error_not_a_wrong_code() {
    let mut row = good_row(1);
    row[1] = V::N(913715261234567890.0);
    let bytes = xlsx(HEADER, &[row]);
    let out = import_enterprises("x.xlsx", &bytes).unwrap();
    assert!(!out.is_clean());
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    assert_eq!(out.problems[0].field, "credit_code");
    assert!(out.problems[0].message_en.contains("lost digits"));
}

#[test]
fn scientific_notation_text_in_a_code_column_is_explained() {
    let csv = format!(
        "企业名称,统一社会信用代码,所属镇街代码,行业\r\n甲,9.13716E+17,371526101,C26\r\n乙,{},371526101,C26\r\n",
        code(2)
    );
    let out = import_enterprises("a.csv", csv.as_bytes()).unwrap();
    assert_eq!(out.error_count(), 1);
    assert!(out.problems[0].message_zh.contains("科学计数法"));
    assert_eq!(out.rows.len(), 1);
}

#[test]
fn export_imports_back_unchanged() {
    let original = sample_enterprises();
    for format in [Format::Xlsx, Format::Csv] {
        let bytes = export_enterprises(&original, format);
        let name = format!("export.{}", format.extension());
        assert_eq!(detect_format(&name, &bytes).unwrap(), format);
        // Also without a helpful name.
        let out = import_enterprises("upload", &bytes).unwrap();
        assert!(out.is_clean(), "{format:?}: {:?}", out.problems);
        // The legacy code is a warning, reported but not blocking.
        assert_eq!(out.warning_count(), 1);
        assert_eq!(
            out.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        assert_eq!(out.values(), original, "{format:?}");
    }
}

#[test]
fn unit_export_imports_back_unchanged() {
    let units = vec![
        UnitInput {
            name: "高唐县市场监督管理局".into(),
            short_name: Some("县市场监管局".into()),
            kind: UnitKind::GovernmentDepartment,
            credit_code: Some("11371526MB0000000X".into()),
            division_code: Some(DivisionCode::parse("371526").unwrap()),
            zone_key: None,
            address: Some("高唐县官道街".into()),
            phone: Some("06353951234".into()),
            opening_hours: Some("周一至周五 9:00–17:00".into()),
        },
        UnitInput {
            name: "鱼丘湖街道服务站".into(),
            short_name: None,
            kind: UnitKind::TownGovernment,
            credit_code: None,
            division_code: Some(DivisionCode::parse("371526001").unwrap()),
            zone_key: Some("kaifaqu".into()),
            address: None,
            phone: None,
            opening_hours: None,
        },
    ];
    // Normalise through the parser first (the credit code check may warn, that's fine).
    for format in [Format::Xlsx, Format::Csv] {
        let bytes = export_units(&units, format);
        let out = import_units("units", &bytes).unwrap();
        assert!(out.is_clean(), "{format:?}: {:?}", out.problems);
        assert_eq!(out.values(), units, "{format:?}");
    }
}

#[test]
fn duplicate_credit_codes_within_a_file_are_reported() {
    let mut dup = good_row(9);
    dup[1] = V::Str(code(1).to_lowercase());
    let bytes = xlsx(HEADER, &[good_row(1), good_row(2), dup]);
    let out = import_enterprises("x.xlsx", &bytes).unwrap();
    assert!(!out.is_clean());
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    let p = &out.problems[0];
    assert_eq!((p.row, p.field.as_str()), (4, "credit_code"));
    assert!(p.message_zh.contains("与第2行重复"), "{}", p.message_zh);
    assert!(p.message_en.contains("duplicates row 2"));
    assert_eq!(out.rows.len(), 2);
}

#[test]
fn english_headers_are_accepted() {
    let csv = format!(
        "industry,credit_code,Name,division_code,share_contacts,tags\n26,{},English Co,371526101,yes,gazelle|high_tech\n",
        code(3)
    );
    let out = import_enterprises("e.csv", csv.as_bytes()).unwrap();
    assert!(out.is_clean(), "{:?}", out.problems);
    let e = &out.rows[0].value;
    assert_eq!(e.name, "English Co");
    assert!(e.share_contacts);
    assert_eq!(e.tags, vec![KeyTag::Gazelle, KeyTag::HighTech]);
}

#[test]
fn bom_and_gbk_csv_are_read() {
    let text = format!(
        "企业名称,统一社会信用代码,所属镇街代码,行业,规模,重点企业标签\r\n高唐县鑫源纺织有限公司,{},371526101,C17,中型,专精特新\r\n",
        code(4)
    );
    let with_bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let tab = text.replace(',', "\t");
    for (name, bytes) in [
        ("bom.csv", with_bom),
        ("gbk.csv", gbk.into_owned()),
        ("tab.txt", tab.into_bytes()),
    ] {
        let out = import_enterprises(name, &bytes).unwrap();
        assert!(out.is_clean(), "{name}: {:?}", out.problems);
        assert_eq!(out.rows[0].value.name, "高唐县鑫源纺织有限公司", "{name}");
        assert_eq!(out.rows[0].row, 2);
    }
}

#[test]
fn garbage_bytes_give_an_error_not_a_panic() {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for len in [0usize, 1, 2, 7, 100, 4096] {
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        for name in ["x.xlsx", "x.csv", "x.bin", ""] {
            assert!(import_enterprises(name, &bytes).is_err(), "{name} {len}");
        }
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        assert!(matches!(
            import_units("x.xlsx", &zip),
            Err(ExchangeError::CorruptWorkbook(_))
        ));
    }
    let good = export_enterprises(&sample_enterprises(), Format::Xlsx);
    for cut in (0..good.len()).step_by(97) {
        let _ = import_enterprises("x.xlsx", &good[..cut]);
    }
    // Flip bytes inside a valid workbook.
    for i in 0..200 {
        let mut bad = good.clone();
        let at = (next() as usize) % bad.len();
        bad[at] ^= (i as u8) | 1;
        let _ = import_enterprises("x.xlsx", &bad);
    }
    assert_eq!(
        import_enterprises(
            "old.xls",
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]
        ),
        Err(ExchangeError::LegacyXls)
    );
}

#[test]
fn an_unknown_column_is_an_error_naming_it() {
    let csv = "企业名称,统一社会信用代码,所属镇街代码,行业,备注\n";
    let err = import_enterprises("a.csv", csv.as_bytes()).unwrap_err();
    match &err {
        ExchangeError::UnknownColumns { columns } => assert_eq!(columns, &["备注（E）"]),
        other => panic!("{other:?}"),
    }
    assert!(err.message(false).contains("备注"));
}

#[test]
fn a_missing_required_column_is_an_error_naming_it() {
    let csv = "企业名称,所属镇街代码,行业\n甲,371526101,C26\n";
    let err = import_enterprises("a.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(
        err,
        ExchangeError::MissingColumns {
            zh: vec!["统一社会信用代码".into()],
            en: vec!["credit_code".into()],
        }
    );
    assert!(err.message(true).contains("credit_code"));
    assert!(err.message(false).contains("统一社会信用代码"));
}

#[test]
fn title_rows_blank_rows_and_a_running_number_column_are_skipped() {
    let csv = format!(
        "高唐县企业名单（2025年）,,,,\n\n序号,企业名称,统一社会信用代码,所属镇街代码,行业\n1,甲, {} ,371526101,C26\n,,,,\n2,乙,{},371526101,C26\n",
        code(5),
        code(6)
    );
    let out = import_enterprises("a.csv", csv.as_bytes()).unwrap();
    assert!(out.is_clean(), "{:?}", out.problems);
    assert_eq!(out.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 6]);
    assert_eq!(out.rows[0].value.credit_code.to_string(), code(5));
    // The same with Windows line endings.
    let crlf = csv.replace('\n', "\r\n");
    let out = import_enterprises("a.csv", crlf.as_bytes()).unwrap();
    assert_eq!(out.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 6]);
}

#[test]
fn data_under_a_blank_header_is_an_error() {
    let csv = "企业名称,统一社会信用代码,所属镇街代码,行业,\n甲,x,371526101,C26,surprise\n";
    assert_eq!(
        import_enterprises("a.csv", csv.as_bytes()).unwrap_err(),
        ExchangeError::UnnamedColumn { letter: "E".into() }
    );
}

#[test]
fn empty_and_headerless_files_are_errors() {
    assert_eq!(
        import_enterprises("a.csv", b"\xEF\xBB\xBF\r\n,,\r\n"),
        Err(ExchangeError::Empty)
    );
    assert!(matches!(
        import_enterprises("a.csv", "甲,乙\n1,2\n".as_bytes()),
        Err(ExchangeError::NoHeaderRow { .. })
    ));
    assert!(matches!(
        import_enterprises("a.xlsx", &export_table_xlsx("x", &[], &[])),
        Err(ExchangeError::Empty)
    ));
}

#[test]
fn every_problem_in_a_row_is_reported_in_its_column() {
    let csv = "行业,企业名称,统一社会信用代码,所属镇街代码,规模\nZ99,,123,abc,巨型\n";
    let out = import_enterprises("a.csv", csv.as_bytes()).unwrap();
    let mut cols: Vec<&str> = out.problems.iter().map(|p| p.column.as_str()).collect();
    cols.sort();
    assert_eq!(
        cols,
        [
            "企业名称",
            "所属镇街代码",
            "统一社会信用代码",
            "行业",
            "规模"
        ]
    );
    assert!(out.problems.iter().all(|p| p.row == 2));
}

#[test]
fn xlsx_export_writes_codes_as_text_with_a_styled_header() {
    let bytes = export_enterprises(&sample_enterprises(), Format::Xlsx);
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["企业"]);
    let range = book.worksheet_range("企业").unwrap();
    assert_eq!(
        range.get((0, 1)),
        Some(&Data::String("统一社会信用代码".into()))
    );
    assert_eq!(range.get((1, 4)), Some(&Data::String("371526101".into())));
    assert_eq!(
        range.get((1, 1)),
        Some(&Data::String("91310110666007217T".into()))
    );
}

#[test]
fn csv_export_has_a_bom_crlf_and_formula_guard() {
    let bytes = export_table_csv(
        &["名称", "值"],
        &[
            vec!["=1+1".into(), "a,b".into()],
            vec!["x".into(), String::new()],
        ],
    );
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(text, "名称,值\r\n'=1+1,\"a,b\"\r\nx,\r\n");
}

#[test]
fn problems_report_and_generic_table_are_readable_workbooks() {
    let bytes = xlsx(HEADER, &[vec![V::S("甲"), V::S("bad")]]);
    let out = import_enterprises("x.xlsx", &bytes).unwrap();
    assert!(out.error_count() >= 3);
    // A page carries the report as JSON and turns it into a download later.
    let json = serde_json::to_string(&out.problems).unwrap();
    let back: Vec<shoumi_exchange::RowProblem> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, out.problems);
    for en in [false, true] {
        let report = problems_report_xlsx(&out.problems, en);
        let mut book = Xlsx::new(Cursor::new(report)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.height(), out.problems.len() + 1);
        assert_eq!(range.get((1, 0)), Some(&Data::String("2".into())));
        let header = if en { "Row" } else { "行号" };
        assert_eq!(range.get((0, 0)), Some(&Data::String(header.into())));
    }
    let table = export_table_xlsx(
        "审计/日志:2025",
        &["时间", "用户"],
        &[vec!["2025-01-01".into(), "管理员".into()]],
    );
    let book = Xlsx::new(Cursor::new(table)).unwrap();
    assert_eq!(book.sheet_names(), ["审计_日志_2025"]);
}
