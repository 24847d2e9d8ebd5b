//! The workspace's one calendar: Cognito's SRP `TIMESTAMP` and RFC 3339.
//!
//! - [`format()`] / [`format_unix`]: the `TIMESTAMP` of SRP challenge responses, `EEE MMM d
//!   HH:mm:ss UTC yyyy`. English names, UTC, and the day of the month **not** zero-padded
//!   (`Tue Mar 3 07:05:09 UTC 2026`): Cognito answers `Mar 03` or a wrong weekday with
//!   NotAuthorized.
//! - [`format_rfc3339`] / [`parse_rfc3339`]: `2026-03-03T07:05:09Z`, as STS sends `Expiration`
//!   (auth-federation parses it here) and as the AWS CLI's `credential_process` reads it (the
//!   `cognito-auth` binary writes it here).
//!
//! The calendar is computed here (Howard Hinnant's `civil_from_days` and `days_from_civil`,
//! proleptic Gregorian), so no locale or date library is involved; no other crate of the
//! workspace converts dates.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC civil date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    weekday: usize,
}

/// Days since 1970-01-01 to (year, month 1–12, day 1–31), proleptic Gregorian; the inverse
/// of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = if m <= 2 { y + 1 } else { y };
    // The casts are in range by construction (see the bounds above).
    (y, m as u32, d as u32)
}

/// Days since 1970-01-01 (negative before) of a proleptic Gregorian date, month 1–12 and
/// day 1–31; the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

fn civil(seconds: i64) -> Civil {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: (secs / 3600) as u32,
        minute: (secs % 3600 / 60) as u32,
        second: (secs % 60) as u32,
        // 1970-01-01 was a Thursday (index 4).
        weekday: (days + 4).rem_euclid(7) as usize,
    }
}

/// Formats seconds since the Unix epoch (negative before 1970) as Cognito's `TIMESTAMP`.
///
/// ```
/// assert_eq!(auth_core::timestamp::format_unix(1_772_521_509), "Tue Mar 3 07:05:09 UTC 2026");
/// ```
pub fn format_unix(seconds: i64) -> String {
    let c = civil(seconds);
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        WEEKDAYS[c.weekday],
        MONTHS[c.month as usize - 1],
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.year
    )
}

/// Formats a point in time as Cognito's `TIMESTAMP` (whole seconds, truncated).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let t = UNIX_EPOCH + Duration::from_secs(1_739_212_212);
/// assert_eq!(auth_core::timestamp::format(t), "Mon Feb 10 18:30:12 UTC 2025");
/// ```
pub fn format(time: SystemTime) -> String {
    format_unix(unix_seconds(time))
}

/// Whole seconds since the epoch, rounded towards minus infinity (so the second is right
/// before 1970 too).
fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX / 2),
        Err(before) => {
            let d = before.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2);
            if d.subsec_nanos() > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    }
}

/// Formats a point in time as RFC 3339 in UTC with whole seconds (rounded down, so never
/// later than the real time): `2026-03-03T07:05:09Z`, as the AWS SDKs and CLI parse it.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let t = UNIX_EPOCH + Duration::from_millis(1_772_521_509_900);
/// assert_eq!(auth_core::timestamp::format_rfc3339(t), "2026-03-03T07:05:09Z");
/// ```
pub fn format_rfc3339(time: SystemTime) -> String {
    let c = civil(unix_seconds(time));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Parses an RFC 3339 date-time, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (what STS sends
/// as `Expiration`); `t` and a space are accepted for `T`, `z` for `Z`. Digits beyond
/// nanoseconds are dropped. `None` for anything else, including a day the month does not
/// have (`2023-02-29`).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let t = auth_core::timestamp::parse_rfc3339("2014-10-24T23:00:23.5Z");
/// assert_eq!(t, Some(UNIX_EPOCH + Duration::from_millis(1_414_191_623_500)));
/// assert_eq!(auth_core::timestamp::parse_rfc3339("2014-10-24"), None);
/// ```
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (datetime, offset_secs) =
        if let Some(t) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
            (t, 0i64)
        } else if text.len() > 6 && matches!(text.as_bytes()[text.len() - 6], b'+' | b'-') {
            let (t, off) = text.split_at(text.len() - 6);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            if off.as_bytes()[3] != b':' {
                return None;
            }
            let hours: i64 = digits(off.get(1..3)?)?;
            let minutes: i64 = digits(off.get(4..6)?)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            (t, sign * (hours * 3600 + minutes * 60))
        } else {
            return None;
        };
    let (date, time) = datetime.split_once(['T', 't', ' '])?;
    let mut d = date.splitn(3, '-');
    let year: i64 = digits(d.next()?)?;
    let month: u32 = digits(d.next()?)?;
    let day: u32 = digits(d.next()?)?;
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.splitn(3, ':');
    let hour: i64 = digits(t.next()?)?;
    let minute: i64 = digits(t.next()?)?;
    let second: i64 = digits(t.next()?)?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None; // 2023-02-29, 2024-04-31
    }
    let nanos = if fraction.is_empty() {
        0
    } else {
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let nine: String = fraction
            .chars()
            .chain(std::iter::repeat('0'))
            .take(9)
            .collect();
        nine.parse::<u32>().ok()?
    };
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    let whole = Duration::from_secs(secs.unsigned_abs());
    let at = if secs >= 0 {
        UNIX_EPOCH.checked_add(whole)?
    } else {
        UNIX_EPOCH.checked_sub(whole)?
    };
    at.checked_add(Duration::from_nanos(u64::from(nanos)))
}

