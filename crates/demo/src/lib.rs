//! shoumi demo data: deterministic, fictional and free of I/O.
//!
//! [`gaotang_demo`] fills a demonstration installation for Gaotang County (real divisions,
//! invented enterprises, offices, stations and partners); [`province_enterprises`],
//! [`province_divisions`] and [`province_people`] stream province-scale data for benchmarks.
//! Everything is a pure function of a seed, so a demo, its guide, tests and benchmarks can rely
//! on the same data, and nothing here can be mistaken for a real firm: brand names come from
//! uncommon characters and are checked against [`DENIED_BRANDS`], e-mail addresses use the
//! reserved `example.com` domain.

#![forbid(unsafe_code)]

pub mod codes;
mod common;
mod gaotang;
pub mod programme;
mod province;
mod words;

pub use gaotang::{
    ACCOUNT_ENTERPRISE, ACCOUNT_ENTERPRISE_B, DemoData, DemoEnterprise, DemoUnit,
    GAOTANG_ENTERPRISE_COUNT, MIN_TAG_COUNT, ZONE_KEY, gaotang_demo,
};
pub use programme::{
    DemoAction, DemoApplication, DemoItem, DemoNotice, DemoOrigin, DemoReport, DemoSubject,
    programme_history, worklist_history,
};
pub use province::{
    PEOPLE_PER_ENTERPRISE, PROVINCE_COUNTY_COUNT, province_counties, province_divisions,
    province_enterprises, province_people,
};
pub use words::{DENIED_BRANDS, TITLES};

/// A fictional person working for an enterprise: for staff, training and agreement records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    pub name: String,
    /// Index of the enterprise in the sequence it was generated with
    /// ([`DemoData::enterprises`] or [`province_enterprises`]).
    pub enterprise: usize,
    pub title: &'static str,
    /// An eleven-digit mobile number (13x/15x/18x).
    pub mobile: String,
}

#[cfg(test)]
mod tests;
