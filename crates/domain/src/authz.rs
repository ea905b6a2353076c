//! Roles, scoped grants and the authorization decisions made from them.
//!
//! Deny by default: a [`Principal`] holds the grants of one signed-in person, and every
//! permission is a method that returns a capability value ([`EnterpriseScope`], [`Capability`])
//! which storage functions require as an argument. Code that has not asked cannot reach the data,
//! and queries for a restricted role are scoped by construction (the scope decides the `WHERE`).

use serde::{Deserialize, Serialize};

use crate::org::string_enum;

string_enum! {
    /// The roles of the platform (issue 2). A person may hold several, each bound to a scope.
    Role {
        Admin = "admin" / "系统管理员" / "system administrator",
        Office = "office" / "专班办公室（市场监管局）" / "programme office",
        Department = "department" / "部门联络员" / "department officer",
        Town = "town" / "镇街/园区联络员" / "town/zone officer",
        Station = "station" / "服务站工作人员" / "station staff",
        EnterpriseAdmin = "enterprise_admin" / "企业管理员" / "enterprise administrator",
        EnterpriseMember = "enterprise_member" / "企业成员" / "enterprise member",
        Expert = "expert" / "专家/律师" / "expert or lawyer",
        Agency = "agency" / "司法机关联络员" / "agency officer",
    }
}

/// What a grant is bound to. Ids are internal row ids, never shown in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    County,
    Unit(i64),
    Division(i64),
    Zone(i64),
    Enterprise(i64),
}

impl Scope {
    pub fn kind_str(self) -> &'static str {
        match self {
            Scope::County => "county",
            Scope::Unit(_) => "unit",
            Scope::Division(_) => "division",
            Scope::Zone(_) => "zone",
            Scope::Enterprise(_) => "enterprise",
        }
    }
    pub fn id(self) -> Option<i64> {
        match self {
            Scope::County => None,
            Scope::Unit(i) | Scope::Division(i) | Scope::Zone(i) | Scope::Enterprise(i) => Some(i),
        }
    }
    pub fn from_parts(kind: &str, id: Option<i64>) -> Option<Scope> {
        Some(match (kind, id) {
            ("county", _) => Scope::County,
            ("unit", Some(i)) => Scope::Unit(i),
            ("division", Some(i)) => Scope::Division(i),
            ("zone", Some(i)) => Scope::Zone(i),
            ("enterprise", Some(i)) => Scope::Enterprise(i),
            _ => return None,
        })
    }
}

impl Role {
    /// Which scope kinds a role may be bound to. A grant outside these is refused.
    pub fn allowed_scope_kinds(self) -> &'static [&'static str] {
        match self {
            Role::Admin | Role::Office => &["county"],
            Role::Department => &["unit"],
            Role::Town => &["division", "zone"],
            Role::Station => &["unit"],
            Role::EnterpriseAdmin | Role::EnterpriseMember => &["enterprise"],
            Role::Expert => &["county", "unit"],
            Role::Agency => &["unit"],
        }
    }
    pub fn accepts(self, scope: Scope) -> bool {
        self.allowed_scope_kinds().contains(&scope.kind_str())
    }
}

/// One grant, with what storage resolved about its scope (a station's area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
    /// For a station (a unit), the division or zone it serves; resolved when the grant is loaded.
    pub area: Option<Scope>,
}

/// The signed-in person and their grants, loaded once per request.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    pub must_change_password: bool,
}

/// Which enterprises a principal may read. Constructed only by [`Principal::enterprise_scope`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnterpriseScope {
    all: bool,
    divisions: Vec<i64>,
    zones: Vec<i64>,
    own: Vec<i64>,
}

impl EnterpriseScope {
    pub fn is_all(&self) -> bool {
        self.all
    }
    pub fn divisions(&self) -> &[i64] {
        &self.divisions
    }
    pub fn zones(&self) -> &[i64] {
        &self.zones
    }
    pub fn own(&self) -> &[i64] {
        &self.own
    }
    pub fn is_empty(&self) -> bool {
        !self.all && self.divisions.is_empty() && self.zones.is_empty() && self.own.is_empty()
    }
    /// Exactly one enterprise of one's own and nothing else: an enterprise user's view.
    pub fn is_single_own(&self) -> bool {
        self.own.len() == 1 && !self.all && self.divisions.is_empty() && self.zones.is_empty()
    }
    /// Covers whole areas (the county, divisions or zones), not only own enterprises: such a
    /// scope may register new enterprises when it is an edit scope.
    pub fn covers_areas(&self) -> bool {
        self.all || !self.divisions.is_empty() || !self.zones.is_empty()
    }
    /// Whether a given enterprise (by id, division and zone) is inside this scope.
    pub fn contains(&self, id: i64, division: i64, zone: Option<i64>) -> bool {
        self.all
            || self.own.contains(&id)
            || self.divisions.contains(&division)
            || zone.is_some_and(|z| self.zones.contains(&z))
    }
}

/// How the reader stands to an enterprise: decides which fields they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// A member of the enterprise: sees everything the enterprise holds about itself.
    Own,
    /// A government or agency reader: sees what the enterprise shares with the government.
    Government,
}

/// A capability to perform an administrative action; obtainable only from a [`Principal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    pub user_id: i64,
    action: Action,
}

impl Capability {
    pub fn action(&self) -> Action {
        self.action
    }
}

