//! The county reference data a new installation is seeded with (`data/gaotang.toml` by default):
//! divisions, zones, the plan's responsible units and its task force.

use serde::Deserialize;

use crate::org::{DivisionCode, DivisionKind, TaskForcePosition, UnitKind, ZoneKind};

#[derive(Debug, Clone, Deserialize)]
pub struct CountyData {
    pub county: County,
    pub divisions: Vec<DivisionData>,
    pub zones: Vec<ZoneData>,
    pub units: Vec<UnitData>,
    pub task_force: TaskForceData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct County {
    pub code: DivisionCode,
    pub name: String,
    pub name_en: String,
    pub city: String,
    pub province: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DivisionData {
    pub code: DivisionCode,
    pub name: String,
    pub name_en: String,
    pub kind: DivisionKind,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ZoneData {
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub kind: ZoneKind,
    #[serde(default)]
    pub divisions: Vec<DivisionCode>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UnitData {
    pub key: String,
    pub name: String,
    pub short_name: String,
    pub name_en: String,
    pub kind: UnitKind,
    #[serde(default)]
    pub programme_office: bool,
    pub division: Option<DivisionCode>,
    pub zone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TaskForceData {
    pub name: String,
    pub name_en: String,
    pub office_unit: String,
    pub office_duty: String,
    pub members: Vec<TaskForceMemberData>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TaskForceMemberData {
    pub name: String,
    pub unit: String,
    pub title: String,
    pub position: TaskForcePosition,
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("reference data is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("reference data: {0}")]
    Inconsistent(String),
}

impl CountyData {
    /// Gaotang County, embedded in the binary.
    pub fn gaotang() -> CountyData {
        Self::parse(include_str!("../data/gaotang.toml")).expect("embedded gaotang.toml is valid")
    }

    /// Parses and cross-checks a county file: every unit and member reference resolves.
    pub fn parse(text: &str) -> Result<CountyData, ReferenceError> {
        let d: CountyData = toml::from_str(text)?;
        let bad = |m: String| Err(ReferenceError::Inconsistent(m));
        for u in &d.units {
            if let Some(div) = &u.division
                && !d.divisions.iter().any(|x| &x.code == div)
            {
                return bad(format!("unit {} names unknown division {div}", u.key));
            }
            if let Some(z) = &u.zone
                && !d.zones.iter().any(|x| &x.key == z)
            {
                return bad(format!("unit {} names unknown zone {z}", u.key));
            }
        }
        for m in &d.task_force.members {
            if !d.units.iter().any(|u| u.key == m.unit) {
                return bad(format!(
                    "task-force member {} names unknown unit {}",
                    m.name, m.unit
                ));
            }
        }
        if !d.units.iter().any(|u| u.key == d.task_force.office_unit) {
            return bad(format!(
                "task-force office unit {} is unknown",
                d.task_force.office_unit
            ));
        }
        Ok(d)
    }

    /// Finds a division by code or by (alias) name.
    pub fn division(&self, code_or_name: &str) -> Option<&DivisionData> {
        let t = code_or_name.trim();
        self.divisions
            .iter()
            .find(|d| d.code.as_str() == t || d.name == t || d.aliases.iter().any(|a| a == t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaotang_has_twelve_divisions_one_zone_and_the_whole_task_force() {
        let g = CountyData::gaotang();
        assert_eq!(g.divisions.len(), 12);
        assert_eq!(g.zones.len(), 1);
        assert_eq!(g.task_force.members.len(), 29);
        assert_eq!(
            g.task_force
                .members
                .iter()
                .filter(|m| m.position == TaskForcePosition::Convener)
                .count(),
            1
        );
        // The development zone is a zone, not a division.
        assert!(g.division("高唐经济开发区").is_none());
        assert_eq!(g.division("鱼丘湖街道").unwrap().code.as_str(), "371526001");
    }
}
