//! Search in the inbox list, by contact name, number and message text, through each
//! engine's trigram index (SQLite FTS5, PostgreSQL pg_trgm). Two plans, chosen by how many
//! conversations match: a few are fetched by id and sorted; many are met while reading
//! the list in activity order, which stops at the page's end.

use super::{on_pool, Db, Viewer, JOINS};
use crate::domain::inbox::{like_anywhere, phrase, Search};

/// Up to this many matching conversations are fetched and sorted; more are checked row by
/// row in list order (where a page fills within a few rows each). Tests use both plans.
#[cfg(not(test))]
const FEW: i64 = 2_000;
#[cfg(test)]
const FEW: i64 = 2;

/// The list statement's part for a search.
pub(super) struct Plan {
    pub from: String,
    pub condition: &'static str,
}

/// The search as each engine's index reads it (for names and texts, and for numbers):
/// SQLite's full-text phrase queries, or LIKE patterns for PostgreSQL's trigram indexes.
pub(super) fn terms(db: &Db, search: &Search) -> (String, String) {
    match db {
        Db::Sqlite(_) if search.covers_messages() => {
            let names = phrase(&search.text);
            let numbers = if search.phone != search.text && search.phone.chars().count() >= 3 {
                format!("{names} OR {}", phrase(&search.phone))
            } else {
                names.clone()
            };
            (names, numbers)
        }
        _ => (like_anywhere(&search.text), like_anywhere(&search.phone)),
    }
}

/// The ids of the company's conversations whose contact or messages match, with the
/// statement's own placeholders for the company, the text and the number. Terms under
/// three characters look at contacts only.
fn matching_ids(db: &Db, search: &Search) -> String {
    let (company, text, phone) = ("$1", "$9", "$10");
    match (db, search.covers_messages()) {
        (Db::Sqlite(_), true) => format!(
            "SELECT m.conversation_id AS id FROM message_search s JOIN messages m ON m.id = s.rowid \
             WHERE message_search MATCH {text} \
             UNION SELECT c2.id FROM contact_search cs JOIN conversations c2 ON c2.contact_id = cs.rowid \
             WHERE contact_search MATCH {phone}"
        ),
        (Db::Sqlite(_), false) => format!(
            "SELECT c2.id AS id FROM contacts ct2 JOIN conversations c2 ON c2.contact_id = ct2.id \
             WHERE ct2.company_id = {company} \
             AND (ct2.name LIKE {text} ESCAPE '\\' OR ct2.phone LIKE {phone} ESCAPE '\\')"
        ),
        (Db::Postgres(_), true) => format!(
            "SELECT m.conversation_id AS id FROM messages m WHERE aurora_fold(m.text) LIKE aurora_fold({text}) \
             UNION SELECT c2.id FROM contacts ct2 JOIN conversations c2 ON c2.contact_id = ct2.id \
             WHERE aurora_fold(ct2.name) LIKE aurora_fold({text}) OR ct2.phone LIKE {phone}"
        ),
        (Db::Postgres(_), false) => format!(
            "SELECT c2.id AS id FROM contacts ct2 JOIN conversations c2 ON c2.contact_id = ct2.id \
             WHERE ct2.company_id = {company} \
             AND (aurora_fold(ct2.name) LIKE aurora_fold({text}) OR ct2.phone LIKE {phone})"
        ),
    }
}

/// The same test on one conversation `c` (its contact `ct`), for reading in list order.
fn matches_row(db: &Db, search: &Search) -> &'static str {
    match (db, search.covers_messages()) {
        (Db::Sqlite(_), true) => {
            "(EXISTS (SELECT 1 FROM contact_search cs WHERE cs.rowid = c.contact_id AND contact_search MATCH $10) \
             OR EXISTS (SELECT 1 FROM messages m JOIN message_search s ON s.rowid = m.id \
             WHERE m.conversation_id = c.id AND message_search MATCH $9))"
        }
        (Db::Sqlite(_), false) => {
            "(ct.name LIKE $9 ESCAPE '\\' OR ct.phone LIKE $10 ESCAPE '\\')"
        }
        (Db::Postgres(_), true) => {
            "(aurora_fold(ct.name) LIKE aurora_fold($9) OR ct.phone LIKE $10 \
             OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id \
             AND aurora_fold(m.text) LIKE aurora_fold($9)))"
        }
        (Db::Postgres(_), false) => "(aurora_fold(ct.name) LIKE aurora_fold($9) OR ct.phone LIKE $10)",
    }
}

/// How many messages and contacts match, each counted up to [`FEW`] (a UNION of them would
/// have to find every match before counting any).
fn count_matches(db: &Db, search: &Search) -> &'static str {
    match (db, search.covers_messages()) {
        (Db::Sqlite(_), true) => {
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM message_search WHERE message_search MATCH $2 LIMIT $4) AS m) \
             + (SELECT COUNT(*) FROM (SELECT 1 FROM contact_search cs JOIN contacts ct2 ON ct2.id = cs.rowid \
             WHERE ct2.company_id = $1 AND contact_search MATCH $3 LIMIT $4) AS n)"
        }
        (Db::Sqlite(_), false) => {
            "SELECT COUNT(*) FROM (SELECT 1 FROM contacts ct2 WHERE ct2.company_id = $1 \
             AND (ct2.name LIKE $2 ESCAPE '\\' OR ct2.phone LIKE $3 ESCAPE '\\') LIMIT $4) AS n"
        }
        (Db::Postgres(_), true) => {
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE aurora_fold(m.text) LIKE aurora_fold($2) LIMIT $4) AS m) \
             + (SELECT COUNT(*) FROM (SELECT 1 FROM contacts ct2 WHERE ct2.company_id = $1 \
             AND (aurora_fold(ct2.name) LIKE aurora_fold($2) OR ct2.phone LIKE $3) LIMIT $4) AS n)"
        }
        (Db::Postgres(_), false) => {
            "SELECT COUNT(*) FROM (SELECT 1 FROM contacts ct2 WHERE ct2.company_id = $1 \
             AND (aurora_fold(ct2.name) LIKE aurora_fold($2) OR ct2.phone LIKE $3) LIMIT $4) AS n"
        }
    }
}

/// Counts the matches (up to [`FEW`] of each kind) and picks the plan.
pub(super) async fn plan(
    db: &Db,
    viewer: Viewer,
    search: &Search,
    text: &str,
    phone: &str,
) -> Result<Plan, sqlx::Error> {
    let found: i64 = on_pool!(db, pool => sqlx::query_scalar(count_matches(db, search))
        .bind(viewer.company_id)
        .bind(text)
        .bind(phone)
        .bind(FEW)
        .fetch_one(pool)
        .await)?;
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
            condition: "TRUE",
        }
    } else {
        Plan {
            from: format!("FROM conversations c {JOINS}"),
            condition: matches_row(db, search),
        }
    })
}
