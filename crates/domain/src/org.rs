//! Organisations of a county: divisions (county, streets, towns), zones and parks, units,
//! and the task force. Kinds are closed enums whose string forms are stored in the database.

use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, FieldErrors, optional_text, required_text};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal / $zh:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored and JSON form.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),+ } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            pub fn label(self, en: bool) -> &'static str { if en { self.label_en() } else { self.label_zh() } }
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == t || v.label_zh() == t || v.label_en().eq_ignore_ascii_case(t))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// Level of an administrative division.
    DivisionKind {
        County = "county" / "县" / "county",
        Street = "street" / "街道" / "subdistrict",
        Town = "town" / "镇" / "town",
    }
}

string_enum! {
    /// A zone or park: not an administrative division (e.g. 高唐经济开发区).
    ZoneKind {
        DevelopmentZone = "development_zone" / "开发区" / "development zone",
        IndustrialPark = "industrial_park" / "产业园区" / "industrial park",
    }
}

string_enum! {
    /// What kind of body a unit is.
    UnitKind {
        GovernmentDepartment = "government_department" / "政府部门" / "government department",
        PartyOrgan = "party_organ" / "党委部门" / "party organ",
        Court = "court" / "人民法院" / "court",
        Procuratorate = "procuratorate" / "人民检察院" / "procuratorate",
        Police = "police" / "公安机关" / "police",
        TownGovernment = "town_government" / "镇政府/街道办" / "town government",
        ZoneCommittee = "zone_committee" / "园区管委会" / "zone committee",
        MarketSupervisionOffice = "market_supervision_office" / "市场监管所" / "market supervision office",
        ServiceStation = "service_station" / "服务站（点）" / "service station",
        University = "university" / "高等院校" / "university",
        ResearchInstitute = "research_institute" / "科研院所" / "research institute",
        LawFirm = "law_firm" / "律师事务所" / "law firm",
    }
}

string_enum! {
    /// Position in the task force (工作专班).
    TaskForcePosition {
        Convener = "convener" / "总召集人" / "convener",
        DeputyConvener = "deputy_convener" / "副召集人" / "deputy convener",
        Member = "member" / "成员" / "member",
    }
}

/// A nine-digit statistical division code (统计用区划代码, first nine of twelve digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

impl DivisionCode {
    /// Accepts 6-digit (county), 9-digit and 12-digit forms; a 12-digit code ending in `000`
    /// is shortened to nine digits.
    pub fn parse(s: &str) -> Result<DivisionCode, String> {
        let t = s.trim();
        if !t.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "区划代码只能是数字 / a division code is digits only: {t}"
            ));
        }
        match t.len() {
            6 | 9 => Ok(DivisionCode(t.to_string())),
            12 if t.ends_with("000") => Ok(DivisionCode(t[..9].to_string())),
            _ => Err(format!(
                "区划代码应为6、9或12位 / a division code has 6, 9 or 12 digits: {t}"
            )),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        DivisionCode::parse(&s)
    }
}
impl From<DivisionCode> for String {
    fn from(d: DivisionCode) -> String {
        d.0
    }
}
impl std::fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unit as entered in a form, an import row or the API, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInput {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    /// Credit code of the unit itself (government bodies have one starting with 1).
    pub credit_code: Option<String>,
    /// For town governments, offices and stations: the division or zone they serve, by code/key.
    pub division_code: Option<DivisionCode>,
    pub zone_key: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub opening_hours: Option<String>,
}

impl UnitInput {
    /// The form this input came from, in canonical spelling (the Chinese label for its kind);
    /// parsing it with [`UnitForm::parse`] gives the same input back. Export writes this.
    pub fn to_form(&self) -> UnitForm {
        UnitForm {
            name: self.name.clone(),
            short_name: self.short_name.clone().unwrap_or_default(),
            kind: self.kind.label_zh().to_string(),
            credit_code: self.credit_code.clone().unwrap_or_default(),
            division_code: self
                .division_code
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            zone_key: self.zone_key.clone().unwrap_or_default(),
            address: self.address.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            opening_hours: self.opening_hours.clone().unwrap_or_default(),
        }
    }
}

/// Raw unit fields, all text, as they come from a form or a spreadsheet.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct UnitForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub zone_key: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub opening_hours: String,
}

impl UnitForm {
    pub fn parse(&self) -> Result<(UnitInput, Vec<FieldError>), FieldErrors> {
        let mut e = FieldErrors::default();
        let name = required_text(&mut e, "name", &self.name, 100);
        let short_name = optional_text(&mut e, "short_name", &self.short_name, 50);
        let kind = match UnitKind::parse(&self.kind) {
            Some(k) => k,
            None => {
                e.push(FieldError::new(
                    "kind",
                    "invalid",
                    format!("“{}”不是有效的单位类型", self.kind.trim()),
                    format!("'{}' is not a unit kind", self.kind.trim()),
                ));
                UnitKind::GovernmentDepartment
            }
        };
        let credit_code =
            optional_text(&mut e, "credit_code", &self.credit_code, 18).and_then(|c| {
                match crate::CreditCode::parse(&c) {
                    Ok((code, w)) => {
                        if let Some(w) = w {
                            e.warn(FieldError::new(
                                "credit_code",
                                "check",
                                w.to_string(),
                                w.to_string(),
                            ));
                        }
                        Some(code.as_str().to_string())
                    }
                    Err(err) => {
                        e.push(FieldError::new(
                            "credit_code",
                            "invalid",
                            err.to_string(),
                            err.to_string(),
                        ));
                        None
                    }
                }
            });
        let division_code = match self.division_code.trim() {
            "" => None,
            s => match DivisionCode::parse(s) {
                Ok(d) => Some(d),
                Err(m) => {
                    e.push(FieldError::new("division_code", "invalid", m.clone(), m));
                    None
                }
            },
        };
        let zone_key = optional_text(&mut e, "zone_key", &self.zone_key, 40);
        let address = optional_text(&mut e, "address", &self.address, 200);
        let phone = optional_text(&mut e, "phone", &self.phone, 40);
        let opening_hours = optional_text(&mut e, "opening_hours", &self.opening_hours, 100);
        e.into_result(UnitInput {
            name,
            short_name,
            kind,
            credit_code,
            division_code,
            zone_key,
            address,
            phone,
            opening_hours,
        })
    }
}
