//! Reading a statement's first words: whether it may write, and which table it writes.

/// Whether a statement may change rows (and so is never read ahead).
pub(super) fn writes(sql: &str) -> bool {
    let verb = sql.trim_start().get(..6).unwrap_or_default();
    !verb.eq_ignore_ascii_case("select")
}

/// The word after the first `keyword` in `sql`: the table of `FROM t`, `INTO t`, `UPDATE t`.
pub(super) fn word_after<'s>(sql: &'s str, keyword: &str) -> Option<&'s str> {
    let mut words = sql.split_whitespace();
    words.find(|w| w.eq_ignore_ascii_case(keyword))?;
    words.next()
}

/// Whether `sql` names `table` as a word anywhere (in a subquery or a union too).
pub(super) fn mentions(sql: &str, table: &str) -> bool {
    sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w.eq_ignore_ascii_case(table))
}

/// The one table a write changes, when that is plain from its first words.
pub(super) fn table_written(sql: &str) -> Option<&str> {
    let verb = sql.split_whitespace().next()?;
    if verb.eq_ignore_ascii_case("insert") {
        word_after(sql, "into")
    } else if verb.eq_ignore_ascii_case("update") {
        word_after(sql, "update")
    } else if verb.eq_ignore_ascii_case("delete") {
        word_after(sql, "from")
    } else {
        None
    }
}
