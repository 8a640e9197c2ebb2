use super::*;

/// RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, quotes and breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

fn entry(id: i64, by: &str, channel: &str, details: &str) -> AuditEntry {
    AuditEntry {
        id,
        at_ms: 1_795_569_607_000,
        by: by.into(),
        address: Some("2001:db8::1".into()),
        event: "settings_saved".into(),
        channel: channel.into(),
        channel_id: Some(id),
        details: details.into(),
        deleted: None,
    }
}

#[test]
fn the_csv_reads_back_as_the_entries_it_was_made_from() {
    let entries = vec![
        entry(1, "Ana Torres", "Ventas, Bogotá", "name,funnel"),
        entry(2, "João \"Jota\" Silva", "Suporte\nSP", ""),
        entry(3, "Beto", "Ñandú", "{\"messages\":6}"),
    ];
    let rows = parse_csv(&csv(entries.clone().into_iter()));
    assert_eq!(
        rows[0],
        [
            "time",
            "person",
            "address",
            "action",
            "channel",
            "channel_id",
            "details"
        ]
    );
    assert_eq!(rows.len(), entries.len() + 1);
    for (row, e) in rows[1..].iter().zip(&entries) {
        let expected = [
            "2026-11-25T01:20:07Z".to_string(),
            e.by.clone(),
            "2001:db8::1".into(),
            e.event.clone(),
            e.channel.clone(),
            e.id.to_string(),
            e.details.clone(),
        ];
        assert_eq!(row.as_slice(), expected.as_slice());
    }
}

#[test]
fn a_value_a_spreadsheet_would_run_is_written_as_text() {
    let rows = parse_csv(&csv([entry(
        1,
        "=HYPERLINK(\"http://evil\")",
        "+57 300 123-4567",
        "@SUM(A1)",
    )]
    .into_iter()));
    assert_eq!(rows[1][1], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(rows[1][4], "+57 300 123-4567", "a number stays a number");
    assert_eq!(rows[1][6], "'@SUM(A1)");
}

#[test]
fn totals_and_scale_of_an_activity() {
    let week = Activity(vec![(3, 1), (0, 0), (10, 12)]);
    assert_eq!(week.totals(), (13, 13));
    assert_eq!(week.peak(), 12);
    assert_eq!(
        Activity::empty(7).peak(),
        1,
        "an empty chart still has a scale"
    );
}
