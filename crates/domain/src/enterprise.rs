//! Enterprises: the registry fields a county keeps, parsed from forms, imports and the API.

use serde::{Deserialize, Serialize};

use crate::credit_code::CreditCode;
use crate::industry::Industry;
use crate::org::{DivisionCode, string_enum};
use crate::validation::{FieldError, FieldErrors, optional_text, required_text};

string_enum! {
    /// Enterprise size per 统计上大中小微型企业划分办法（2017）.
    EnterpriseSize {
        Large = "large" / "大型" / "large",
        Medium = "medium" / "中型" / "medium",
        Small = "small" / "小型" / "small",
        Micro = "micro" / "微型" / "micro",
    }
}

string_enum! {
    /// Key-enterprise tags the plan singles out (方案 三(一), 四(一)).
    KeyTag {
        Specialised = "specialised" / "专精特新" / "specialised and innovative",
        Gazelle = "gazelle" / "瞪羚" / "gazelle",
        SingleChampion = "single_champion" / "制造业单项冠军" / "single-product champion",
        Leader = "leader" / "龙头/领军" / "industry leader",
        HighTech = "high_tech" / "高新技术企业" / "high-tech enterprise",
        TechSme = "tech_sme" / "科技型中小企业" / "tech-based SME",
    }
}

string_enum! {
    /// Registration status.
    EnterpriseStatus {
        Operating = "operating" / "存续" / "operating",
        Suspended = "suspended" / "停业" / "suspended",
        MovedOut = "moved_out" / "迁出" / "moved out",
        Deregistered = "deregistered" / "注销" / "deregistered",
        Revoked = "revoked" / "吊销" / "licence revoked",
    }
}

/// Parses a tag list separated by commas, 、, ；, semicolons or whitespace.
pub fn parse_tags(raw: &str) -> Result<Vec<KeyTag>, String> {
    let mut tags = Vec::new();
    for part in raw.split([',', '，', '、', ';', '；', '|']) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        // Accept the short spellings people type, e.g. 龙头企业 / 领军企业.
        let alias = match p {
            "龙头" | "领军" | "龙头企业" | "领军企业" | "龙头/领军企业" => {
                Some(KeyTag::Leader)
            }
            "专精特新企业" | "专精特新中小企业" => Some(KeyTag::Specialised),
            "瞪羚企业" => Some(KeyTag::Gazelle),
            "单项冠军" | "单项冠军企业" => Some(KeyTag::SingleChampion),
            "高企" | "高新技术" => Some(KeyTag::HighTech),
            "科技型中小" => Some(KeyTag::TechSme),
            _ => None,
        };
        match alias.or_else(|| KeyTag::parse(p)) {
            Some(t) if !tags.contains(&t) => tags.push(t),
            Some(_) => {}
            None => return Err(p.to_string()),
        }
    }
    tags.sort();
    Ok(tags)
}

pub fn tags_to_string(tags: &[KeyTag]) -> String {
    tags.iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn tags_label(tags: &[KeyTag], en: bool) -> String {
    tags.iter()
        .map(|t| t.label(en))
        .collect::<Vec<_>>()
        .join(if en { ", " } else { "、" })
}

/// Raw enterprise fields, all text, as a form, spreadsheet row or JSON body gives them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct EnterpriseForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub zone_key: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub share_contacts: String,
    #[serde(default)]
    pub status: String,
}

/// A parsed, valid enterprise record (references by code; storage resolves them to rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnterpriseInput {
    pub name: String,
    pub credit_code: CreditCode,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub division_code: DivisionCode,
    pub zone_key: Option<String>,
    pub industry: Industry,
    pub size: Option<EnterpriseSize>,
    pub tags: Vec<KeyTag>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// Whether the enterprise shares its contacts with the government (towns, stations).
    pub share_contacts: bool,
    pub status: EnterpriseStatus,
}

pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "off" | "否" | "不" => Some(false),
        "1" | "true" | "yes" | "on" | "是" | "y" => Some(true),
        _ => None,
    }
}

