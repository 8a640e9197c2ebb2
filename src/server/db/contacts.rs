//! Contacts and their LIDs. A customer WhatsApp shows only by LID is stored as a contact
//! whose phone is `lid:<digits>`; when WhatsApp reveals the number, that contact is merged
//! into the one with the number (or simply takes the number): its conversations move
//! over, two conversations on the same channel become one, and nothing is lost.

use super::{on_pool, Db};
use crate::domain::address::LID_PREFIX;

/// The number a contact known by `lid` has in the company, once it was learned.
pub async fn phone_for_lid(
    db: &Db,
    company_id: i64,
    lid: &str,
) -> Result<Option<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT phone FROM contacts WHERE company_id = $1 AND lid = $2 AND phone NOT LIKE 'lid:%'",
    )
    .bind(company_id)
    .bind(lid)
    .fetch_optional(pool)
    .await)
}

/// What learning a LID's number changed, for the pages to hear of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Learned {
    /// Conversations that now show the number, or took in another's messages.
    pub changed: Vec<i64>,
    /// Conversations merged into another and gone.
    pub removed: Vec<i64>,
}

/// WhatsApp says the LID `lid` is the number `phone` (E.164), heard on `account_id`.
pub async fn learn_lid(
    db: &Db,
    account_id: i64,
    lid: &str,
    phone: &str,
) -> Result<Learned, sqlx::Error> {
    let hidden = format!("{LID_PREFIX}{lid}");
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let company: Option<i64> =
            sqlx::query_scalar("SELECT company_id FROM whatsapp_accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(company) = company else {
            return Ok(Learned::default());
        };
        let find = "SELECT id FROM contacts WHERE company_id = $1 AND phone = $2";
        let known: Option<i64> = sqlx::query_scalar(find)
            .bind(company)
            .bind(phone)
            .fetch_optional(&mut *tx)
            .await?;
        let hidden: Option<i64> = sqlx::query_scalar(find)
            .bind(company)
            .bind(&hidden)
            .fetch_optional(&mut *tx)
            .await?;
        // The LID belongs to one contact: whoever had it before (a number reassigned) lets go.
        sqlx::query("UPDATE contacts SET lid = NULL WHERE company_id = $1 AND lid = $2")
            .bind(company)
            .bind(lid)
            .execute(&mut *tx)
            .await?;
        let mut learned = Learned::default();
        let target = match (known, hidden) {
            (None, None) => None,
            (Some(known), None) => Some(known),
            // Only ever seen by its LID: the same contact, now with its number.
            (None, Some(hidden)) => {
                sqlx::query("UPDATE contacts SET phone = $2 WHERE id = $1")
                    .bind(hidden)
                    .bind(phone)
                    .execute(&mut *tx)
                    .await?;
                learned.changed = sqlx::query_scalar("SELECT id FROM conversations WHERE contact_id = $1")
                    .bind(hidden)
                    .fetch_all(&mut *tx)
                    .await?;
                Some(hidden)
            }
            (Some(known), Some(hidden)) => {
                let moved: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT id, account_id FROM conversations WHERE contact_id = $1",
                )
                .bind(hidden)
                .fetch_all(&mut *tx)
                .await?;
                for (from, account) in moved {
                    let into: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM conversations WHERE contact_id = $1 AND account_id = $2",
                    )
                    .bind(known)
                    .bind(account)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(into) = into else {
                        sqlx::query("UPDATE conversations SET contact_id = $2 WHERE id = $1")
                            .bind(from)
                            .bind(known)
                            .execute(&mut *tx)
                            .await?;
                        learned.changed.push(from);
                        continue;
                    };
                    for table in ["messages", "scheduled_messages"] {
                        sqlx::query(&format!(
                            "UPDATE {table} SET conversation_id = $2 WHERE conversation_id = $1"
                        ))
                        .bind(from)
                        .bind(into)
                        .execute(&mut *tx)
                        .await?;
                    }
                    // The newer of the two leads the list; counts add up, and so does what
                    // each person had seen of both.
                    sqlx::query(
                        "UPDATE conversations SET \
                         last_message_text = CASE WHEN f.last_message_at > conversations.last_message_at \
                           THEN f.last_message_text ELSE conversations.last_message_text END, \
                         last_message_outbound = CASE WHEN f.last_message_at > conversations.last_message_at \
                           THEN f.last_message_outbound ELSE conversations.last_message_outbound END, \
                         last_message_at = CASE WHEN f.last_message_at > conversations.last_message_at \
                           THEN f.last_message_at ELSE conversations.last_message_at END, \
                         inbound_count = conversations.inbound_count + f.inbound_count \
                         FROM (SELECT last_message_text, last_message_outbound, last_message_at, inbound_count \
                           FROM conversations WHERE id = $1) AS f \
                         WHERE conversations.id = $2",
                    )
                    .bind(from)
                    .bind(into)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO conversation_reads (user_id, conversation_id, seen_inbound) \
                         SELECT user_id, $2, seen_inbound FROM conversation_reads WHERE conversation_id = $1 \
                         ON CONFLICT (user_id, conversation_id) DO UPDATE SET \
                         seen_inbound = conversation_reads.seen_inbound + excluded.seen_inbound",
                    )
                    .bind(from)
                    .bind(into)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM conversation_reads WHERE conversation_id = $1")
                        .bind(from)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM conversations WHERE id = $1")
                        .bind(from)
                        .execute(&mut *tx)
                        .await?;
                    learned.changed.push(into);
                    learned.removed.push(from);
                }
                sqlx::query(
                    "INSERT INTO contact_channels (contact_id, account_id) \
                     SELECT $2, account_id FROM contact_channels WHERE contact_id = $1 \
                     ON CONFLICT DO NOTHING",
                )
                .bind(hidden)
                .bind(known)
                .execute(&mut *tx)
                .await?;
                // The name WhatsApp showed for the LID is kept when the number had none.
                sqlx::query(
                    "UPDATE contacts SET name = (SELECT name FROM contacts WHERE id = $1) \
                     WHERE id = $2 AND name = ''",
                )
                .bind(hidden)
                .bind(known)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM contact_channels WHERE contact_id = $1")
                    .bind(hidden)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM contacts WHERE id = $1")
                    .bind(hidden)
                    .execute(&mut *tx)
                    .await?;
                Some(known)
            }
        };
        if let Some(target) = target {
            sqlx::query("UPDATE contacts SET lid = $2 WHERE id = $1")
                .bind(target)
                .bind(lid)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(learned)
    })
}

#[cfg(test)]
mod tests;
