//! DOCX and PPTX: the text of WordprocessingML and DrawingML paragraphs.
//!
//! One walker serves both, matching elements by local name (`w:p`/`a:p`, `w:t`/`a:t`/`m:t`,
//! `w:tr`/`a:tr`, ...): paragraphs end lines, table rows are lines with cells separated by
//! tabs, and subtrees that hold no visible text or hold text that is not there any more
//! (deleted revisions, moved-away text, field instructions, the VML copy of a text box in
//! `mc:Fallback`, ruby guides) are skipped.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use super::zipped::Package;
use super::{Ctx, ExtractError, Extracted, Format, TextBuilder};

/// Subtrees whose text is not part of the document as it reads now.
const SKIP: &[&str] = &[
    "del",          // w:del, a deleted revision
    "delText",      // its text
    "delInstrText", //
    "moveFrom",     // w:moveFrom, text moved elsewhere (it appears again in w:moveTo)
    "instrText",    // field codes: { PAGE \* MERGEFORMAT }
    "Fallback",     // mc:Fallback duplicates mc:Choice (text boxes as VML)
    "pPr",          // paragraph properties (tab stops, numbering): no text
    "rPr",          // run properties
    "pPrChange",    //
    "rPrChange",    //
    "sdtPr",        // content-control properties
    "rt",           // ruby (phonetic guide) text: pinyin above the base text
    "tblPr",        // table properties
    "tcPr",         //
    "trPr",         //
    "sectPr",       // section properties
    "drawingObjectLocks",
];

/// Walks one XML part, appending its text to `out`.
struct Walker<'o> {
    out: &'o mut String,
    max: usize,
    /// Depth inside a skipped subtree (0: not skipping).
    skip: usize,
    /// Depth inside text elements (`w:t`, `a:t`, `m:t`).
    in_text: usize,
    /// Open table cells' text, innermost last.
    cells: Vec<String>,
    /// Open table rows' finished cells, innermost last.
    rows: Vec<Vec<String>>,
}

impl Walker<'_> {
    fn sink(&mut self) -> &mut String {
        match self.cells.last_mut() {
            Some(c) => c,
            None => self.out,
        }
    }

    fn start(&mut self, e: &BytesStart<'_>) {
        if self.skip > 0 {
            self.skip += 1;
            return;
        }
        let name = e.local_name();
        match name.as_ref() {
            n if SKIP.contains(&n) => self.skip = 1,
            "t" => self.in_text += 1,
            "tr" => self.rows.push(Vec::new()),
            "tc" => self.cells.push(String::new()),
            _ => {}
        }
    }

    fn empty(&mut self, e: &BytesStart<'_>) {
        if self.skip > 0 {
            return;
        }
        match e.local_name().as_ref() {
            "tab" | "ptab" => self.sink().push('\t'),
            "br" | "cr" => self.sink().push('\n'),
            "noBreakHyphen" => self.sink().push('-'),
            "p" => self.end_paragraph(),
            "tc" => {
                if let Some(row) = self.rows.last_mut() {
                    row.push(String::new());
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, local: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        match local {
            "t" => self.in_text = self.in_text.saturating_sub(1),
            "p" => self.end_paragraph(),
            "tc" => {
                if let Some(cell) = self.cells.pop() {
                    // A cell's paragraphs, line breaks and tabs stay on the row's line.
                    let flat = cell
                        .split(['\n', '\t'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    match self.rows.last_mut() {
                        Some(row) => row.push(flat),
                        None => self.sink().push_str(&flat),
                    }
                }
            }
            "tr" => {
                if let Some(row) = self.rows.pop() {
                    let line = row.join("\t");
                    let sink = self.sink();
                    sink.push_str(line.trim_end_matches('\t'));
                    sink.push('\n');
                }
            }
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        self.sink().push('\n');
    }

    fn text(&mut self, s: &str) {
        if self.skip == 0 && self.in_text > 0 {
            self.sink().push_str(s);
        }
    }

    fn over_limit(&self) -> bool {
        self.out.len() + self.cells.iter().map(String::len).sum::<usize>() > self.max
    }
}

/// Appends the text of one XML part to `out`. Malformed XML ends the part where it breaks:
/// the text up to there is kept, and the error returned for a warning.
fn walk(xml: &str, out: &mut String, max: usize) -> Result<(), WalkError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut w = Walker {
        out,
        max,
        skip: 0,
        in_text: 0,
        cells: Vec::new(),
        rows: Vec::new(),
    };
    let mut events = 0u32;
    let mut open = 0usize;
    let result = loop {
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                break Err(WalkError::Xml(format!(
                    "malformed XML at byte {}: {e}",
                    reader.error_position()
                )));
            }
        };
        match event {
            Event::Start(e) => {
                open += 1;
                w.start(&e);
            }
            Event::Empty(e) => w.empty(&e),
            Event::End(e) => {
                open = open.saturating_sub(1);
                w.end(e.local_name().as_ref());
            }
            Event::Text(t) => w.text(&t.xml10_content()),
            Event::CData(t) => w.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string),
                };
                if let Some(s) = resolved {
                    w.text(&s);
                }
            }
            Event::Eof if open > 0 => {
                break Err(WalkError::Xml(
                    "the XML ends before its elements are closed (truncated?)".into(),
                ));
            }
            Event::Eof => break Ok(()),
            _ => {}
        }
        events = events.wrapping_add(1);
        if events.is_multiple_of(4096) && w.over_limit() {
            break Err(WalkError::TooLong);
        }
    };
    // Whatever a malformed part left open still counts.
    while let Some(cell) = w.cells.pop() {
        w.sink().push_str(&cell);
    }
    result
}

