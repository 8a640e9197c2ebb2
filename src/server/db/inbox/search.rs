//! Search in the inbox list, by contact name, number and message text. Two plans, chosen
//! by how many messages and contacts match: a few are found through each engine's trigram
//! index (SQLite FTS5, PostgreSQL pg_trgm), fetched by id and sorted; many are met while
//! reading the list in activity order, each row checked with a plain comparison, which
//! stops at the page's end (there a page fills within a few rows).

use std::sync::LazyLock;

use super::{on_pool, Db, Viewer, JOINS};
use crate::domain::inbox::{fold, like_anywhere, phrase, Search, FOLDS};

/// Up to this many matches are fetched and sorted; more are checked row by row in list
/// order. Tests use both plans.
#[cfg(not(test))]
const FEW: i64 = 2_000;
#[cfg(test)]
const FEW: i64 = 2;

/// The list statement's part for a search, and the values for its `$9` (text) and `$10`
/// (number).
pub(super) struct Plan {
    pub from: String,
    pub condition: String,
    pub text: String,
    pub phone: String,
}

/// `column` folded as [`fold`] folds, in SQLite's SQL: its `lower` and `LIKE` know only
/// ASCII case, so each accented letter, small or capital, becomes its plain small one.
fn sqlite_fold(column: &str) -> String {
    FOLDS
        .iter()
        .fold(column.to_string(), |sql, (accented, plain)| {
            let capital: String = accented.to_uppercase().collect();
            format!("replace(replace({sql}, '{accented}', '{plain}'), '{capital}', '{plain}')")
        })
}

static SQLITE_NAME: LazyLock<String> = LazyLock::new(|| sqlite_fold("ct.name"));
static SQLITE_NAME2: LazyLock<String> = LazyLock::new(|| sqlite_fold("ct2.name"));
static SQLITE_TEXT: LazyLock<String> = LazyLock::new(|| sqlite_fold("m.text"));

/// LIKE patterns for the row checks and PostgreSQL's indexes: the text folded, and the
/// number.
fn patterns(search: &Search) -> (String, String) {
    (
        like_anywhere(&fold(&search.text)),
        like_anywhere(&search.phone),
    )
}

/// SQLite's full-text phrase queries for its indexes: names and texts, and numbers.
fn phrases(search: &Search) -> (String, String) {
    let names = phrase(&search.text);
    let numbers = if search.phone != search.text && search.phone.chars().count() >= 3 {
        format!("{names} OR {}", phrase(&search.phone))
    } else {
        names.clone()
    };
    (names, numbers)
}

/// Whether the engine's index is read through full-text phrases (else LIKE patterns).
fn uses_phrases(db: &Db, search: &Search) -> bool {
    matches!(db, Db::Sqlite(_)) && search.covers_messages()
}

/// The ids of the company's conversations whose contact or messages match, with the
/// statement's own placeholders for the company, the text and the number. Terms under
/// three characters look at contacts only.
fn matching_ids(db: &Db, search: &Search) -> String {
    match (db, search.covers_messages()) {
        (Db::Sqlite(_), true) => "SELECT m.conversation_id AS id FROM message_search s JOIN messages m ON m.id = s.rowid \
             WHERE message_search MATCH $9 \
             UNION SELECT c2.id FROM contact_search cs JOIN conversations c2 ON c2.contact_id = cs.rowid \
             WHERE contact_search MATCH $10"
            .to_string(),
        (Db::Sqlite(_), false) => format!(
            "SELECT c2.id AS id FROM contacts ct2 JOIN conversations c2 ON c2.contact_id = ct2.id \
             WHERE ct2.company_id = $1 \
             AND ({} LIKE $9 ESCAPE '\\' OR ct2.phone LIKE $10 ESCAPE '\\')",
            *SQLITE_NAME2
        ),
        (Db::Postgres(_), true) => "SELECT m.conversation_id AS id FROM messages m WHERE aurora_fold(m.text) LIKE $9 \
             UNION SELECT c2.id FROM contacts ct2 JOIN conversations c2 ON c2.contact_id = ct2.id \
             WHERE aurora_fold(ct2.name) LIKE $9 OR ct2.phone LIKE $10"
            .to_string(),
        (Db::Postgres(_), false) => "SELECT c2.id AS id FROM contacts ct2 JOIN conversations c2 ON c2.contact_id = ct2.id \
             WHERE ct2.company_id = $1 AND (aurora_fold(ct2.name) LIKE $9 OR ct2.phone LIKE $10)"
            .to_string(),
    }
}

/// The same test on one conversation `c` (its contact `ct`), for reading in list order:
/// plain comparisons, as an index lookup per row costs more than reading the row.
fn matches_row(db: &Db, search: &Search) -> String {
    let (name, text) = match db {
        Db::Sqlite(_) => (SQLITE_NAME.as_str(), SQLITE_TEXT.as_str()),
        Db::Postgres(_) => ("aurora_fold(ct.name)", "aurora_fold(m.text)"),
    };
    let contact = format!("{name} LIKE $9 ESCAPE '\\' OR ct.phone LIKE $10 ESCAPE '\\'");
    if search.covers_messages() {
        format!(
            "({contact} OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id \
             AND {text} LIKE $9 ESCAPE '\\'))"
        )
    } else {
        format!("({contact})")
    }
}

