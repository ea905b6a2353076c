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

/// The applicant of a demonstration application: an enterprise, or a unit (a park committee or
/// a service station), with where it lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub enterprise_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub division_id: Option<i64>,
    pub zone_id: Option<i64>,
}

/// Which demonstration applications a principal may read and act on. Constructed only by
/// [`Principal::application_scope`]; storage turns it into the `WHERE` of every read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationScope {
    user_id: i64,
    office: bool,
    /// First review: a town officer's own division or zone.
    review_divisions: Vec<i64>,
    review_zones: Vec<i64>,
    /// Reading and nominating: towns' areas and stations' areas.
    area_divisions: Vec<i64>,
    area_zones: Vec<i64>,
    /// Stations whose staff this person is.
    stations: Vec<i64>,
    /// Own enterprises (administrator or member).
    enterprises: Vec<i64>,
    /// Own enterprises as their administrator: may apply for them.
    admin_enterprises: Vec<i64>,
    /// May be assigned as an assessor (experts, the office).
    assessor: bool,
}

impl ApplicationScope {
    pub fn user_id(&self) -> i64 {
        self.user_id
    }
    /// The programme office (or an administrator): every application, every office step.
    pub fn is_office(&self) -> bool {
        self.office
    }
    pub fn area_divisions(&self) -> &[i64] {
        &self.area_divisions
    }
    pub fn area_zones(&self) -> &[i64] {
        &self.area_zones
    }
    /// A town or zone officer's own divisions (first review, nominating units).
    pub fn review_divisions(&self) -> &[i64] {
        &self.review_divisions
    }
    pub fn review_zones(&self) -> &[i64] {
        &self.review_zones
    }
    pub fn stations(&self) -> &[i64] {
        &self.stations
    }
    pub fn enterprises(&self) -> &[i64] {
        &self.enterprises
    }
    pub fn may_assess(&self) -> bool {
        self.assessor
    }
    /// Sees nothing unless assigned as an assessor.
    pub fn is_empty(&self) -> bool {
        !self.office
            && self.area_divisions.is_empty()
            && self.area_zones.is_empty()
            && self.stations.is_empty()
            && self.enterprises.is_empty()
            && !self.assessor
    }

    fn in_area(&self, s: &Subject, divisions: &[i64], zones: &[i64]) -> bool {
        s.division_id.is_some_and(|d| divisions.contains(&d))
            || s.zone_id.is_some_and(|z| zones.contains(&z))
    }

    /// May read an application about this subject (`assigned`: as its assessor).
    pub fn can_read(&self, s: &Subject, assigned: bool) -> bool {
        self.office
            || assigned
            || self.in_area(s, &self.area_divisions, &self.area_zones)
            || s.unit_id.is_some_and(|u| self.stations.contains(&u))
            || s.enterprise_id
                .is_some_and(|e| self.enterprises.contains(&e))
    }

    /// May apply for (or nominate) the subject: the office; for an enterprise, its own
    /// administrators and the town or station of its area; for a unit (a base or a station),
    /// the town or zone officer of its area, or the station itself.
    pub fn can_apply_for(&self, s: &Subject) -> bool {
        if self.office {
            return true;
        }
        match (s.enterprise_id, s.unit_id) {
            (Some(e), _) => {
                self.admin_enterprises.contains(&e)
                    || self.in_area(s, &self.area_divisions, &self.area_zones)
            }
            (None, Some(u)) => {
                self.stations.contains(&u)
                    || self.in_area(s, &self.review_divisions, &self.review_zones)
            }
            (None, None) => false,
        }
    }

    /// May take the first review (recommend, return, reject): the office, or the town or zone
    /// officer of the subject's own division or zone.
    pub fn can_first_review(&self, s: &Subject) -> bool {
        self.office || self.in_area(s, &self.review_divisions, &self.review_zones)
    }
}

/// The units a person acts for on the responsibility list: their department's or agency's unit,
/// and — for a town or zone officer — their town government or zone committee. Constructed only
/// by [`Principal::work_scope`]; storage turns it into SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkScope {
    user_id: i64,
    office: bool,
    units: Vec<i64>,
    town_divisions: Vec<i64>,
    town_zones: Vec<i64>,
}

impl WorkScope {
    pub fn user_id(&self) -> i64 {
        self.user_id
    }
    /// The programme office: creates items, reviews reports, issues notices.
    pub fn is_office(&self) -> bool {
        self.office
    }
    pub fn units(&self) -> &[i64] {
        &self.units
    }
    pub fn town_divisions(&self) -> &[i64] {
        &self.town_divisions
    }
    pub fn town_zones(&self) -> &[i64] {
        &self.town_zones
    }
    /// Acts for no unit.
    pub fn acts_for_none(&self) -> bool {
        self.units.is_empty() && self.town_divisions.is_empty() && self.town_zones.is_empty()
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
    /// See the programme, its targets and the dashboard.
    ReadProgramme,
    /// Load a new programme version, assign assessors, run publicity, designate and review.
    ManageProgramme,
    /// Register document digests in the evidence ledger (as one's enterprise or oneself).
    RegisterEvidence,
    /// See the evidence ledger's state, its witnesses, and every entry's certificate.
    ReadLedger,
}

impl Principal {
    /// A principal with these grants and no areas resolved: for the platform acting on its own
    /// (the demo loader, expiry, operator commands), never for a signed-in person.
    pub fn acting(user_id: i64, username: &str, grants: &[(Role, Scope)]) -> Principal {
        Principal {
            user_id,
            username: username.to_string(),
            display_name: username.to_string(),
            grants: grants
                .iter()
                .map(|&(role, scope)| Grant {
                    role,
                    scope,
                    area: None,
                })
                .collect(),
            must_change_password: false,
        }
    }

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
            Action::ReadProgramme => self.is_government(),
            Action::ManageProgramme => self.has_role(Role::Office) || self.has_role(Role::Admin),
            // Everyone who works on the platform may evidence what they hold; the system
            // administrator manages accounts, not evidence.
            Action::RegisterEvidence => self.grants.iter().any(|g| g.role != Role::Admin),
            Action::ReadLedger => {
                self.has_role(Role::Admin)
                    || self.has_role(Role::Office)
                    || self.has_role(Role::Agency)
            }
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

