//! The `TIMESTAMP` of SRP challenge responses: `EEE MMM d HH:mm:ss UTC yyyy`.
//!
//! English names, UTC, and the day of the month **not** zero-padded (`Tue Mar 3 07:05:09 UTC
//! 2026`): Cognito answers `Mar 03` or a wrong weekday with NotAuthorized. The calendar is
//! computed here (Howard Hinnant's `civil_from_days`), so no locale or date library is involved.

use std::time::{SystemTime, UNIX_EPOCH};

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

/// Days since 1970-01-01 to (year, month 1–12, day 1–31), proleptic Gregorian.
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
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX / 2),
        // Before the epoch: round towards minus infinity so the second is right.
        Err(before) => {
            let d = before.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2);
            if d.subsec_nanos() > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    };
    format_unix(seconds)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Seconds since the epoch of a UTC date, computed independently (days_from_civil).
    fn unix(year: i64, month: i64, day: i64, h: i64, m: i64, s: i64) -> i64 {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400 + h * 3600 + m * 60 + s
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
