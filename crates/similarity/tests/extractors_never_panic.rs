//! A stable-toolchain stand-in for the cargo-fuzz target `extract` in `fuzz/`: the text
//! extractors get a few thousand inputs per format — arbitrary bytes, the sample files in
//! `testdata/extract/` mutated (bit flips, inserted tokens, deletions, duplications,
//! truncation, splices of two samples), and, so that mutations get past the ZIP checksums,
//! DOCX/XLSX/PPTX packages rebuilt around one mutated XML part — each under every file-name
//! hint. `extract_bytes` must return, never panic; what it accepts must be well formed
//! (`\n` line endings only, sections in order on character boundaries, within the limits).

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;

#[path = "../../../testsupport/mutate.rs"]
mod mutate;
use mutate::{apply, mutation};

use shoumi_similarity::extract::{Extracted, Limits, extract_bytes_with};

/// Tighter than the defaults, as in the fuzz target: a few-KB input must not be able to
/// cost a gigabyte through a decompression bomb before the limit stops it.
const LIMITS: Limits = Limits {
    max_input_bytes: 16 << 20,
    max_decompressed_bytes: 16 << 20,
    max_text_bytes: 4 << 20,
};

const NAMES: &[&str] = &[
    "a.docx",
    "a.xlsx",
    "a.pptx",
    "a.pdf",
    "a.txt",
    "noext",
    "配方.DOC",
    "x.rs",
];

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/extract")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The parts of a ZIP package, in order.
fn unzip(bytes: &[u8]) -> Package {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A ZIP package's parts (name, bytes), in order.
type Package = Vec<(String, Vec<u8>)>;

struct Samples {
    text: Vec<Vec<u8>>,
    pdf: Vec<Vec<u8>>,
    /// DOCX and XLSX files as they are (deflated, with checksums).
    office: Vec<Vec<u8>>,
    /// Unpacked packages, and which of their parts are XML worth mutating.
    packages: Vec<(Package, Vec<usize>)>,
    other: Vec<Vec<u8>>,
}

fn pptx_package() -> Package {
    let a = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
    let parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", "<Types/>".into()),
        (
            "ppt/presentation.xml",
            format!(r#"<p:presentation {a}><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>"#),
        ),
        (
            "ppt/_rels/presentation.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/></Relationships>"#.into(),
        ),
        (
            "ppt/slides/slide1.xml",
            format!(r#"<p:sld {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>配方 slide</a:t></a:r><a:br/></a:p></p:txBody></p:sp><a:tbl><a:tr><a:tc><a:txBody><a:p><a:r><a:t>c</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></p:spTree></p:cSld></p:sld>"#),
        ),
        (
            "ppt/slides/_rels/slide1.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>"#.into(),
        ),
        (
            "ppt/notesSlides/notesSlide1.xml",
            format!(r#"<p:notes {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>note</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>"#),
        ),
    ];
    parts
        .into_iter()
        .map(|(n, d)| (n.to_string(), d.into_bytes()))
        .collect()
}

fn samples() -> &'static Samples {
    static S: OnceLock<Samples> = OnceLock::new();
    S.get_or_init(|| {
        let mut packages = Vec::new();
        for (pkg, is_xml) in [
            (unzip(&sample("zh-table-revision.docx")), true),
            (unzip(&sample("two-sheets.xlsx")), true),
            (pptx_package(), true),
        ] {
            let xml: Vec<usize> = pkg
                .iter()
                .enumerate()
                .filter(|(_, (n, _))| is_xml && (n.ends_with(".xml") || n.ends_with(".rels")))
                .map(|(i, _)| i)
                .collect();
            packages.push((pkg, xml));
        }
        Samples {
            text: vec![
                sample("gbk.txt"),
                sample("utf16le-bom.txt"),
                "fn main() {\r\n    println!(\"配方 0.35\");\r\n}\n".as_bytes().to_vec(),
                b"\xef\xbb\xbfplain\ttext\r\n".to_vec(),
            ],
            pdf: vec![
                sample("handmade.pdf"),
                sample("latin.pdf"),
                sample("cjk-stsong.pdf"),
                sample("cjk-type0.pdf"),
                sample("owner-only.pdf"),
                sample("encrypted.pdf"),
                sample("scanned.pdf"),
            ],
            office: vec![
                sample("zh-table-revision.docx"),
                sample("two-sheets.xlsx"),
                rezip(&pptx_package()),
            ],
            packages,
            other: vec![
                sample("encrypted.docx"),
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00".to_vec(),
                b"PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                    .to_vec(),
            ],
        }
    })
}

const PDF_TOKENS: &[&[u8]] = &[
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"<",
    b">",
    b"/Type",
    b"/Font",
    b"/Pages",
    b"/Kids",
    b"/Contents",
    b"/Resources",
    b"/Length 99999999",
    b"/Filter /FlateDecode",
    b"/Encoding /Identity-H",
    b"/Encoding /GBK-EUC-H",
    b"/ToUnicode",
    b"/DescendantFonts",
    b"/W [0 [",
    b"/Differences [0 /a /uni4E2D 255 /fi]",
    b" R",
    b" 0 R",
    b"9999999999",
    b"-1",
    b"1e308",
    b"Tj",
    b"TJ",
    b"BT",
    b"ET",
    b"Tf",
    b"Td",
    b"Tm",
    b"T*",
    b"'",
    b"\"",
    b"Do",
    b"q",
    b"Q",
    b"cm",
    b"BI",
    b"ID",
    b"EI",
    b"beginbfrange",
    b"endbfrange",
    b"beginbfchar",
    b"<0000> <FFFF>",
    b"begincodespacerange",
    b"xref",
    b"trailer",
    b"startxref",
    b"%%EOF",
    b"\\",
    b"\n",
    b"%",
    b"/Subtype /Form",
    b"/Encrypt",
];

const XML_TOKENS: &[&[u8]] = &[
    b"<w:p>",
    b"</w:p>",
    b"<w:p/>",
    b"<w:tc>",
    b"</w:tc>",
    b"<w:tr>",
    b"</w:tr>",
    b"<w:t>",
    b"</w:t>",
    b"<w:del>",
    b"</w:del>",
    b"<w:tab/>",
    b"<w:br/>",
    b"&amp;",
    b"&#x0;",
    b"&#xD800;",
    b"&#1114112;",
    b"&unknown;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml",
    b"<c r=\"XFD1048576\" t=\"s\"><v>99999</v></c>",
    b"<c r=\"A0\"><v>1e308</v></c>",
    b"<v>-1e308</v>",
    b" t=\"d\"",
    b" t=\"e\"",
    b" t=\"b\"",
    b" s=\"999\"",
    b" r=\"ZZZZ9\"",
    b"<row r=\"0\">",
    b"<row r=\"4294967295\">",
    b"</row>",
    b"<sheet name=\"x\" r:id=\"rId9\"/>",
    b"Target=\"../../../x\"",
    b"Target=\"/\"",
    b"<a:p>",
    b"</a:p>",
    b"<a:t>",
    b"</a:t>",
    b"<p:sldId r:id=\"rId1\"/>",
    b"\"",
    b"<",
    b">",
    b"/>",
    b"\xff",
    b"\xe2\x80",
];

const TEXT_TOKENS: &[&[u8]] = &[
    b"\x00",
    b"\r",
    b"\r\n",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\x81",
    b"\x81\x30",
    b"\xe9",
    b"\xe2\x80",
    b"\x1b",
    b"PK\x03\x04",
    b"%PDF-",
    b"\xd0\xcf\x11\xe0",
];

fn mutated(
    valid: Vec<Vec<u8>>,
    tokens: &'static [&'static [u8]],
) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(valid),
        prop::collection::vec(mutation(tokens, 64, 256), 0..6),
    )
        .prop_map(|(mut s, ms)| {
            for m in &ms {
                apply(&mut s, m);
            }
            s
        })
}

