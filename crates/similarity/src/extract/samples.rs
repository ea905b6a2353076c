//! The extractors on the sample files in `testdata/extract/` (made by `make_samples.py`
//! there), and on inputs built here: damaged, oversized, disguised.

use std::io::{Cursor, Write};

use super::*;

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/extract")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ok(name: &str) -> Extracted {
    extract_bytes(name, &sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn err(name: &str, bytes: &[u8]) -> ExtractError {
    match extract_bytes(name, bytes) {
        Ok(e) => panic!("{name} was accepted as {:?}: {:?}", e.format, e.text),
        Err(e) => e,
    }
}

fn labels(e: &Extracted) -> Vec<&str> {
    e.sections.iter().map(|s| s.label.as_str()).collect()
}

/// A ZIP of the given parts, stored or deflated.
fn zip_of(parts: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in parts {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn minimal_docx(body: &str) -> Vec<u8> {
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>"#
    );
    zip_of(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", doc.as_bytes()),
        ],
        true,
    )
}

// --- DOCX ---

#[test]
fn docx_with_chinese_a_table_and_a_deleted_revision() {
    let e = ok("zh-table-revision.docx");
    assert_eq!(e.format, Format::Docx);
    assert_eq!(
        e.text,
        "固态电解质配方：硫化锂与五硫化二磷按摩尔比 7:3 混合，在 260 °C 下烧结 2 小时。\n\
         Step 1\tmix the powders\n\
         under argon\n\
         Sintering temperature: 260 °C\n\
         参数\t数值\t单位\n\
         温度\t260\t°C\n\
         时间\t2\th (hours)\n\
         End & done <ok>.\n\
         机密 CONFIDENTIAL\n\
         第 1 页\n"
    );
    assert!(!e.text.contains("250"), "the deleted revision is left out");
    assert_eq!(labels(&e), ["body", "header", "footer"]);
    assert_eq!(
        &e.text[e.sections[1].start..],
        "机密 CONFIDENTIAL\n第 1 页\n"
    );
}

#[test]
fn docx_text_boxes_appear_once_and_field_codes_not_at_all() {
    let body = r#"<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">
        <mc:Choice Requires="wps"><w:drawing><wps:txbx xmlns:wps="x"><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
        <mc:Fallback><w:pict><v:textbox xmlns:v="v"><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>
        </mc:AlternateContent></w:r></w:p>
        <w:p><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>3</w:t></w:r><w:moveFrom><w:r><w:t>old place</w:t></w:r></w:moveFrom></w:p>"#;
    let e = extract_bytes("x.docx", &minimal_docx(body)).unwrap();
    assert_eq!(e.text, "boxed\n\n3\n");
}

#[test]
fn docx_without_relationships_still_reads_the_body() {
    let e = extract_bytes(
        "x.docx",
        &minimal_docx("<w:p><w:r><w:t>solo</w:t></w:r></w:p>"),
    )
    .unwrap();
    assert_eq!((e.format, e.text.as_str()), (Format::Docx, "solo\n"));
}

#[test]
fn docx_with_truncated_xml_keeps_what_it_could_read() {
    let doc =
        format!("<w:document {W}><w:body><w:p><w:r><w:t>first</w:t></w:r></w:p><w:p><w:r><w:t>cu");
    let bytes = zip_of(&[("word/document.xml", doc.as_bytes())], true);
    let e = extract_bytes("x.docx", &bytes).unwrap();
    assert_eq!(e.text, "first\ncu\n");
    assert_eq!(
        e.warnings,
        [
            "word/document.xml: the XML ends before its elements are closed (truncated?); the text after it is missing"
        ]
    );
    // Nothing readable at all: damaged.
    let bytes = zip_of(&[("word/document.xml", b"<w:document><w:bo")], true);
    let e = err("y.docx", &bytes);
    assert!(matches!(e, ExtractError::Corrupt { .. }), "{e:?}");
}

// --- XLSX ---

#[test]
fn xlsx_with_two_sheets_numbers_percent_and_dates() {
    let e = ok("two-sheets.xlsx");
    assert_eq!(e.format, Format::Xlsx);
    assert_eq!(
        e.text,
        "工艺参数\n\
         参数\t数值\t备注\n\
         配比\t0.35\t质量分数\n\
         温度\t180\t°C\n\
         收率\t2.5%\n\
         日期\t2024-03-15\n\
         误差\t0.3\t1E-07\n\
         \t\tgap\tfar\n\
         Notes\n\
         Confidential recipe\n\
         TRUE\tline one line two\n"
    );
    assert_eq!(labels(&e), ["sheet 工艺参数", "sheet Notes"]);
    assert!(e.text[e.sections[1].start..].starts_with("Notes\n"));
}

#[test]
fn xlsx_sheet_claiming_the_whole_grid_costs_only_its_cells() {
    let parts = xlsx_parts(
        r#"<dimension ref="A1:XFD1048576"/><sheetData>
        <row r="1"><c r="A1" t="inlineStr"><is><t>first</t></is></c></row>
        <row r="1048576"><c r="XFD1048576"><v>42</v></c></row></sheetData>"#,
    );
    let e = extract_bytes("big.xlsx", &parts).unwrap();
    assert_eq!(e.text, "Sheet1\nfirst\n\t42\n");
}

fn xlsx_parts(sheet_data: &str) -> Vec<u8> {
    let sheet = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sheet_data}</worksheet>"#
    );
    zip_of(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            (
                "_rels/.rels",
                br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                br#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ],
        true,
    )
}

