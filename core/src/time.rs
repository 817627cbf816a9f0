//! Time as core needs it: milliseconds since the Unix epoch as `f64` (what
//! `Date.now()` gives in the browser), RFC 3339 parsing for schedules, and
//! the weekday and hour of an instant in the user's time zone.
//!
//! Hand-written rather than `chrono`/`time`: these forty lines are all the
//! calendar the rules need, and the browser build should not carry a time
//! zone database (the browser tells us the user's offset).

/// One hour in ms.
pub const HOUR_MS: f64 = 3_600_000.0;
/// One day in ms.
pub const DAY_MS: f64 = 86_400_000.0;

/// Clock differences under this are latency and drift, left alone, ms.
pub const CLOCK_TOLERANCE_MS: f64 = 60_000.0;

/// How far a sender's clock is behind the receiver's, ms: `now` (the
/// receiver's clock) less `sent_at` (the sender's clock when it sent), or
/// 0 when the sender did not say or the difference is under
/// [`CLOCK_TOLERANCE_MS`]. A browser's clock may be off by hours or years;
/// the server adds this to the times the browser reports, and takes it
/// from the times it sends back, so the database keeps one clock and each
/// browser compares times in its own.
pub fn clock_skew(sent_at: Option<f64>, now: f64) -> f64 {
    match sent_at {
        Some(t) if t.is_finite() && (now - t).abs() >= CLOCK_TOLERANCE_MS => now - t,
        _ => 0.0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(s: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let part = s.get(range)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

/// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)` (or a bare date, read as
/// midnight UTC) to ms since the epoch.
pub fn parse_rfc3339_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (y, mo, d) = (digits(s, 0..4)?, digits(s, 5..7)?, digits(s, 8..10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let days = days_from_civil(y, mo, d) as f64;
    if s.len() == 10 {
        return Some(days * DAY_MS);
    }
    if !matches!(s.get(10..11)?, "T" | "t" | " ") || s.get(13..14)? != ":" {
        return None;
    }
    let (h, mi) = (digits(s, 11..13)?, digits(s, 14..16)?);
    let mut rest = s.get(16..)?;
    let mut secs = 0.0;
    if let Some(after) = rest.strip_prefix(':') {
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        secs = seconds(&after[..end])?;
        rest = &after[end..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            sign * (digits(rest, 1..3)? * 60 + digits(rest, 4..6)?)
        }
    };
    if h > 23 || mi > 59 || !(0.0..61.0).contains(&secs) {
        return None;
    }
    Some(days * DAY_MS + (h * 60 + mi - offset_min) as f64 * 60_000.0 + secs * 1000.0)
}

/// `SS` or `SS.fff…` as seconds, by integer parsing (the float parser and
/// its tables cost the wasm about 15 KB); digits past the 15th fraction
/// digit are below a double's precision here and are ignored.
fn seconds(text: &str) -> Option<f64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
        return None;
    }
    let whole = if whole.is_empty() {
        0
    } else {
        whole.parse::<u64>().ok()?
    };
    let frac = &frac[..frac.len().min(15)];
    let mut secs = whole as f64;
    if !frac.is_empty() {
        let digits = frac.parse::<u64>().ok()? as f64;
        secs += digits / 10f64.powi(frac.len() as i32);
    }
    Some(secs)
}

/// Weekday (0 = Sunday) and hour (0–23) of `now_ms` at a UTC offset.
pub fn local_weekday_hour(now_ms: f64, utc_offset_minutes: i32) -> (u8, u8) {
    let local = now_ms + f64::from(utc_offset_minutes) * 60_000.0;
    let days = (local / DAY_MS).floor();
    // 1970-01-01 was a Thursday (4).
    let weekday = (days as i64 + 4).rem_euclid(7) as u8;
    let hour = ((local - days * DAY_MS) / HOUR_MS).floor() as u8;
    (weekday, hour.min(23))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_off_by_less_than_a_minute_is_left_alone() {
        let now = 1_800_000_000_000.0;
        assert_eq!(clock_skew(None, now), 0.0);
        assert_eq!(clock_skew(Some(now - 59_000.0), now), 0.0);
        assert_eq!(clock_skew(Some(now + 59_000.0), now), 0.0);
        assert_eq!(clock_skew(Some(f64::NAN), now), 0.0);
        assert_eq!(
            clock_skew(Some(now - 2.0 * DAY_MS), now),
            2.0 * DAY_MS,
            "behind"
        );
        assert_eq!(clock_skew(Some(now + HOUR_MS), now), -HOUR_MS, "ahead");
    }

    #[test]
    fn parses_utc_offsets_fractions_and_bare_dates() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339_ms("1970-01-02"), Some(DAY_MS));
        assert_eq!(parse_rfc3339_ms("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:01.5Z"), Some(1500.0));
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:01.25Z"), Some(1250.0));
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:59.125Z"), Some(59125.0));
        // 2026-11-28T04:21:54Z, checked against `date -d … +%s`.
        assert_eq!(
            parse_rfc3339_ms("2026-11-28T04:21:54Z"),
            Some(1_795_839_714_000.0)
        );
        for bad in [
            "",
            "2026-13-01",
            "2026-11-28T25:00:00Z",
            "2026-11-28T04:21:54",
            "28/11/2026",
            "2026-11-28T04:21:5.4.3Z",
            "2026-11-28T04:21:.Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn weekday_and_hour_follow_the_offset() {
        // 1970-01-01T23:30Z was a Thursday; in UTC+1 it is Friday 00:30.
        let t = 23.5 * HOUR_MS;
        assert_eq!(local_weekday_hour(t, 0), (4, 23));
        assert_eq!(local_weekday_hour(t, 60), (5, 0));
        assert_eq!(local_weekday_hour(0.0, -60), (3, 23));
    }
}
