//! PDF: lopdf reads the file (cross-reference tables and streams, object streams,
//! decryption of PDFs that open without a password, bounded decompression); the text comes
//! from our own content-stream interpreter ([`interp`]), lexer ([`lexer`]) and font
//! decoding ([`font`]), which are lenient and bounded on any input.
//!
//! Known limits:
//! - Reading order is content-stream order. Word, WPS and most generators write text in
//!   reading order; a PDF that draws its columns, table cells or headers out of order keeps
//!   that order here (nothing is re-sorted by position).
//! - Scanned pages (images only) have no text; OCR is not done. A PDF with no text at all is
//!   refused with [`ExtractError::NoText`]; a page without text in an otherwise textual PDF
//!   gets a warning.
//! - Text in fonts without a Unicode mapping (Identity-H CID fonts without `/ToUnicode`,
//!   Type 3 fonts with made-up glyph names) is missing, with a warning naming the font. The
//!   embedded font programs are not read to recover it.
//! - Annotations and form-field values (not part of the page content) are not read, nor
//!   `/ActualText` replacements.
//! - Text drawn twice (fake bold) comes out twice.

mod font;
mod glyphlist;
mod interp;
mod lexer;

use std::collections::HashSet;

use lopdf::{DecompressError, Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use super::{Ctx, ExtractError, Extracted, Format, TextBuilder};

/// Operators and glyphs one document may cost (forms drawn many times count each time).
const MAX_WORK: u64 = 50_000_000;

pub(crate) fn extract(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    // Object and cross-reference streams, decoded while loading: real ones are far smaller.
    let per_stream =
        usize::try_from(ctx.limits.max_decompressed_bytes.min(64 << 20)).unwrap_or(usize::MAX);
    let options = LoadOptions {
        max_decompressed_size: Some(per_stream),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| load_error(ctx, e))?;
    if doc.is_encrypted() && doc.encryption_state.is_none() {
        return Err(ctx.encrypted("PDF"));
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(ctx.corrupt("PDF", "no pages were found"));
    }
    let mut budget = Budget {
        remaining: ctx.limits.max_decompressed_bytes,
        work: MAX_WORK,
    };
    let mut b = TextBuilder::new(ctx.limits);
    let mut state = interp::DocState::default();
    let mut image_only_pages = Vec::new();
    let mut stopped_early = false;
    for (&number, &page_id) in &pages {
        let before = (state.images, state.glyphs);
        let page = interp::page_text(
            &doc,
            page_id,
            &mut budget,
            &mut state,
            ctx.limits.max_text_bytes,
        )
        .map_err(|e| match e {
            interp::Stop::Budget => ctx.too_large(
                "the decompressed content",
                ctx.limits.max_decompressed_bytes,
            ),
            interp::Stop::TextTooLong => {
                ctx.too_large("the extracted text", ctx.limits.max_text_bytes as u64)
            }
        })?;
        b.section(format!("page {number}"));
        if page.trim().is_empty() {
            if state.images > before.0 && state.glyphs == before.1 {
                image_only_pages.push(number);
            }
        } else {
            b.text.push_str(page.trim_end_matches(' '));
        }
        if b.over_limit() {
            return Err(ctx.too_large("the extracted text", ctx.limits.max_text_bytes as u64));
        }
        if budget.work == 0 {
            stopped_early = true;
            break;
        }
    }
    if b.text.trim().is_empty() {
        return Err(no_text(ctx, &state, pages.len()));
    }
    if stopped_early {
        b.warn("the PDF's content is too complex; text extraction stopped before the end");
    }
    if !image_only_pages.is_empty() {
        b.warn(format!(
            "{} had only images and no text (scanned?); OCR is not supported, their text is missing",
            page_list(&image_only_pages)
        ));
    }
    for font in &state.fonts_without_unicode {
        b.warn(format!(
            "font {font} has no Unicode mapping (no ToUnicode CMap); its text is missing"
        ));
    }
    Ok(b.finish(Format::Pdf))
}

fn page_list(pages: &[u32]) -> String {
    let shown: Vec<String> = pages.iter().take(10).map(u32::to_string).collect();
    let more = if pages.len() > 10 { ", ..." } else { "" };
    if pages.len() == 1 {
        format!("page {}", shown[0])
    } else {
        format!("pages {}{more}", shown.join(", "))
    }
}

fn no_text(ctx: &Ctx<'_>, state: &interp::DocState, pages: usize) -> ExtractError {
    let pages_word = if pages == 1 { "page" } else { "pages" };
    let reason = if state.glyphs_without_unicode > 0 {
        let font = state
            .fonts_without_unicode
            .iter()
            .next()
            .map(String::as_str)
            .unwrap_or("?");
        format!(
            "the PDF's text uses fonts without a Unicode mapping (such as {font}), so it cannot be extracted; \
             OCR is not supported"
        )
    } else if state.images > 0 {
        format!(
            "the PDF has {pages} {pages_word} of images and no text layer; it looks like a scanned document, \
             and OCR is not supported (run OCR first, or submit the original document)"
        )
    } else {
        format!("the PDF has {pages} {pages_word} but no text")
    };
    ExtractError::NoText {
        file: ctx.file.into(),
        reason,
    }
}

fn load_error(ctx: &Ctx<'_>, e: lopdf::Error) -> ExtractError {
    match e {
        lopdf::Error::Decryption(_)
        | lopdf::Error::InvalidPassword
        | lopdf::Error::AlreadyEncrypted
        | lopdf::Error::UnsupportedSecurityHandler(_) => ctx.encrypted("PDF"),
        lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => ctx.too_large(
            "the decompressed content",
            ctx.limits.max_decompressed_bytes,
        ),
        e => ctx.corrupt("PDF", e),
    }
}

/// What is left to spend on one document: decompressed bytes, and work (operators and
/// glyphs interpreted).
pub(crate) struct Budget {
    remaining: u64,
    pub work: u64,
}

/// The decompression budget ran out.
#[derive(Debug)]
pub(crate) struct BudgetExceeded;

impl Budget {
    /// A stream's decoded content; `None` if it cannot be decoded (damaged, or a filter
    /// we do not read), which callers treat like a missing stream.
    pub fn stream(&mut self, s: &Stream) -> Result<Option<Vec<u8>>, BudgetExceeded> {
        let cap = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        match s.get_plain_content_with_limit(cap) {
            Ok(data) => {
                self.remaining = self.remaining.saturating_sub(data.len() as u64);
                Ok(Some(data))
            }
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
                Err(BudgetExceeded)
            }
            Err(_) => Ok(None),
        }
    }

    /// Spends `n` units of work; false when none is left.
    pub fn spend(&mut self, n: u64) -> bool {
        if self.work < n {
            self.work = 0;
            return false;
        }
        self.work -= n;
        true
    }
}