    /// Which demonstration applications this person may read and act on.
    pub fn application_scope(&self) -> ApplicationScope {
        let mut s = ApplicationScope {
            user_id: self.user_id,
            office: false,
            review_divisions: vec![],
            review_zones: vec![],
            area_divisions: vec![],
            area_zones: vec![],
            stations: vec![],
            enterprises: vec![],
            admin_enterprises: vec![],
            assessor: false,
        };
        for g in &self.grants {
            match (g.role, g.scope) {
                (Role::Admin | Role::Office, _) => s.office = true,
                (Role::Town, Scope::Division(d)) => {
                    s.review_divisions.push(d);
                    s.area_divisions.push(d);
                }
                (Role::Town, Scope::Zone(z)) => {
                    s.review_zones.push(z);
                    s.area_zones.push(z);
                }
                (Role::Station, Scope::Unit(u)) => {
                    s.stations.push(u);
                    match g.area {
                        Some(Scope::Division(d)) => s.area_divisions.push(d),
                        Some(Scope::Zone(z)) => s.area_zones.push(z),
                        _ => {}
                    }
                }
                (Role::EnterpriseAdmin, Scope::Enterprise(e)) => {
                    s.enterprises.push(e);
                    s.admin_enterprises.push(e);
                }
                (Role::EnterpriseMember, Scope::Enterprise(e)) => s.enterprises.push(e),
                _ => {}
            }
        }
        s.assessor = s.office || self.has_role(Role::Expert);
        s
    }

    /// The units this person reports for on the responsibility list.
    pub fn work_scope(&self) -> WorkScope {
        let mut w = WorkScope {
            user_id: self.user_id,
            office: false,
            units: vec![],
            town_divisions: vec![],
            town_zones: vec![],
        };
        for g in &self.grants {
            match (g.role, g.scope) {
                (Role::Admin | Role::Office, _) => w.office = true,
                (Role::Department | Role::Agency, Scope::Unit(u)) => w.units.push(u),
                (Role::Town, Scope::Division(d)) => w.town_divisions.push(d),
                (Role::Town, Scope::Zone(z)) => w.town_zones.push(z),
                _ => {}
            }
        }
        w
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
            Action::ReadProgramme,
            Action::ManageProgramme,
        ] {
            assert!(nobody.can(a).is_none());
        }
        assert!(nobody.application_scope().is_empty());
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

#[cfg(test)]
mod application_tests {
    use super::*;

    fn p(grants: Vec<(Role, Scope, Option<Scope>)>) -> Principal {
        Principal {
            user_id: 9,
            username: "u".into(),
            display_name: "U".into(),
            grants: grants
                .into_iter()
                .map(|(role, scope, area)| Grant { role, scope, area })
                .collect(),
            must_change_password: false,
        }
    }
    fn subject(e: Option<i64>, u: Option<i64>, d: i64) -> Subject {
        Subject {
            enterprise_id: e,
            unit_id: u,
            division_id: Some(d),
            zone_id: None,
        }
    }

    #[test]
    fn a_town_officer_first_reviews_only_its_own_division() {
        let town = p(vec![(Role::Town, Scope::Division(7), None)]);
        let s = town.application_scope();
        assert!(s.can_first_review(&subject(Some(1), None, 7)));
        assert!(!s.can_first_review(&subject(Some(1), None, 8)));
        assert!(s.can_read(&subject(Some(1), None, 7), false));
        assert!(!s.can_read(&subject(Some(1), None, 8), false));
    }

    #[test]
    fn a_station_nominates_in_its_area_but_does_not_review() {
        let st = p(vec![(
            Role::Station,
            Scope::Unit(40),
            Some(Scope::Division(7)),
        )]);
        let s = st.application_scope();
        assert!(s.can_apply_for(&subject(Some(1), None, 7)));
        assert!(s.can_apply_for(&subject(None, Some(40), 7)));
        // Not another unit of its area (a town government, another station).
        assert!(!s.can_apply_for(&subject(None, Some(41), 7)));
        assert!(!s.can_first_review(&subject(Some(1), None, 7)));
    }

    #[test]
    fn an_enterprise_sees_only_its_own_and_only_its_administrator_applies() {
        let admin = p(vec![(Role::EnterpriseAdmin, Scope::Enterprise(3), None)]);
        let member = p(vec![(Role::EnterpriseMember, Scope::Enterprise(3), None)]);
        let own = subject(Some(3), None, 7);
        let other = subject(Some(4), None, 7);
        let a = admin.application_scope();
        assert!(a.can_read(&own, false) && !a.can_read(&other, false));
        assert!(a.can_apply_for(&own));
        assert!(!a.can_apply_for(&other));
        let m = member.application_scope();
        assert!(m.can_read(&own, false));
        assert!(!m.can_apply_for(&own));
    }

    #[test]
    fn an_expert_sees_only_what_it_is_assigned() {
        let ex = p(vec![(Role::Expert, Scope::County, None)]);
        let s = ex.application_scope();
        assert!(s.may_assess());
        assert!(!s.can_read(&subject(Some(3), None, 7), false));
        assert!(s.can_read(&subject(Some(3), None, 7), true));
        assert!(!s.can_apply_for(&subject(Some(3), None, 7)));
    }
}