// --- PPTX ---

#[test]
fn pptx_slides_in_presentation_order_with_notes() {
    let a = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
    let slide = |text: &str| {
        format!(
            r#"<p:sld {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r><a:br/><a:r><a:t>two</a:t></a:r></a:p></p:txBody></p:sp>
            <p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tr><a:tc><a:txBody><a:p><a:r><a:t>c1</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>c2</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></a:graphicData></a:graphic></p:graphicFrame></p:spTree></p:cSld></p:sld>"#
        )
    };
    let pres = format!(
        r#"<p:presentation {a}><p:sldIdLst><p:sldId id="256" r:id="rId7"/><p:sldId id="257" r:id="rId3"/></p:sldIdLst></p:presentation>"#
    );
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/>
        <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide2.xml"/></Relationships>"#;
    let slide2_rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>"#;
    let notes = format!(
        r#"<p:notes {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>speaker note</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>"#
    );
    let (s1, s2) = (slide("second"), slide("first"));
    let bytes = zip_of(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("ppt/presentation.xml", pres.as_bytes()),
            ("ppt/_rels/presentation.xml.rels", rels.as_bytes()),
            ("ppt/slides/slide1.xml", s1.as_bytes()),
            ("ppt/slides/slide2.xml", s2.as_bytes()),
            ("ppt/slides/_rels/slide2.xml.rels", slide2_rels.as_bytes()),
            ("ppt/notesSlides/notesSlide1.xml", notes.as_bytes()),
        ],
        true,
    );
    let e = extract_bytes("deck.pptx", &bytes).unwrap();
    assert_eq!(e.format, Format::Pptx);
    assert_eq!(
        e.text,
        "first\ntwo\nc1\tc2\nspeaker note\nsecond\ntwo\nc1\tc2\n"
    );
    assert_eq!(labels(&e), ["slide 1", "notes 1", "slide 2"]);
}

#[test]
fn pptx_sample_file() {
    let e = ok("deck.pptx");
    assert_eq!(e.format, Format::Pptx);
    assert_eq!(
        e.text,
        "工艺配方 Process recipe\n260 °C, 2 h\n参数\t0.35\nDo not share.\n"
    );
    assert_eq!(labels(&e), ["slide 1", "notes 1"]);
}