/// Arbitrary bytes (a sixth), a mutated sample, or two samples spliced (head of one, tail of
/// another, e.g. a PDF header on a ZIP).
fn inputs(valid: Vec<Vec<u8>>, tokens: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    let all: Vec<Vec<u8>> = {
        let s = samples();
        s.text
            .iter()
            .chain(&s.pdf)
            .chain(&s.office)
            .chain(&s.other)
            .cloned()
            .collect()
    };
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..600),
        4 => mutated(valid.clone(), tokens),
        1 => (prop::sample::select(valid), prop::sample::select(all), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, i, j)| {
                let mut out = a[..i.index(a.len() + 1)].to_vec();
                out.extend_from_slice(&b[j.index(b.len() + 1)..]);
                out
            }),
    ]
}

/// A package rebuilt (stored, valid checksums) around one mutated XML part.
fn package_inputs() -> impl Strategy<Value = Vec<u8>> {
    let pkgs = samples().packages.clone();
    (
        prop::sample::select(pkgs),
        any::<Index>(),
        prop::collection::vec(mutation(XML_TOKENS, 64, 256), 1..6),
    )
        .prop_map(|((mut pkg, xml), which, ms)| {
            if !xml.is_empty() {
                let part = &mut pkg[xml[which.index(xml.len())]].1;
                for m in &ms {
                    apply(part, m);
                }
            }
            rezip(&pkg)
        })
}

