//! Times as the API writes them: RFC 3339 in UTC, from the milliseconds since the epoch that the
//! wallet keeps. One function, so every reply, record, export and CLI line writes a time alike.

/// A time in ms since the epoch as RFC 3339 UTC (what the API returns for every time).
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
