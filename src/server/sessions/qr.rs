//! QR codes as SVG, rendered on the server from exactly the text the driver emitted.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Error correction M and the standard 4-module quiet zone keep phone cameras happy.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .quiet_zone(true)
            .min_dimensions(264, 264)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::drivers::simulator::new_qr_text;

    #[test]
    fn renders_the_five_field_text_as_svg() {
        let svg = qr_svg(&new_qr_text()).unwrap();
        assert!(
            svg.starts_with("<?xml") || svg.starts_with("<svg"),
            "{}",
            &svg[..40]
        );
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }

    #[test]
    fn refuses_text_too_long_for_any_qr() {
        assert!(qr_svg(&"x".repeat(5_000)).is_none());
    }
}