enum WalkError {
    Xml(String),
    TooLong,
}

/// Reads one part into the builder under its own section; a missing part is no error.
fn part(
    ctx: &Ctx<'_>,
    pkg: &mut Package<'_, '_>,
    b: &mut TextBuilder,
    name: &str,
    label: &str,
    required: bool,
) -> Result<(), ExtractError> {
    let Some(xml) = pkg.read_string(name)? else {
        if required {
            return Err(ctx.corrupt(pkg.format(), format!("the package has no {name}")));
        }
        return Ok(());
    };
    let mut text = String::new();
    let result = walk(&xml, &mut text, ctx.limits.max_text_bytes);
    match result {
        Ok(()) => {}
        Err(WalkError::TooLong) => {
            return Err(ctx.too_large("the extracted text", ctx.limits.max_text_bytes as u64));
        }
        Err(WalkError::Xml(e)) if required && text.trim().is_empty() => {
            return Err(ctx.corrupt(pkg.format(), format!("{name}: {e}")));
        }
        Err(WalkError::Xml(e)) => b.warn(format!("{name}: {e}; the text after it is missing")),
    }
    if text.trim().is_empty() && !required {
        return Ok(());
    }
    b.section(label);
    b.text.push_str(&text);
    if b.over_limit() {
        return Err(ctx.too_large("the extracted text", ctx.limits.max_text_bytes as u64));
    }
    Ok(())
}

pub(crate) fn docx(ctx: &Ctx<'_>, pkg: &mut Package<'_, '_>) -> Result<Extracted, ExtractError> {
    let main = pkg
        .main_document()?
        .filter(|m| pkg.has(m))
        .unwrap_or_else(|| "word/document.xml".to_string());
    let mut b = TextBuilder::new(ctx.limits);
    part(ctx, pkg, &mut b, &main, "body", true)?;

    // Headers, footers, notes and comments, as the main part's relationships list them
    // (or by their usual names when it has none).
    let rels = pkg
        .read_string(&rels_path(&main))?
        .map(|x| relationships(&x, dir_of(&main)))
        .unwrap_or_default();
    for (kind, label) in [
        ("header", "header"),
        ("footer", "footer"),
        ("footnotes", "footnotes"),
        ("endnotes", "endnotes"),
        ("comments", "comments"),
    ] {
        let mut targets: Vec<String> = rels
            .iter()
            .filter(|r| r.kind.rsplit('/').next() == Some(kind))
            .map(|r| r.target.clone())
            .collect();
        if rels.is_empty() {
            targets = pkg
                .names()
                .into_iter()
                .filter(|n| {
                    n.strip_prefix("word/")
                        .and_then(|f| f.strip_prefix(kind))
                        .is_some_and(|rest| {
                            rest.strip_suffix(".xml")
                                .is_some_and(|d| d.bytes().all(|c| c.is_ascii_digit()))
                        })
                })
                .collect();
        }
        targets.sort_by_key(|t| natural_key(t));
        targets.dedup();
        for t in targets {
            part(ctx, pkg, &mut b, &t, label, false)?;
        }
    }
    Ok(b.finish(Format::Docx))
}

