//! Field-level validation errors: every refusal names the field and says what is wrong,
//! in Chinese and English, so the page can show it beside the field and the API can return 422.

use serde::Serialize;

/// One problem with one field (or one column of an imported row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's machine name, as in forms and JSON (`credit_code`).
    pub field: String,
    /// A stable machine code (`required`, `too_long`, `invalid`, `duplicate`, …).
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    pub fn required(field: &str) -> Self {
        Self::new(field, "required", "必填", "required")
    }

    pub fn too_long(field: &str, max: usize) -> Self {
        Self::new(
            field,
            "too_long",
            format!("不能超过{max}个字符"),
            format!("at most {max} characters"),
        )
    }

    pub fn message(&self, lang_en: bool) -> &str {
        if lang_en {
            &self.message_en
        } else {
            &self.message_zh
        }
    }
}

/// A set of field errors and warnings collected while parsing a whole form or row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors {
    pub errors: Vec<FieldError>,
    /// Problems that do not stop the save (e.g. a legacy credit code failing its check).
    pub warnings: Vec<FieldError>,
}

impl FieldErrors {
    pub fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }
    pub fn warn(&mut self, e: FieldError) {
        self.warnings.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }
    pub fn into_result<T>(self, value: T) -> Result<(T, Vec<FieldError>), FieldErrors> {
        if self.errors.is_empty() {
            Ok((value, self.warnings))
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message_en)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Trims a text field and checks it is present and not longer than `max` characters.
pub fn required_text(errs: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let v = raw.trim();
    if v.is_empty() {
        errs.push(FieldError::required(field));
    } else if v.chars().count() > max {
        errs.push(FieldError::too_long(field, max));
    }
    v.to_string()
}

/// Trims an optional text field; empty becomes `None`.
pub fn optional_text(errs: &mut FieldErrors, field: &str, raw: &str, max: usize) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errs.push(FieldError::too_long(field, max));
    }
    Some(v.to_string())
}
