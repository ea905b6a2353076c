//! Runs a page's content stream far enough to place its glyphs: graphics and text state,
//! text matrices, fonts, Form XObjects. Glyphs come out in content-stream order; a line
//! break is written where the baseline moves by more than half the font size, a space where
//! the next glyph starts clearly to the right of where the previous one ended.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::{Font, expand_ligature};
use super::lexer::{Lexer, MAX_OPERANDS, Operand, Token};
use super::{Budget, deref, dict, number, page_resources};

/// Nested Form XObjects followed at most.
const MAX_FORM_DEPTH: usize = 12;
/// Form XObjects drawn per document at most.
const MAX_FORM_CALLS: u32 = 20_000;
/// Saved graphics states at most (`q` beyond this is ignored).
const MAX_GS_DEPTH: usize = 256;
/// A gap wider than this many font sizes between glyphs on one line is a space.
const SPACE_GAP: f64 = 0.15;

/// Why a page stopped.
pub(crate) enum Stop {
    Budget,
    TextTooLong,
}

/// What the document's pages share: fonts and forms already read, and what was seen.
#[derive(Default)]
pub(crate) struct DocState {
    fonts: HashMap<FontKey, Rc<Font>>,
    forms: HashMap<ObjectId, Rc<Vec<u8>>>,
    form_calls: u32,
    /// Images drawn (XObjects and inline images).
    pub images: usize,
    /// Glyphs shown.
    pub glyphs: usize,
    /// Glyphs whose font gave no text.
    pub glyphs_without_unicode: usize,
    pub fonts_without_unicode: BTreeSet<String>,
}