pub(crate) fn pptx(ctx: &Ctx<'_>, pkg: &mut Package<'_, '_>) -> Result<Extracted, ExtractError> {
    let main = pkg
        .main_document()?
        .filter(|m| pkg.has(m))
        .unwrap_or_else(|| "ppt/presentation.xml".to_string());
    let rels = pkg
        .read_string(&rels_path(&main))?
        .map(|x| relationships(&x, dir_of(&main)))
        .unwrap_or_default();
    // Slide order is the order of p:sldIdLst, whose r:id attributes name relationships.
    let mut slides = Vec::new();
    if let Some(xml) = pkg.read_string(&main)? {
        for id in slide_ids(&xml) {
            if let Some(r) = rels.iter().find(|r| r.id == id) {
                slides.push(r.target.clone());
            }
        }
    }
    if slides.is_empty() {
        slides = pkg
            .names()
            .into_iter()
            .filter(|n| n.starts_with("ppt/slides/slide") && n.ends_with(".xml"))
            .collect();
        slides.sort_by_key(|t| natural_key(t));
    }
    let mut b = TextBuilder::new(ctx.limits);
    for (i, slide) in slides.iter().enumerate() {
        let n = i + 1;
        part(ctx, pkg, &mut b, slide, &format!("slide {n}"), false)?;
        let notes = pkg
            .read_string(&rels_path(slide))?
            .map(|x| relationships(&x, dir_of(slide)))
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.kind.ends_with("/notesSlide"));
        if let Some(notes) = notes {
            part(
                ctx,
                pkg,
                &mut b,
                &notes.target,
                &format!("notes {n}"),
                false,
            )?;
        }
    }
    if slides.is_empty() {
        b.warn("the presentation has no slides");
    }
    Ok(b.finish(Format::Pptx))
}

/// `p:sldId` elements' `r:id` attributes, in order.
fn slide_ids(xml: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut ids = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sldId" => {
                if let Some(id) = attr(&e, "id", Some("r")) {
                    ids.push(id);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        if ids.len() > 100_000 {
            break;
        }
    }
    ids
}

/// One relationship of an OPC part, its target resolved to a part name.
pub(crate) struct Relationship {
    pub id: String,
    pub kind: String,
    pub target: String,
}

/// The internal relationships in a `.rels` part; `base` is the directory of the part they
/// belong to (`word/` for `word/_rels/document.xml.rels`, empty for `_rels/.rels`).
pub(crate) fn relationships(xml: &str, base: &str) -> Vec<Relationship> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                if attr(&e, "TargetMode", None).as_deref() == Some("External") {
                    continue;
                }
                if let (Some(id), Some(kind), Some(target)) = (
                    attr(&e, "Id", None),
                    attr(&e, "Type", None),
                    attr(&e, "Target", None),
                ) {
                    out.push(Relationship {
                        id,
                        kind,
                        target: resolve(base, &target),
                    });
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        if out.len() > 100_000 {
            break;
        }
    }
    out
}

/// An attribute's value by local name (and prefix, when given).
fn attr(e: &BytesStart<'_>, local: &str, prefix: Option<&str>) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key;
        let ok = key.local_name().as_ref() == local
            && match prefix {
                Some(p) => key.prefix().is_some_and(|x| x.as_ref() == p),
                None => key.prefix().is_none(),
            };
        ok.then(|| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.into_owned())
        })
    })
}