impl EnterpriseForm {
    /// Parses every field, collecting all problems rather than stopping at the first.
    pub fn parse(&self) -> Result<(EnterpriseInput, Vec<FieldError>), FieldErrors> {
        let mut e = FieldErrors::default();
        let name = required_text(&mut e, "name", &self.name, 100);
        let credit_code = match CreditCode::parse(&self.credit_code) {
            Ok((c, w)) => {
                if let Some(w) = w {
                    let msg = w.to_string();
                    e.warn(FieldError::new(
                        "credit_code",
                        "check_character",
                        msg.clone(),
                        msg,
                    ));
                }
                Some(c)
            }
            Err(err) if self.credit_code.trim().is_empty() => {
                let _ = err;
                e.push(FieldError::required("credit_code"));
                None
            }
            Err(err) => {
                let msg = err.to_string();
                let (zh, en) = msg.split_once(" / ").unwrap_or((&msg, &msg));
                e.push(FieldError::new("credit_code", "invalid", zh, en));
                None
            }
        };
        let legal_representative = optional_text(
            &mut e,
            "legal_representative",
            &self.legal_representative,
            50,
        );
        let address = optional_text(&mut e, "address", &self.address, 200);
        let division_code = if self.division_code.trim().is_empty() {
            e.push(FieldError::required("division_code"));
            None
        } else {
            match DivisionCode::parse(&self.division_code) {
                Ok(d) => Some(d),
                Err(m) => {
                    let (zh, en) = m.split_once(" / ").unwrap_or((&m, &m));
                    e.push(FieldError::new("division_code", "invalid", zh, en));
                    None
                }
            }
        };
        let zone_key = optional_text(&mut e, "zone_key", &self.zone_key, 40);
        let industry = if self.industry.trim().is_empty() {
            e.push(FieldError::required("industry"));
            None
        } else {
            match Industry::parse(&self.industry) {
                Ok(i) => Some(i),
                Err(err) => {
                    let msg = err.to_string();
                    let (zh, en) = msg.split_once(" / ").unwrap_or((&msg, &msg));
                    e.push(FieldError::new("industry", "invalid", zh, en));
                    None
                }
            }
        };
        let size = match self.size.trim() {
            "" => None,
            s => match EnterpriseSize::parse(s) {
                Some(v) => Some(v),
                None => {
                    e.push(FieldError::new(
                        "size",
                        "invalid",
                        format!("“{s}”不是有效的企业规模（大型、中型、小型、微型）"),
                        format!("'{s}' is not a size (large, medium, small, micro)"),
                    ));
                    None
                }
            },
        };
        let tags = match parse_tags(&self.tags) {
            Ok(t) => t,
            Err(bad) => {
                e.push(FieldError::new(
                    "tags",
                    "invalid",
                    format!("“{bad}”不是重点企业标签"),
                    format!("'{bad}' is not a key-enterprise tag"),
                ));
                Vec::new()
            }
        };
        let contact_name = optional_text(&mut e, "contact_name", &self.contact_name, 50);
        let contact_phone = optional_text(&mut e, "contact_phone", &self.contact_phone, 40);
        if let Some(p) = &contact_phone
            && !p
                .chars()
                .all(|c| c.is_ascii_digit() || "+-() 转".contains(c))
        {
            e.push(FieldError::new(
                "contact_phone",
                "invalid",
                "电话号码只能包含数字、+、-、括号和空格",
                "a phone number has digits, +, -, brackets and spaces only",
            ));
        }
        let contact_email = optional_text(&mut e, "contact_email", &self.contact_email, 100);
        if let Some(m) = &contact_email
            && !(m.contains('@') && !m.starts_with('@') && !m.ends_with('@'))
        {
            e.push(FieldError::new(
                "contact_email",
                "invalid",
                "电子邮箱格式不正确",
                "not an e-mail address",
            ));
        }
        let share_contacts = match parse_bool(&self.share_contacts) {
            Some(b) => b,
            None => {
                e.push(FieldError::new(
                    "share_contacts",
                    "invalid",
                    "应为“是”或“否”",
                    "must be yes or no",
                ));
                false
            }
        };
        let status = match self.status.trim() {
            "" => EnterpriseStatus::Operating,
            s => EnterpriseStatus::parse(s).unwrap_or_else(|| {
                e.push(FieldError::new(
                    "status",
                    "invalid",
                    format!("“{s}”不是有效的登记状态"),
                    format!("'{s}' is not a registration status"),
                ));
                EnterpriseStatus::Operating
            }),
        };
        if !e.is_empty() {
            return Err(e);
        }
        e.into_result(EnterpriseInput {
            name,
            credit_code: credit_code.expect("checked"),
            legal_representative,
            address,
            division_code: division_code.expect("checked"),
            zone_key,
            industry: industry.expect("checked"),
            size,
            tags,
            contact_name,
            contact_phone,
            contact_email,
            share_contacts,
            status,
        })
    }
}

impl EnterpriseInput {
    /// The form this input came from, in canonical spelling (export writes this).
    pub fn to_form(&self) -> EnterpriseForm {
        EnterpriseForm {
            name: self.name.clone(),
            credit_code: self.credit_code.to_string(),
            legal_representative: self.legal_representative.clone().unwrap_or_default(),
            address: self.address.clone().unwrap_or_default(),
            division_code: self.division_code.to_string(),
            zone_key: self.zone_key.clone().unwrap_or_default(),
            industry: self.industry.code(),
            size: self
                .size
                .map(|s| s.label_zh().to_string())
                .unwrap_or_default(),
            tags: tags_label(&self.tags, false),
            contact_name: self.contact_name.clone().unwrap_or_default(),
            contact_phone: self.contact_phone.clone().unwrap_or_default(),
            contact_email: self.contact_email.clone().unwrap_or_default(),
            share_contacts: if self.share_contacts { "是" } else { "否" }.into(),
            status: self.status.label_zh().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> EnterpriseForm {
        EnterpriseForm {
            name: "高唐县示例精细化工有限公司".into(),
            credit_code: "91310110666007217T".into(),
            division_code: "371526101".into(),
            industry: "C26".into(),
            size: "小型".into(),
            tags: "专精特新、瞪羚企业".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_parses_with_canonical_values() {
        let (e, w) = good().parse().unwrap();
        assert!(w.is_empty());
        assert_eq!(e.industry.code(), "C26");
        assert_eq!(e.tags, vec![KeyTag::Specialised, KeyTag::Gazelle]);
        assert_eq!(e.status, EnterpriseStatus::Operating);
        // The canonical form parses back to the same value.
        assert_eq!(e.to_form().parse().unwrap().0, e);
    }

    #[test]
    fn every_bad_field_is_named() {
        let f = EnterpriseForm {
            name: " ".into(),
            credit_code: "123".into(),
            division_code: "abc".into(),
            industry: "Z99".into(),
            size: "巨型".into(),
            tags: "独角兽".into(),
            ..Default::default()
        };
        let errs = f.parse().unwrap_err();
        for field in [
            "name",
            "credit_code",
            "division_code",
            "industry",
            "size",
            "tags",
        ] {
            assert!(errs.for_field(field).is_some(), "no error for {field}");
        }
    }

    #[test]
    fn a_legacy_credit_code_is_saved_with_a_warning() {
        let mut f = good();
        f.credit_code = "91350211M00013FA1N".into();
        let (_, warnings) = f.parse().unwrap();
        assert_eq!(warnings[0].field, "credit_code");
    }
}
