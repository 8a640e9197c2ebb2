//! Sizes as people read them.

use crate::domain::locale::{format_integer, format_tenths, Locale};

/// `1536` → "1.5 KB" ("1,5 KB" in Portuguese); decimal units, one decimal below 10.
pub fn format_bytes(bytes: i64, locale: Locale) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let bytes = bytes.max(0);
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 if bytes == 1 => "1 byte".into(),
        0 => format!("{} bytes", format_integer(bytes, locale)),
        _ if value < 10.0 => format!("{} {}", format_tenths(value, locale), UNITS[unit]),
        _ => format!(
            "{} {}",
            format_integer(value.round() as i64, locale),
            UNITS[unit]
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        let en = |bytes| format_bytes(bytes, Locale::En);
        assert_eq!(en(0), "0 bytes");
        assert_eq!(en(1), "1 byte");
        assert_eq!(en(999), "999 bytes");
        assert_eq!(en(1500), "1.5 KB");
        assert_eq!(en(25_000), "25 KB");
        assert_eq!(en(3_200_000), "3.2 MB");
        assert_eq!(en(7_000_000_000), "7.0 GB");
        assert_eq!(en(-5), "0 bytes");
    }

    #[test]
    fn sizes_use_each_languages_decimal_mark() {
        assert_eq!(format_bytes(2_500_000, Locale::PtBr), "2,5 MB");
        assert_eq!(format_bytes(2_500_000, Locale::Es), "2.5 MB");
        assert_eq!(format_bytes(999, Locale::PtBr), "999 bytes");
        assert_eq!(format_bytes(250_000_000, Locale::PtBr), "250 MB");
    }
}