/// Follows references (a few hops at most) to the object.
pub(crate) fn deref<'d>(doc: &'d Document, mut o: Option<&'d Object>) -> Option<&'d Object> {
    for _ in 0..8 {
        match o? {
            Object::Reference(id) => o = doc.get_object(*id).ok(),
            other => return Some(other),
        }
    }
    None
}

/// A number object's value.
pub(crate) fn number(o: Option<&Object>) -> Option<f64> {
    match o? {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) if r.is_finite() => Some(f64::from(*r)),
        _ => None,
    }
}

/// A dictionary (or a stream's dictionary) behind `o`.
pub(crate) fn dict<'d>(doc: &'d Document, o: Option<&'d Object>) -> Option<&'d Dictionary> {
    match deref(doc, o)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// A page's `/Resources`, inherited from the page tree when the page has none.
pub(crate) fn page_resources(doc: &Document, page: ObjectId) -> Option<&Dictionary> {
    let mut seen = HashSet::new();
    let mut node = doc.get_object(page).ok()?;
    for _ in 0..64 {
        let d = match node {
            Object::Dictionary(d) => d,
            _ => return None,
        };
        if let Some(r) = dict(doc, d.get(b"Resources").ok()) {
            return Some(r);
        }
        match d.get(b"Parent").ok()? {
            Object::Reference(id) if seen.insert(*id) => node = doc.get_object(*id).ok()?,
            _ => return None,
        }
    }
    None
}