/// Actions gated by role rather than by enterprise scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create users, reset passwords, disable, grant and revoke roles.
    ManageUsers,
    /// Browse and export the audit trail.
    ReadAudit,
    /// Create and edit divisions, zones, units and the task force.
    ManageOrganisations,
    /// Read divisions, zones, units and the task force.
    ReadOrganisations,
    /// Create enterprises anywhere and import files of units and enterprises.
    ManageEnterprises,
    /// Import units and enterprises from files.
    Import,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        r.sort();
        r.dedup();
        r
    }

    fn is_government(&self) -> bool {
        self.grants.iter().any(|g| {
            matches!(
                g.role,
                Role::Admin
                    | Role::Office
                    | Role::Department
                    | Role::Town
                    | Role::Station
                    | Role::Agency
            )
        })
    }

    /// Grants a capability for `action`, or `None` (deny by default).
    pub fn can(&self, action: Action) -> Option<Capability> {
        let ok = match action {
            Action::ManageUsers | Action::ReadAudit => self.has_role(Role::Admin),
            Action::ManageOrganisations | Action::ManageEnterprises | Action::Import => {
                self.has_role(Role::Admin) || self.has_role(Role::Office)
            }
            Action::ReadOrganisations => self.is_government() || self.has_role(Role::Expert),
        };
        ok.then_some(Capability {
            user_id: self.user_id,
            action,
        })
    }

    /// The enterprises this person may read.
    pub fn enterprise_scope(&self) -> EnterpriseScope {
        let mut s = EnterpriseScope {
            all: false,
            divisions: vec![],
            zones: vec![],
            own: vec![],
        };
        for g in &self.grants {
            match (g.role, g.scope) {
                (Role::Admin | Role::Office | Role::Department | Role::Agency, _) => s.all = true,
                (Role::Town, Scope::Division(d)) => s.divisions.push(d),
                (Role::Town, Scope::Zone(z)) => s.zones.push(z),
                (Role::Station, _) => match g.area {
                    Some(Scope::Division(d)) => s.divisions.push(d),
                    Some(Scope::Zone(z)) => s.zones.push(z),
                    _ => {}
                },
                (Role::EnterpriseAdmin | Role::EnterpriseMember, Scope::Enterprise(e)) => {
                    s.own.push(e)
                }
                _ => {}
            }
        }
        s
    }

    /// The enterprises whose registry record this person may edit.
    pub fn enterprise_edit_scope(&self) -> EnterpriseScope {
        let mut s = EnterpriseScope {
            all: false,
            divisions: vec![],
            zones: vec![],
            own: vec![],
        };
        for g in &self.grants {
            match (g.role, g.scope) {
                (Role::Admin | Role::Office, _) => s.all = true,
                (Role::Town, Scope::Division(d)) => s.divisions.push(d),
                (Role::Town, Scope::Zone(z)) => s.zones.push(z),
                (Role::EnterpriseAdmin, Scope::Enterprise(e)) => s.own.push(e),
                _ => {}
            }
        }
        s
    }

    /// How this person stands to an enterprise they can read.
    pub fn relation_to(&self, enterprise_id: i64) -> Relation {
        if self.grants.iter().any(|g| {
            matches!(g.role, Role::EnterpriseAdmin | Role::EnterpriseMember)
                && g.scope == Scope::Enterprise(enterprise_id)
        }) {
            Relation::Own
        } else {
            Relation::Government
        }
    }

    /// The enterprise ids this person belongs to (as admin or member).
    pub fn enterprise_ids(&self) -> Vec<i64> {
        self.grants
            .iter()
            .filter_map(|g| match (g.role, g.scope) {
                (Role::EnterpriseAdmin | Role::EnterpriseMember, Scope::Enterprise(e)) => Some(e),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(grants: Vec<(Role, Scope)>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            grants: grants
                .into_iter()
                .map(|(role, scope)| Grant {
                    role,
                    scope,
                    area: None,
                })
                .collect(),
            must_change_password: false,
        }
    }

    #[test]
    fn a_person_without_grants_may_do_nothing() {
        let nobody = p(vec![]);
        assert!(nobody.enterprise_scope().is_empty());
        for a in [
            Action::ManageUsers,
            Action::ReadAudit,
            Action::ManageOrganisations,
            Action::ReadOrganisations,
            Action::ManageEnterprises,
            Action::Import,
        ] {
            assert!(nobody.can(a).is_none());
        }
    }

    #[test]
    fn a_town_officer_reads_only_their_division() {
        let town = p(vec![(Role::Town, Scope::Division(7))]);
        let s = town.enterprise_scope();
        assert!(s.contains(1, 7, None));
        assert!(!s.contains(1, 8, None));
        assert!(town.can(Action::ManageUsers).is_none());
    }

    #[test]
    fn an_enterprise_member_reads_only_their_enterprise_and_cannot_edit_it() {
        let m = p(vec![(Role::EnterpriseMember, Scope::Enterprise(3))]);
        assert!(m.enterprise_scope().contains(3, 1, None));
        assert!(!m.enterprise_scope().contains(4, 1, None));
        assert!(m.enterprise_edit_scope().is_empty());
        assert_eq!(m.relation_to(3), Relation::Own);
    }

    #[test]
    fn an_expert_sees_no_enterprise_register() {
        assert!(
            p(vec![(Role::Expert, Scope::County)])
                .enterprise_scope()
                .is_empty()
        );
    }

    #[test]
    fn roles_accept_only_their_scope_kinds() {
        assert!(Role::Town.accepts(Scope::Zone(1)));
        assert!(!Role::Town.accepts(Scope::Enterprise(1)));
        assert!(!Role::EnterpriseAdmin.accepts(Scope::County));
    }
}