/// A relationship target as a part name: absolute (`/word/x.xml`) or relative to `base`,
/// with `.` and `..` resolved.
fn resolve(base: &str, target: &str) -> String {
    let target = target.split(['#', '?']).next().unwrap_or("");
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{base}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// `word/document.xml` → `word/`.
fn dir_of(part: &str) -> &str {
    match part.rfind('/') {
        Some(i) => &part[..=i],
        None => "",
    }
}

/// `word/document.xml` → `word/_rels/document.xml.rels`.
fn rels_path(part: &str) -> String {
    let (dir, file) = match part.rfind('/') {
        Some(i) => (&part[..=i], &part[i + 1..]),
        None => ("", part),
    };
    format!("{dir}_rels/{file}.rels")
}

/// Sorts `header2.xml` before `header10.xml`.
fn natural_key(s: &str) -> (String, u64) {
    let stem = s.strip_suffix(".xml").unwrap_or(s);
    let prefix = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    let n = stem[prefix.len()..].parse().unwrap_or(0);
    (prefix.to_string(), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(xml: &str) -> String {
        let mut out = String::new();
        let _ = walk(xml, &mut out, usize::MAX);
        out
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn paragraphs_tabs_breaks_and_revisions() {
        let xml = format!(
            r#"<w:document {W}><w:body>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
              <w:r><w:t>A</w:t><w:tab/><w:t xml:space="preserve">B </w:t><w:br/><w:t>C&amp;D&#x4E2D;</w:t></w:r></w:p>
            <w:p><w:r><w:t>keep </w:t></w:r>
              <w:del w:id="1"><w:r><w:delText>gone</w:delText></w:r></w:del>
              <w:ins w:id="2"><w:r><w:t>new</w:t></w:r></w:ins>
              <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>
              <w:r><w:t>7</w:t></w:r></w:p>
            <w:p/>
            </w:body></w:document>"#
        );
        assert_eq!(text_of(&xml), "A\tB \nC&D中\nkeep new7\n\n");
    }

    #[test]
    fn tables_are_rows_of_tab_separated_cells() {
        let xml = format!(
            r#"<w:document {W}><w:body><w:tbl><w:tblPr/>
            <w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:t>a2</w:t></w:r></w:p></w:tc>
                  <w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>d</w:t></w:r></w:p></w:tc></w:tr>
            </w:tbl><w:p><w:r><w:t>after</w:t></w:r></w:p></w:body></w:document>"#
        );
        assert_eq!(text_of(&xml), "a a2\t\tc\nd\nafter\n");
    }

    #[test]
    fn malformed_xml_keeps_the_text_before_the_break() {
        let mut out = String::new();
        let r = walk(
            &format!("<w:document {W}><w:p><w:r><w:t>ok</w:t></w:r></w:p><w:p><w:r>"),
            &mut out,
            usize::MAX,
        );
        assert!(matches!(r, Err(WalkError::Xml(_))));
        assert_eq!(out, "ok\n");
    }

    #[test]
    fn relationship_targets_resolve() {
        assert_eq!(resolve("word/", "header1.xml"), "word/header1.xml");
        assert_eq!(
            resolve("ppt/slides/", "../notesSlides/n1.xml"),
            "ppt/notesSlides/n1.xml"
        );
        assert_eq!(resolve("word/", "/word/x.xml"), "word/x.xml");
        assert_eq!(resolve("", "../../x"), "x");
        assert_eq!(
            rels_path("word/document.xml"),
            "word/_rels/document.xml.rels"
        );
        assert_eq!(rels_path("x.xml"), "_rels/x.xml.rels");
        let mut v = vec![
            "ppt/slides/slide10.xml",
            "ppt/slides/slide2.xml",
            "ppt/slides/slide1.xml",
        ];
        v.sort_by_key(|t| natural_key(t));
        assert_eq!(
            v,
            [
                "ppt/slides/slide1.xml",
                "ppt/slides/slide2.xml",
                "ppt/slides/slide10.xml"
            ]
        );
    }
}