// --- PDF ---

#[test]
fn pdf_latin_text_on_two_pages() {
    let e = ok("latin.pdf");
    assert_eq!(e.format, Format::Pdf);
    assert_eq!(
        e.text,
        "Trade secret: sinter at 260 C for 2 hours.\n\
         Second line, with a comma.\n\
         Café – naïve “quotes”\n\
         Page two text.\n"
    );
    assert_eq!(labels(&e), ["page 1", "page 2"]);
    assert_eq!(&e.text[e.sections[1].start..], "Page two text.\n");
}

#[test]
fn pdf_cjk_with_a_predefined_ucs2_cmap() {
    // ReportLab's STSong-Light: Type0, UniGB-UCS2-H, no ToUnicode, font not embedded.
    let e = ok("cjk-stsong.pdf");
    assert_eq!(
        e.text,
        "固态电解质配方：硫化锂与五硫化二磷\n按摩尔比 7:3 混合\n"
    );
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn pdf_cjk_with_type0_identity_h_and_tounicode() {
    // fpdf2 with an embedded TrueType subset: Type0 / CIDFontType2 / Identity-H /
    // ToUnicode, as Word and WPS write Chinese text. Two fonts alternate within a line.
    let e = ok("cjk-type0.pdf");
    assert_eq!(
        e.text,
        "固态电解质配方：硫化锂与五硫化二磷\n按摩尔比 7:3 混合, sinter at 260 °C\n"
    );
}

#[test]
fn pdf_made_by_hand_forms_differences_kerning_and_two_streams() {
    let e = ok("handmade.pdf");
    assert_eq!(
        e.text,
        "Hello World\nKern gap\nfind the “quote”\n配方保密\n0 1\nInside a form\nSecond stream\nnext line\n"
    );
}

#[test]
fn pdf_encrypted_with_an_owner_password_only_is_read() {
    assert_eq!(ok("owner-only.pdf").text, "Readable without a password.\n");
}

#[test]
fn pdf_with_a_user_password_is_refused() {
    let e = err("secret.pdf", &sample("encrypted.pdf"));
    assert!(matches!(e, ExtractError::Encrypted { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "secret.pdf is a password-protected (encrypted) PDF; save an unprotected copy and try again"
    );
}

#[test]
fn scanned_pdf_says_ocr_is_not_supported() {
    let e = err("scan.pdf", &sample("scanned.pdf"));
    assert!(matches!(e, ExtractError::NoText { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.starts_with("scan.pdf: "), "{msg}");
    assert!(
        msg.contains("scanned") && msg.contains("OCR is not supported"),
        "{msg}"
    );
}

#[test]
fn pdf_with_junk_before_the_header_and_a_broken_xref_is_still_read() {
    let mut bytes = b"junk from a mail gateway\n".to_vec();
    bytes.extend(sample("handmade.pdf"));
    let e = extract_bytes("x.pdf", &bytes).unwrap();
    assert!(e.text.starts_with("Hello World\n"), "{:?}", e.text);
}

#[test]
fn pdf_font_without_unicode_map_is_named() {
    // Identity-H without ToUnicode: the codes are glyph numbers.
    let pdf = sample("handmade.pdf");
    let text = String::from_utf8_lossy(&pdf).replace("/ToUnicode 12 0 R", "               ");
    let e = extract_bytes("x.pdf", text.as_bytes());
    // Latin text from the other font still comes out; the CJK line is missing and said so.
    let e = e.unwrap();
    assert!(!e.text.contains("配方"));
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("ABCDEF+SimSun") && w.contains("no Unicode mapping")),
        "{:?}",
        e.warnings
    );
}

// --- plain text ---

#[test]
fn gbk_text_with_crlf() {
    let e = ok("gbk.txt");
    assert_eq!(e.format, Format::PlainText);
    assert_eq!(
        e.text,
        "固态电解质配方\n硫化锂与五硫化二磷按摩尔比 7:3 混合。\n"
    );
    assert!(e.warnings[0].contains("GB18030"));
}

#[test]
fn utf16_with_bom() {
    let e = ok("utf16le-bom.txt");
    assert_eq!(e.text, "Recipe 配方\nline 2\n");
    assert!(e.warnings.is_empty());
}

#[test]
fn source_code_that_mentions_the_pdf_header_is_text() {
    let src = "def is_pdf(data):\n    return data.startswith(b\"%PDF-\")\n";
    let e = extract_bytes("check.py", src.as_bytes()).unwrap();
    assert_eq!((e.format, e.text.as_str()), (Format::PlainText, src));
}

#[test]
fn utf8_bom_is_stripped_and_source_code_kept_verbatim() {
    let src = "\u{feff}fn main() {\r\n\tlet x = \"配方\";\r\n}\r\n";
    let e = extract_bytes("main.rs", src.as_bytes()).unwrap();
    assert_eq!(e.text, "fn main() {\n\tlet x = \"配方\";\n}\n");
    assert!(e.sections.is_empty());
}

// --- refusals ---

#[test]
fn png_is_refused_by_name() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01";
    let e = err("photo.docx", png);
    assert_eq!(
        e.to_string(),
        "photo.docx looks like a PNG image; supported: text, source code, DOCX, XLSX, PPTX, PDF"
    );
}

#[test]
fn encrypted_office_file_is_refused() {
    let e = err("secret.docx", &sample("encrypted.docx"));
    assert!(matches!(e, ExtractError::Encrypted { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "secret.docx is a password-protected (encrypted) DOCX; save an unprotected copy and try again"
    );
    // Without a telling extension the message still says what it is.
    let e = err("upload.bin", &sample("encrypted.docx"));
    assert!(
        e.to_string().contains("Office document (DOCX/XLSX/PPTX)"),
        "{e}"
    );
}

#[test]
fn legacy_office_files_are_refused_with_advice() {
    let mut ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
    ole.resize(512, 0);
    ole.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
    let e = err("old.doc", &ole);
    assert_eq!(
        e.to_string(),
        "old.doc is a legacy Word 97-2003 document (.doc); save it as DOCX and try again; \
         supported: text, source code, DOCX, XLSX, PPTX, PDF"
    );
}

#[test]
fn truncated_zip_is_a_damaged_docx() {
    let docx = sample("zh-table-revision.docx");
    for cut in [docx.len() / 2, docx.len() - 10, 40] {
        let e = err("report.docx", &docx[..cut]);
        assert!(matches!(e, ExtractError::Corrupt { .. }), "{cut}: {e:?}");
        let msg = e.to_string();
        assert!(
            msg.starts_with("report.docx is a damaged DOCX (corrupt or truncated): "),
            "{msg}"
        );
    }
}

#[test]
fn damaged_part_is_reported() {
    // Flip a byte inside the deflated document.xml: the CRC check catches it.
    let mut docx = sample("zh-table-revision.docx");
    let at = find(&docx, b"word/document.xml").unwrap() + 40;
    docx[at] ^= 0x55;
    let e = err("r.docx", &docx);
    assert!(matches!(e, ExtractError::Corrupt { .. }), "{e:?}");
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

#[test]
fn other_zips_and_binaries_are_refused() {
    let z = zip_of(&[("photos/a.jpg", b"\xff\xd8\xff")], true);
    let e = err("photos.zip", &z);
    assert!(
        e.to_string().contains("is a ZIP archive, not a document"),
        "{e}"
    );
    let odt = zip_of(
        &[("mimetype", b"application/vnd.oasis.opendocument.text")],
        false,
    );
    assert!(
        err("a.odt", &odt)
            .to_string()
            .contains("OpenDocument text (ODT)")
    );
    let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00";
    assert!(err("a.out", elf).to_string().contains("an ELF executable"));
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let e = err("blob.dat", &noise);
    assert!(e.to_string().starts_with("blob.dat is binary data"), "{e}");
    let e = err("fake.pdf", &noise);
    assert!(e.to_string().contains("has no %PDF- header"), "{e}");
}

// --- limits ---

#[test]
fn zip_bomb_is_too_large() {
    // 4 MiB of one repeated paragraph deflates to a few KiB.
    let para = "<w:p><w:r><w:t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</w:t></w:r></w:p>";
    let body = para.repeat(4 * 1024 * 1024 / para.len());
    let bytes = minimal_docx(&body);
    assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
    let limits = Limits {
        max_decompressed_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let e = extract_bytes_with("bomb.docx", &bytes, &limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        "bomb.docx is too large: the decompressed content (a ZIP bomb?) exceeds the limit of 1 MiB"
    );
    // XLSX goes through the same check before calamine sees it.
    let row = r#"<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>"#;
    let sheet = format!(
        "<sheetData>{}</sheetData>",
        row.repeat(4 * 1024 * 1024 / row.len())
    );
    let e = extract_bytes_with("bomb.xlsx", &xlsx_parts(&sheet), &limits).unwrap_err();
    assert!(matches!(e, ExtractError::TooLarge { .. }), "{e:?}");
}

#[test]
fn pdf_decompression_bomb_is_too_large() {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let line = b"BT /F1 12 Tf 72 700 Td (AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA) Tj ET\n";
    for _ in 0..(4 * 1024 * 1024 / line.len()) {
        z.write_all(line).unwrap();
    }
    let data = z.finish().unwrap();
    let pdf = String::from_utf8_lossy(&sample("handmade.pdf")).into_owned();
    // Replace the first content stream by the bomb (the xref is rebuilt by the reader).
    let start = pdf.find("6 0 obj").unwrap();
    let end = start + pdf[start..].find("endobj").unwrap();
    let mut bytes = pdf.as_bytes()[..start].to_vec();
    bytes.extend(
        format!(
            "6 0 obj\n<< /Filter /FlateDecode /Length {} >>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    bytes.extend(&data);
    bytes.extend(b"\nendstream\n");
    bytes.extend(&pdf.as_bytes()[end..]);
    let limits = Limits {
        max_decompressed_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let e = extract_bytes_with("bomb.pdf", &bytes, &limits).unwrap_err();
    assert!(matches!(e, ExtractError::TooLarge { .. }), "{e:?}");
}

#[test]
fn oversized_input_is_refused_before_reading() {
    let limits = Limits {
        max_input_bytes: 1000,
        ..Limits::default()
    };
    let e = extract_bytes_with("big.txt", &[b'a'; 1001], &limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        "big.txt is too large: the file (1001 bytes) exceeds the limit of 1000 bytes"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    std::fs::write(&path, [b'a'; 1001]).unwrap();
    let e = extract_path_with(&path, &limits).unwrap_err();
    assert!(matches!(e, ExtractError::TooLarge { .. }), "{e:?}");
}

#[test]
fn extracted_text_limit() {
    let limits = Limits {
        max_text_bytes: 10,
        ..Limits::default()
    };
    let e = extract_bytes_with("t.pdf", &sample("latin.pdf"), &limits).unwrap_err();
    assert!(
        e.to_string()
            .contains("the extracted text exceeds the limit of 10 bytes"),
        "{e}"
    );
}

// --- paths ---

#[test]
fn extract_path_names_the_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/extract/latin.pdf");
    assert_eq!(extract_path(&path).unwrap().format, Format::Pdf);
    let missing = Path::new("/nonexistent/配方.docx");
    let e = extract_path(missing).unwrap_err();
    assert!(matches!(e, ExtractError::Io { .. }));
    assert!(
        e.to_string()
            .starts_with("cannot read /nonexistent/配方.docx: "),
        "{e}"
    );
    assert_eq!(e.file(), "/nonexistent/配方.docx");
}
