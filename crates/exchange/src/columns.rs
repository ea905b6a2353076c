//! The columns of the enterprise and unit sheets: Chinese header, English alias, whether the
//! column must be present, and how to move a cell in and out of the domain's form types.

use shoumi_domain::{EnterpriseForm, UnitForm, UnitInput};

/// One column of an import/export sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// Header written on export and preferred on import, e.g. `统一社会信用代码`.
    pub zh: &'static str,
    /// The form field name, also accepted as a header, e.g. `credit_code`.
    pub field: &'static str,
    /// English label used in the English error report.
    pub en: &'static str,
    /// A file without this column is refused.
    pub required: bool,
    /// The value is a code or number-like text that spreadsheets like to mangle
    /// (leading zeros, scientific notation); exported as text, checked on import.
    pub code_like: bool,
    /// Typical width in characters for XLSX export.
    pub width: f64,
}

const fn col(
    zh: &'static str,
    field: &'static str,
    en: &'static str,
    required: bool,
    code_like: bool,
    width: f64,
) -> Column {
    Column {
        zh,
        field,
        en,
        required,
        code_like,
        width,
    }
}

/// Columns of the enterprise sheet, in export order.
pub const ENTERPRISE_COLUMNS: &[Column] = &[
    col("企业名称", "name", "Name", true, false, 36.0),
    col(
        "统一社会信用代码",
        "credit_code",
        "Credit code",
        true,
        true,
        22.0,
    ),
    col(
        "法定代表人",
        "legal_representative",
        "Legal representative",
        false,
        false,
        12.0,
    ),
    col("地址", "address", "Address", false, false, 40.0),
    col(
        "所属镇街代码",
        "division_code",
        "Division code",
        true,
        true,
        14.0,
    ),
    col("园区", "zone_key", "Zone", false, false, 14.0),
    col("行业", "industry", "Industry", true, false, 8.0),
    col("规模", "size", "Size", false, false, 8.0),
    col("重点企业标签", "tags", "Key tags", false, false, 24.0),
    col("联系人", "contact_name", "Contact", false, false, 10.0),
    col("联系电话", "contact_phone", "Phone", false, true, 16.0),
    col("电子邮箱", "contact_email", "E-mail", false, false, 24.0),
    col(
        "向政府共享联系方式",
        "share_contacts",
        "Share contacts",
        false,
        false,
        10.0,
    ),
    col("登记状态", "status", "Status", false, false, 10.0),
];

/// Columns of the unit sheet, in export order.
pub const UNIT_COLUMNS: &[Column] = &[
    col("单位名称", "name", "Name", true, false, 30.0),
    col("简称", "short_name", "Short name", false, false, 14.0),
    col("单位类型", "kind", "Kind", true, false, 16.0),
    col(
        "统一社会信用代码",
        "credit_code",
        "Credit code",
        false,
        true,
        22.0,
    ),
    col(
        "所属镇街代码",
        "division_code",
        "Division code",
        false,
        true,
        14.0,
    ),
    col("园区", "zone_key", "Zone", false, false, 14.0),
    col("地址", "address", "Address", false, false, 40.0),
    col("电话", "phone", "Phone", false, true, 16.0),
    col(
        "办公时间",
        "opening_hours",
        "Opening hours",
        false,
        false,
        20.0,
    ),
];

/// Header texts that are recognised but carry no data (a running number).
pub(crate) const IGNORED_HEADERS: &[&str] = &["序号", "no", "no.", "#"];

/// Normalises a header cell for matching: trims (also full-width spaces and a BOM),
/// drops a trailing required-marker `*`/`＊`, and lower-cases ASCII.
pub(crate) fn normalise_header(raw: &str) -> String {
    let t = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let t = t.trim_end_matches(['*', '＊']);
    let t = t.trim_start_matches(['*', '＊']).trim();
    t.to_ascii_lowercase()
}

/// Finds the column a header names, by Chinese name or snake_case field name.
pub(crate) fn find_column(columns: &[Column], header: &str) -> Option<usize> {
    let h = normalise_header(header);
    columns
        .iter()
        .position(|c| c.zh == h || c.field == h || c.en.eq_ignore_ascii_case(&h))
}

/// The field (by index into [`ENTERPRISE_COLUMNS`]) of an enterprise form.
pub(crate) fn enterprise_field(form: &mut EnterpriseForm, index: usize) -> Option<&mut String> {
    Some(match index {
        0 => &mut form.name,
        1 => &mut form.credit_code,
        2 => &mut form.legal_representative,
        3 => &mut form.address,
        4 => &mut form.division_code,
        5 => &mut form.zone_key,
        6 => &mut form.industry,
        7 => &mut form.size,
        8 => &mut form.tags,
        9 => &mut form.contact_name,
        10 => &mut form.contact_phone,
        11 => &mut form.contact_email,
        12 => &mut form.share_contacts,
        13 => &mut form.status,
        _ => return None,
    })
}

/// The field (by index into [`UNIT_COLUMNS`]) of a unit form.
pub(crate) fn unit_field(form: &mut UnitForm, index: usize) -> Option<&mut String> {
    Some(match index {
        0 => &mut form.name,
        1 => &mut form.short_name,
        2 => &mut form.kind,
        3 => &mut form.credit_code,
        4 => &mut form.division_code,
        5 => &mut form.zone_key,
        6 => &mut form.address,
        7 => &mut form.phone,
        8 => &mut form.opening_hours,
        _ => return None,
    })
}

/// The enterprise form's values in [`ENTERPRISE_COLUMNS`] order.
pub(crate) fn enterprise_values(f: EnterpriseForm) -> Vec<String> {
    vec![
        f.name,
        f.credit_code,
        f.legal_representative,
        f.address,
        f.division_code,
        f.zone_key,
        f.industry,
        f.size,
        f.tags,
        f.contact_name,
        f.contact_phone,
        f.contact_email,
        f.share_contacts,
        f.status,
    ]
}

/// The unit form's values in [`UNIT_COLUMNS`] order.
pub(crate) fn unit_values(f: UnitForm) -> Vec<String> {
    vec![
        f.name,
        f.short_name,
        f.kind,
        f.credit_code,
        f.division_code,
        f.zone_key,
        f.address,
        f.phone,
        f.opening_hours,
    ]
}

/// The form a unit came from, in canonical spelling (the Chinese label for its kind);
/// parsing it with [`UnitForm::parse`] gives the same [`UnitInput`] back.
pub fn unit_to_form(u: &UnitInput) -> UnitForm {
    u.to_form()
}