#[derive(Hash, PartialEq, Eq)]
enum FontKey {
    Object(ObjectId),
    /// A font dictionary written inline in a resource dictionary, by address.
    Inline(usize),
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` (PDF row-vector convention: a point goes through `a` first).
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

fn translate(tx: f64, ty: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, tx, ty]
}

/// Keeps matrices finite: a damaged file can scale them to infinity.
fn sane(m: Matrix) -> Matrix {
    if m.iter().all(|v| v.is_finite() && v.abs() < 1e12) {
        m
    } else {
        IDENTITY
    }
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: IDENTITY,
            font: None,
            size: 1.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// Where the previous glyph ended, in device space.
#[derive(Clone, Copy)]
struct Pen {
    x: f64,
    y: f64,
    /// Unit vector along the line, and across it.
    ux: f64,
    uy: f64,
    size: f64,
}

struct Run<'d, 'b> {
    doc: &'d Document,
    budget: &'b mut Budget,
    state: &'b mut DocState,
    out: String,
    max_text: usize,
    pen: Option<Pen>,
    /// Forms being drawn (to refuse cycles).
    active_forms: Vec<ObjectId>,
}

/// The text of one page.
pub(crate) fn page_text(
    doc: &Document,
    page: ObjectId,
    budget: &mut Budget,
    state: &mut DocState,
    max_text: usize,
) -> Result<String, Stop> {
    let Ok(Object::Dictionary(page_dict)) = doc.get_object(page) else {
        return Ok(String::new());
    };
    let mut content = Vec::new();
    match deref(doc, page_dict.get(b"Contents").ok()) {
        Some(Object::Stream(s)) => {
            if let Some(d) = budget.stream(s).map_err(|_| Stop::Budget)? {
                content = d;
            }
        }
        Some(Object::Array(parts)) => {
            for p in parts.iter().take(10_000) {
                if let Some(Object::Stream(s)) = deref(doc, Some(p))
                    && let Some(d) = budget.stream(s).map_err(|_| Stop::Budget)?
                {
                    content.extend_from_slice(&d);
                    content.push(b'\n');
                }
            }
        }
        _ => {}
    }
    let resources = page_resources(doc, page);
    let mut run = Run {
        doc,
        budget,
        state,
        out: String::new(),
        max_text,
        pen: None,
        active_forms: Vec::new(),
    };
    let mut gs = GState::default();
    run.content(&content, resources, &mut gs, 0)?;
    Ok(run.out)
}

impl Run<'_, '_> {
    fn content(
        &mut self,
        data: &[u8],
        resources: Option<&Dictionary>,
        gs: &mut GState,
        depth: usize,
    ) -> Result<(), Stop> {
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut ops: Vec<Operand> = Vec::new();
        let mut lexer = Lexer::new(data);
        while let Some(tok) = lexer.next_token() {
            let op = match tok {
                Token::Operand(o) => {
                    if ops.len() == MAX_OPERANDS {
                        ops.remove(0);
                    }
                    ops.push(o);
                    continue;
                }
                Token::InlineImage => {
                    self.state.images += 1;
                    ops.clear();
                    continue;
                }
                Token::Keyword(k) => k,
            };
            if !self.budget.spend(1) {
                return Ok(());
            }
            match op {
                b"q" if stack.len() < MAX_GS_DEPTH => stack.push(gs.clone()),
                b"Q" => {
                    if let Some(saved) = stack.pop() {
                        *gs = saved;
                    }
                }
                b"cm" => {
                    if let Some(m) = matrix(&ops) {
                        gs.ctm = sane(mul(&m, &gs.ctm));
                    }
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" => {
                    if let [.., Operand::Name(name), Operand::Number(size)] = ops.as_slice() {
                        gs.font = Some(self.font(resources, name)?);
                        gs.size = *size;
                    }
                }
                b"Tc" => set(&ops, &mut gs.char_spacing),
                b"Tw" => set(&ops, &mut gs.word_spacing),
                b"Tz" => {
                    if let Some(v) = last_number(&ops) {
                        gs.h_scale = v / 100.0;
                    }
                }
                b"TL" => set(&ops, &mut gs.leading),
                b"Ts" => set(&ops, &mut gs.rise),
                b"Td" | b"TD" => {
                    if let [.., Operand::Number(tx), Operand::Number(ty)] = ops.as_slice() {
                        if op == b"TD" {
                            gs.leading = -ty;
                        }
                        tlm = sane(mul(&translate(*tx, *ty), &tlm));
                        tm = tlm;
                    }
                }
                b"Tm" => {
                    if let Some(m) = matrix(&ops) {
                        tlm = sane(m);
                        tm = tlm;
                    }
                }
                b"T*" => next_line(gs, &mut tm, &mut tlm),
                b"Tj" => {
                    if let Some(Operand::String(s)) = ops.last() {
                        self.show(s, gs, &mut tm)?;
                    }
                }
                b"'" => {
                    next_line(gs, &mut tm, &mut tlm);
                    if let Some(Operand::String(s)) = ops.last() {
                        self.show(s, gs, &mut tm)?;
                    }
                }
                b"\"" => {
                    if let [
                        ..,
                        Operand::Number(aw),
                        Operand::Number(ac),
                        Operand::String(s),
                    ] = ops.as_slice()
                    {
                        gs.word_spacing = *aw;
                        gs.char_spacing = *ac;
                        next_line(gs, &mut tm, &mut tlm);
                        self.show(s, gs, &mut tm)?;
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Array(items)) = ops.last() {
                        for item in items {
                            match item {
                                Operand::String(s) => self.show(s, gs, &mut tm)?,
                                Operand::Number(n) => {
                                    let tx = -n / 1000.0 * gs.size * gs.h_scale;
                                    let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                    let shift = if vertical {
                                        translate(0.0, -n / 1000.0 * gs.size)
                                    } else {
                                        translate(tx, 0.0)
                                    };
                                    tm = sane(mul(&shift, &tm));
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b"Do" => {
                    if let Some(Operand::Name(name)) = ops.last() {
                        self.xobject(resources, name, gs, depth)?;
                    }
                }
                _ => {}
            }
            ops.clear();
        }
        Ok(())
    }

    fn font(&mut self, resources: Option<&Dictionary>, name: &[u8]) -> Result<Rc<Font>, Stop> {
        let doc = self.doc;
        let entry = resources
            .and_then(|r| dict(doc, r.get(b"Font").ok()))
            .and_then(|fonts| fonts.get(name).ok());
        let (key, font_dict) = match entry {
            Some(Object::Reference(id)) => {
                (FontKey::Object(*id), dict(doc, doc.get_object(*id).ok()))
            }
            Some(o @ Object::Dictionary(d)) => {
                (FontKey::Inline(o as *const Object as usize), Some(d))
            }
            _ => return Ok(Rc::new(Font::unknown())),
        };
        if let Some(f) = self.state.fonts.get(&key) {
            return Ok(f.clone());
        }
        let font = match font_dict {
            Some(d) => Font::load(doc, d, self.budget).map_err(|_| Stop::Budget)?,
            None => Font::unknown(),
        };
        let font = Rc::new(font);
        if self.state.fonts.len() < 10_000 {
            self.state.fonts.insert(key, font.clone());
        }
        Ok(font)
    }

    fn xobject(
        &mut self,
        resources: Option<&Dictionary>,
        name: &[u8],
        gs: &mut GState,
        depth: usize,
    ) -> Result<(), Stop> {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| dict(doc, r.get(b"XObject").ok()))
            .and_then(|x| x.get(name).ok())
        else {
            return Ok(());
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Some(Object::Stream(stream)) = deref(doc, Some(entry)) else {
            return Ok(());
        };
        let subtype = match stream.dict.get(b"Subtype") {
            Ok(Object::Name(n)) => n.as_slice(),
            _ => b"",
        };
        if subtype == b"Image" {
            self.state.images += 1;
            return Ok(());
        }
        if subtype != b"Form"
            || depth >= MAX_FORM_DEPTH
            || self.state.form_calls >= MAX_FORM_CALLS
            || id.is_some_and(|id| self.active_forms.contains(&id))
        {
            return Ok(());
        }
        self.state.form_calls += 1;
        let data = match id.and_then(|id| self.state.forms.get(&id)) {
            Some(d) => d.clone(),
            None => {
                let Some(d) = self.budget.stream(stream).map_err(|_| Stop::Budget)? else {
                    return Ok(());
                };
                let d = Rc::new(d);
                if let Some(id) = id {
                    self.state.forms.insert(id, d.clone());
                }
                d
            }
        };
        let form_resources = dict(doc, stream.dict.get(b"Resources").ok()).or(resources);
        let mut inner = gs.clone();
        if let Ok(Object::Array(m)) = stream.dict.get(b"Matrix") {
            let m: Vec<f64> = m
                .iter()
                .filter_map(|o| number(deref(doc, Some(o))))
                .collect();
            if let Ok(m) = <[f64; 6]>::try_from(m) {
                inner.ctm = sane(mul(&m, &inner.ctm));
            }
        }
        if let Some(id) = id {
            self.active_forms.push(id);
        }
        let result = self.content(&data, form_resources, &mut inner, depth + 1);
        if id.is_some() {
            self.active_forms.pop();
        }
        result
    }

    /// Shows a string: places each glyph and writes its text.
    fn show(&mut self, s: &[u8], gs: &GState, tm: &mut Matrix) -> Result<(), Stop> {
        let Some(font) = gs.font.clone() else {
            return Ok(());
        };
        if !self.budget.spend(s.len() as u64) {
            return Ok(());
        }
        let mut unmapped = 0usize;
        let mut shown = 0usize;
        font.decode(s, |g| {
            shown += 1;
            let m = mul(
                &[gs.size * gs.h_scale, 0.0, 0.0, gs.size, 0.0, gs.rise],
                &mul(tm, &gs.ctm),
            );
            let (x, y) = apply(&m, 0.0, 0.0);
            let size = (m[2] * m[2] + m[3] * m[3]).sqrt();
            let size = if size.is_finite() && size > 1e-6 {
                size
            } else {
                1.0
            };
            let (mut ux, mut uy) = if font.vertical {
                (-m[2], -m[3])
            } else {
                (m[0], m[1])
            };
            let norm = (ux * ux + uy * uy).sqrt();
            if norm.is_finite() && norm > 1e-9 {
                ux /= norm;
                uy /= norm;
            } else {
                (ux, uy) = (1.0, 0.0);
            }
            match &g.text {
                Some(text) => {
                    self.place(x, y, size, text);
                    self.write(text);
                }
                None => unmapped += 1,
            }
            // Advance.
            let spacing = gs.char_spacing
                + if g.is_space_code && font.simple {
                    gs.word_spacing
                } else {
                    0.0
                };
            let step = if font.vertical {
                translate(0.0, -(g.advance * gs.size) - spacing)
            } else {
                translate((g.advance * gs.size + spacing) * gs.h_scale, 0.0)
            };
            *tm = sane(mul(&step, tm));
            let m = mul(
                &[gs.size * gs.h_scale, 0.0, 0.0, gs.size, 0.0, gs.rise],
                &mul(tm, &gs.ctm),
            );
            let (ex, ey) = apply(&m, 0.0, 0.0);
            self.pen = Some(Pen {
                x: ex,
                y: ey,
                ux,
                uy,
                size,
            });
        });
        self.state.glyphs += shown;
        if unmapped > 0 {
            self.state.glyphs_without_unicode += unmapped;
            if self.state.fonts_without_unicode.len() < 20 && !font.has_unicode() {
                self.state.fonts_without_unicode.insert(font.name.clone());
            }
        }
        if self.out.len() > self.max_text {
            return Err(Stop::TextTooLong);
        }
        Ok(())
    }

    /// Writes the line break or space that separates a glyph at (x, y) from the previous.
    fn place(&mut self, x: f64, y: f64, size: f64, text: &str) {
        let Some(pen) = self.pen else { return };
        if self.out.is_empty() {
            return;
        }
        let (dx, dy) = (x - pen.x, y - pen.y);
        let along = dx * pen.ux + dy * pen.uy;
        let across = -dx * pen.uy + dy * pen.ux;
        let size = size.max(pen.size);
        if across.abs() > 0.5 * size {
            if !self.out.ends_with('\n') {
                // Drop the trailing spaces of the finished line.
                let trimmed = self.out.trim_end_matches(' ').len();
                self.out.truncate(trimmed);
                self.out.push('\n');
            }
        } else if (along > SPACE_GAP * size || along < -3.0 * size)
            && !self.out.ends_with([' ', '\n', '\t'])
            && !text.starts_with(char::is_whitespace)
        {
            self.out.push(' ');
        }
    }

    fn write(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                // Control characters, private-use glyphs (symbol fonts), BOMs, replacement.
                '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f'..='\u{9f}' | '\u{e000}'..='\u{f8ff}' => {}
                '\u{feff}' | '\u{fffd}' | '\u{ad}' => {}
                '\t' | '\n' | '\u{a0}' => self.out.push(' '),
                '\u{fb00}'..='\u{fb06}' => self.out.push_str(&expand_ligature(c)),
                c => self.out.push(c),
            }
        }
    }
}

fn next_line(gs: &GState, tm: &mut Matrix, tlm: &mut Matrix) {
    *tlm = sane(mul(&translate(0.0, -gs.leading), tlm));
    *tm = *tlm;
}

fn set(ops: &[Operand], v: &mut f64) {
    if let Some(n) = last_number(ops) {
        *v = n;
    }
}

fn last_number(ops: &[Operand]) -> Option<f64> {
    ops.last().and_then(Operand::number)
}

/// The last six operands as a matrix.
fn matrix(ops: &[Operand]) -> Option<Matrix> {
    let six = ops.get(ops.len().checked_sub(6)?..)?;
    let mut m = [0.0; 6];
    for (slot, o) in m.iter_mut().zip(six) {
        *slot = o.number()?;
    }
    Some(m)
}
