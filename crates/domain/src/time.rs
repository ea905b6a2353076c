//! Time: stored in UTC (as Unix microseconds), shown in Asia/Shanghai.
//!
//! China Standard Time has been UTC+8 without daylight saving since 1991, so a fixed offset is
//! exact for every date the platform handles and needs no time-zone database in the binary.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// Asia/Shanghai.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A UTC instant stored as microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(Utc::now().timestamp_micros())
    }
    pub fn from_utc(dt: DateTime<Utc>) -> Timestamp {
        Timestamp(dt.timestamp_micros())
    }
    pub fn to_utc(self) -> DateTime<Utc> {
        Utc.timestamp_micros(self.0).single().unwrap_or_default()
    }
    /// `2026-11-30 07:00` in Asia/Shanghai.
    /// The calendar day in Asia/Shanghai.
    pub fn local_date(self) -> NaiveDate {
        self.to_utc().with_timezone(&shanghai()).date_naive()
    }

    pub fn display_local(self) -> String {
        self.to_utc()
            .with_timezone(&shanghai())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
    /// `2026-11-30 07:00:05` in Asia/Shanghai.
    pub fn display_local_seconds(self) -> String {
        self.to_utc()
            .with_timezone(&shanghai())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }
    /// RFC 3339 in UTC, for APIs and exports.
    pub fn rfc3339(self) -> String {
        self.to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
    /// The start of a local (Shanghai) calendar day.
    pub fn local_day_start(d: NaiveDate) -> Timestamp {
        let dt = shanghai()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .expect("fixed offset");
        Timestamp(dt.with_timezone(&Utc).timestamp_micros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_midnight_shows_as_eight_in_the_morning_in_shanghai() {
        let t = Timestamp::from_utc(Utc.with_ymd_and_hms(2026, 11, 29, 23, 0, 0).unwrap());
        assert_eq!(t.display_local(), "2026-11-30 07:00");
        assert_eq!(t.rfc3339(), "2026-11-29T23:00:00Z");
    }

    #[test]
    fn a_local_day_starts_at_sixteen_hundred_utc_the_day_before() {
        let t = Timestamp::local_day_start(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(t.rfc3339(), "2025-12-31T16:00:00Z");
    }
}