fn check(name: &str, input: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(e) = extract_bytes_with(name, input, &LIMITS) {
        well_formed(&e)?;
    }
    Ok(())
}

fn well_formed(e: &Extracted) -> Result<(), TestCaseError> {
    prop_assert!(!e.text.contains('\r'), "a \\r is left in {:?}", e.text);
    prop_assert!(e.text.len() <= LIMITS.max_text_bytes);
    let mut last = 0;
    for s in &e.sections {
        prop_assert!(
            s.start >= last && s.start <= e.text.len(),
            "{:?}",
            e.sections
        );
        prop_assert!(e.text.is_char_boundary(s.start));
        last = s.start;
    }
    Ok(())
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // A failure shrinks to a small input; don't spend long on it.
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

#[test]
fn the_samples_being_mutated_are_valid() {
    let s = samples();
    for (i, bytes) in s.text.iter().chain(&s.office).enumerate() {
        let e = extract_bytes_with("sample", bytes, &LIMITS).unwrap_or_else(|e| panic!("{i}: {e}"));
        assert!(!e.text.trim().is_empty(), "{i}");
    }
    for (i, bytes) in s.pdf[..5].iter().enumerate() {
        let e = extract_bytes_with("s.pdf", bytes, &LIMITS).unwrap_or_else(|e| panic!("{i}: {e}"));
        assert!(!e.text.trim().is_empty(), "{i}");
    }
    for (pkg, _) in &s.packages {
        let e = extract_bytes_with("p", &rezip(pkg), &LIMITS).unwrap();
        assert!(!e.text.trim().is_empty());
    }
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn pdf(input in inputs(samples().pdf.clone(), PDF_TOKENS), name in prop::sample::select(NAMES)) {
        check(name, &input)?;
    }

    #[test]
    fn office_files(input in inputs(samples().office.clone(), XML_TOKENS), name in prop::sample::select(NAMES)) {
        check(name, &input)?;
    }

    #[test]
    fn office_packages_with_a_mutated_part(input in package_inputs(), name in prop::sample::select(NAMES)) {
        check(name, &input)?;
    }

    #[test]
    fn text(input in inputs(samples().text.clone(), TEXT_TOKENS), name in prop::sample::select(NAMES)) {
        check(name, &input)?;
    }

    #[test]
    fn other_formats(input in inputs(samples().other.clone(), TEXT_TOKENS), name in prop::sample::select(NAMES)) {
        check(name, &input)?;
    }
}
