//! shoumi domain: the types and rules of trade-secret protection work in a county, with no I/O.
//!
//! Everything here parses rather than validates: a [`CreditCode`], an [`Industry`] or an
//! [`EnterpriseInput`] cannot hold a bad value, and a refusal names the field and the reason.

#![forbid(unsafe_code)]

pub mod authz;
pub mod calendar;
pub mod credit_code;
pub mod demonstration;
pub mod enterprise;
pub mod files;
pub mod industry;
pub mod org;
pub mod programme;
pub mod reference;
pub mod search;
pub mod time;
pub mod user;
pub mod validation;
pub mod worklist;

pub use authz::{
    Action, ApplicationScope, Capability, EnterpriseScope, Grant, Principal, Relation, Role, Scope,
    Subject, WorkScope,
};
pub use credit_code::{CreditCode, CreditCodeError, CreditCodeWarning};
pub use enterprise::{EnterpriseForm, EnterpriseInput, EnterpriseSize, EnterpriseStatus, KeyTag};
pub use industry::Industry;
pub use org::{
    DivisionCode, DivisionKind, TaskForcePosition, UnitForm, UnitInput, UnitKind, ZoneKind,
};
pub use reference::CountyData;
pub use time::Timestamp;
pub use validation::{FieldError, FieldErrors};
