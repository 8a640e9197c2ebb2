//! Times shown on pages: UTC in the server-rendered page (so both renderings agree), and
//! relative for recent moments once the browser shows them.

/// `1_764_033_600_000` → `"2025-11-25 01:20 UTC"`.
pub fn format_utc(ms: i64) -> String {
    let (year, month, day, of_day) = civil_utc(ms);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60
    )
}

/// `ms` as ISO 8601 in UTC to the second, "2026-12-04T09:05:07Z" (for files, not people).
pub fn format_iso(ms: i64) -> String {
    let (year, month, day, of_day) = civil_utc(ms);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Year, month, day and second of the day of `ms` in UTC.
fn civil_utc(ms: i64) -> (i64, i64, i64, i64) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, of_day)
}

/// `ms`'s UTC clock time, "HH:MM".
pub fn utc_clock(ms: i64) -> String {
    let of_day = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}", of_day / 3600, of_day % 3600 / 60)
}

/// Days since the epoch of `ms`, in UTC.
pub fn utc_day(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

/// A day a separator names instead of its date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayName {
    Today,
    Yesterday,
}

/// What a day separator says for `day`, seen on `today` (both day numbers); `None`: the date.
pub fn day_name(today: i64, day: i64) -> Option<DayName> {
    match today - day {
        0 => Some(DayName::Today),
        1 => Some(DayName::Yesterday),
        _ => None,
    }
}

/// How long ago a recent moment was; each language words it (`i18n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ago {
    JustNow,
    Minutes(i64),
    Hours(i64),
}

/// How long ago `ms` was, for moments in the last 12 hours; `None` for older (or future)
/// ones, which are shown as a date and time.
pub fn relative(now_ms: i64, ms: i64) -> Option<Ago> {
    let ago = now_ms - ms;
    match ago {
        // A clock a little ahead of the server's still reads as now.
        -60_000..=44_999 => Some(Ago::JustNow),
        45_000..=3_569_999 => Some(Ago::Minutes(((ago + 30_000) / 60_000).max(1))),
        3_570_000..=43_199_999 => Some(Ago::Hours((ago + 1_800_000) / 3_600_000)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{day_name, format_iso, format_utc, relative, utc_clock, utc_day, Ago, DayName};

    #[test]
    fn files_get_the_second_and_the_zone_letter() {
        assert_eq!(format_iso(1_795_569_607_000), "2026-11-25T01:20:07Z");
        assert_eq!(format_iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_795_569_607_000), "2026-11-25 01:20 UTC");
    }

    #[test]
    fn days_read_as_today_yesterday_or_their_date() {
        let now = 1_795_569_600_000; // 2026-11-25 01:20 UTC
        assert_eq!(utc_clock(now), "01:20");
        let today = utc_day(now);
        assert_eq!(day_name(today, utc_day(now - 60_000)), Some(DayName::Today));
        assert_eq!(
            day_name(today, utc_day(now - 2 * 3_600_000)),
            Some(DayName::Yesterday)
        );
        assert_eq!(day_name(today, today - 5), None);
    }

    #[test]
    fn recent_moments_read_as_how_long_ago() {
        let now = 1_795_569_600_000;
        let cases = [
            (0, Some(Ago::JustNow)),
            (-5_000, Some(Ago::JustNow)),
            (50_000, Some(Ago::Minutes(1))),
            (3 * 60_000, Some(Ago::Minutes(3))),
            (59 * 60_000, Some(Ago::Minutes(59))),
            (60 * 60_000, Some(Ago::Hours(1))),
            (11 * 3_600_000, Some(Ago::Hours(11))),
            (13 * 3_600_000, None),
            (-3_600_000, None),
        ];
        for (ago, expected) in cases {
            assert_eq!(relative(now, now - ago), expected, "{ago} ms ago");
        }
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_569_600_000), "2026-11-25 01:20 UTC");
        assert_eq!(format_utc(-60_000), "1969-12-31 23:59 UTC");
    }
}