/// ASCII digits only (no sign, no spaces), at most 4 of them.
fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Seconds since the epoch of a UTC date.
    fn unix(year: i64, month: i64, day: i64, h: i64, m: i64, s: i64) -> i64 {
        let days = days_from_civil(year, month as u32, day as u32);
        days * 86_400 + h * 3600 + m * 60 + s
    }

    #[test]
    fn days_from_civil_knows_fixed_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(days_from_civil(1600, 1, 1), -135_140);
    }

    #[test]
    fn both_directions_are_inverse_across_eras() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn epoch_is_a_thursday() {
        assert_eq!(format(UNIX_EPOCH), "Thu Jan 1 00:00:00 UTC 1970");
    }

    #[test]
    fn days_one_to_nine_are_not_zero_padded() {
        // March 2026: the 1st is a Sunday.
        for day in 1..=9 {
            let text = format_unix(unix(2026, 3, day, 7, 5, 9));
            let weekday = WEEKDAYS[(day as usize - 1) % 7];
            assert_eq!(text, format!("{weekday} Mar {day} 07:05:09 UTC 2026"));
        }
        assert_eq!(
            format_unix(unix(2026, 3, 10, 0, 0, 0)),
            "Tue Mar 10 00:00:00 UTC 2026"
        );
    }

    #[test]
    fn every_weekday_and_month() {
        // 2024-01-01 was a Monday.
        for offset in 0..7 {
            let text = format_unix(unix(2024, 1, 1 + offset, 12, 0, 0));
            assert!(
                text.starts_with(WEEKDAYS[((1 + offset) % 7) as usize]),
                "{text}"
            );
        }
        for (i, name) in MONTHS.iter().enumerate() {
            let text = format_unix(unix(2025, i as i64 + 1, 15, 23, 59, 59));
            assert!(text.contains(&format!(" {name} 15 23:59:59 ")), "{text}");
        }
    }

    #[test]
    fn leap_years() {
        assert_eq!(
            format_unix(unix(2024, 2, 29, 0, 0, 0)),
            "Thu Feb 29 00:00:00 UTC 2024"
        );
        assert_eq!(
            format_unix(unix(2000, 2, 29, 1, 2, 3)),
            "Tue Feb 29 01:02:03 UTC 2000"
        );
        assert_eq!(
            format_unix(unix(2100, 3, 1, 0, 0, 0)),
            "Mon Mar 1 00:00:00 UTC 2100"
        );
        assert_eq!(
            format_unix(unix(2024, 12, 31, 23, 59, 59)),
            "Tue Dec 31 23:59:59 UTC 2024"
        );
    }

    #[test]
    fn every_day_for_ten_years_round_trips() {
        let start = unix(2020, 1, 1, 0, 0, 0) / 86_400;
        for days in start..start + 3653 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(unix(y, m.into(), d.into(), 0, 0, 0) / 86_400, days);
        }
    }

    #[test]
    fn rfc3339_formats_known_dates() {
        let at = |secs: i64| UNIX_EPOCH + Duration::from_secs(secs as u64);
        assert_eq!(format_rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339(at(unix(2000, 2, 29, 0, 0, 0))),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            format_rfc3339(at(unix(2100, 3, 1, 0, 0, 0))),
            "2100-03-01T00:00:00Z"
        );
        assert_eq!(
            format_rfc3339(at(1_414_191_623) + Duration::from_millis(999)),
            "2014-10-24T23:00:23Z"
        );
        assert_eq!(
            format_rfc3339(UNIX_EPOCH - Duration::from_millis(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn rfc3339_parses_fractions_offsets_and_rejects_the_rest() {
        let base = UNIX_EPOCH + Duration::from_secs(1_414_191_623);
        assert_eq!(parse_rfc3339("2014-10-24T23:00:23Z"), Some(base));
        assert_eq!(
            parse_rfc3339("2014-10-24T23:00:23.500Z"),
            Some(base + Duration::from_millis(500))
        );
        assert_eq!(
            parse_rfc3339("2014-10-24T23:00:23.1234567891Z"),
            Some(base + Duration::from_nanos(123_456_789))
        );
        assert_eq!(parse_rfc3339("2014-10-25T01:00:23+02:00"), Some(base));
        assert_eq!(parse_rfc3339("2014-10-24T22:00:23-01:00"), Some(base));
        assert_eq!(parse_rfc3339("2014-10-24t23:00:23z"), Some(base));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(UNIX_EPOCH));
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59.5Z"),
            Some(UNIX_EPOCH - Duration::from_millis(500))
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T00:00:00Z"),
            Some(UNIX_EPOCH + Duration::from_secs(unix(2000, 2, 29, 0, 0, 0) as u64))
        );
        for bad in [
            "2014-13-24T23:00:23Z",
            "2014-10-24T24:00:00Z",
            "2023-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2014-10-24T23:00:23",
            "2014-10-24T23:00:23+0200",
            "2014-10-24T23:00:23+02:60",
            "2014-10-24T23:00:23.Z5",
            "2014-10-24T+3:00:23Z",
            "2014-10-24",
            "yesterday",
            "",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_round_trips() {
        for secs in (-2_000_000_000i64..4_000_000_000).step_by(7_777_777) {
            let t = if secs >= 0 {
                UNIX_EPOCH + Duration::from_secs(secs as u64)
            } else {
                UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            };
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t), "{secs}");
        }
    }

    #[test]
    fn sub_second_and_pre_epoch_times() {
        assert_eq!(
            format(UNIX_EPOCH + Duration::from_millis(1999)),
            "Thu Jan 1 00:00:01 UTC 1970"
        );
        assert_eq!(
            format(UNIX_EPOCH - Duration::from_millis(1)),
            "Wed Dec 31 23:59:59 UTC 1969"
        );
    }
}