/// How many messages and contacts match, each counted up to [`FEW`] (a UNION of them would
/// have to find every match before counting any).
fn count_matches(db: &Db, search: &Search) -> String {
    match (db, search.covers_messages()) {
        (Db::Sqlite(_), true) => "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM message_search WHERE message_search MATCH $2 LIMIT $4) AS m) \
             + (SELECT COUNT(*) FROM (SELECT 1 FROM contact_search cs JOIN contacts ct2 ON ct2.id = cs.rowid \
             WHERE ct2.company_id = $1 AND contact_search MATCH $3 LIMIT $4) AS n)"
            .to_string(),
        (Db::Sqlite(_), false) => format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM contacts ct2 WHERE ct2.company_id = $1 \
             AND ({} LIKE $2 ESCAPE '\\' OR ct2.phone LIKE $3 ESCAPE '\\') LIMIT $4) AS n",
            *SQLITE_NAME2
        ),
        (Db::Postgres(_), true) => "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE aurora_fold(m.text) LIKE $2 LIMIT $4) AS m) \
             + (SELECT COUNT(*) FROM (SELECT 1 FROM contacts ct2 WHERE ct2.company_id = $1 \
             AND (aurora_fold(ct2.name) LIKE $2 OR ct2.phone LIKE $3) LIMIT $4) AS n)"
            .to_string(),
        (Db::Postgres(_), false) => "SELECT COUNT(*) FROM (SELECT 1 FROM contacts ct2 WHERE ct2.company_id = $1 \
             AND (aurora_fold(ct2.name) LIKE $2 OR ct2.phone LIKE $3) LIMIT $4) AS n"
            .to_string(),
    }
}

/// Whether PostgreSQL's own estimate already says the text is in at least [`FEW`]
/// messages. Counting them is then what costs: for a word in every message the planner
/// sometimes reads the whole trigram index (0.7 s on 300 000 messages) rather than the
/// first rows that match, whereas its estimate takes a millisecond and only has to be
/// roughly right.
async fn common_on_postgres(db: &Db, search: &Search, text: &str) -> Result<bool, sqlx::Error> {
    let Db::Postgres(pool) = db else {
        return Ok(false);
    };
    if !search.covers_messages() {
        return Ok(false);
    }
    // The plan's first line: "Bitmap Heap Scan on messages m  (cost=… rows=101010 width=4)".
    let top: String =
        sqlx::query_scalar("EXPLAIN SELECT 1 FROM messages m WHERE aurora_fold(m.text) LIKE $1")
            .persistent(false)
            .bind(text)
            .fetch_one(pool)
            .await?;
    Ok(estimated_rows(&top).is_some_and(|rows| rows >= FEW))
}

/// The `rows=` estimate of a line of PostgreSQL's EXPLAIN.
fn estimated_rows(line: &str) -> Option<i64> {
    let after = line.split(" rows=").nth(1)?;
    after
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Counts the matches (up to [`FEW`] of each kind) and picks the plan.
pub(super) async fn plan(db: &Db, viewer: Viewer, search: &Search) -> Result<Plan, sqlx::Error> {
    let (index_text, index_phone) = if uses_phrases(db, search) {
        phrases(search)
    } else {
        patterns(search)
    };
    let found = if common_on_postgres(db, search, &index_text).await? {
        FEW
    } else {
        // Planned for these words each time, like the list (see `list`).
        on_pool!(db, pool => sqlx::query_scalar(&count_matches(db, search))
            .persistent(false)
            .bind(viewer.company_id)
            .bind(&index_text)
            .bind(&index_phone)
            .bind(FEW)
            .fetch_one(pool)
            .await)?
    };
    Ok(if found < FEW {
        // SQLite's CROSS JOIN keeps this order: the few matches first, then their rows.
        let join = match db {
            Db::Sqlite(_) => "CROSS JOIN",
            Db::Postgres(_) => "JOIN",
        };
        Plan {
            from: format!(
                "FROM ({}) AS hit {join} conversations c ON c.id = hit.id {JOINS}",
                matching_ids(db, search)
            ),
            condition: "TRUE".into(),
            text: index_text,
            phone: index_phone,
        }
    } else {
        let (text, phone) = patterns(search);
        Plan {
            from: format!("FROM conversations c {JOINS}"),
            condition: matches_row(db, search),
            text,
            phone,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgresql_folds_the_letters_the_rest_of_search_folds() {
        let migration = include_str!("../../../../migrations/postgres/0014_search_and_unread.sql");
        let translate = migration
            .lines()
            .find(|l| l.trim_start().starts_with('\'') && l.contains('á'))
            .expect("aurora_fold's accented letters");
        for (accented, _) in FOLDS {
            let capital: String = accented.to_uppercase().collect();
            assert!(
                translate.contains(accented) && translate.contains(&capital),
                "{accented} or {capital} missing from aurora_fold"
            );
        }
    }

    #[test]
    fn the_estimate_is_read_from_the_plans_first_line() {
        let line = "Bitmap Heap Scan on messages m  (cost=1379.63..4682.96 rows=101010 width=8)";
        assert_eq!(estimated_rows(line), Some(101_010));
        assert_eq!(
            estimated_rows("Result  (cost=0.00..0.01 rows=1 width=4)"),
            Some(1)
        );
        assert_eq!(estimated_rows("no estimate here"), None);
    }

    #[test]
    fn sqlite_folds_small_and_capital_letters_to_the_plain_small_one() {
        let sql = sqlite_fold("x");
        assert_eq!(sql.matches("replace(").count(), 2 * FOLDS.len());
        assert!(sql.contains("'Ñ', 'n'") && sql.contains("'ñ', 'n'"));
    }
}
