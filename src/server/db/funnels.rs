//! Funnels (team inboxes) and their members.

use super::{now_ms, on_pool, Db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funnel {
    pub id: i64,
    pub name: String,
    pub member_ids: Vec<i64>,
}

/// Creates a funnel with its members in one transaction.
pub async fn insert(
    db: &Db,
    company_id: i64,
    name: &str,
    member_ids: &[i64],
) -> Result<i64, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO funnels (company_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(company_id)
        .bind(name)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        for user_id in member_ids {
            sqlx::query("INSERT INTO funnel_members (funnel_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn list_by_company(db: &Db, company_id: i64) -> Result<Vec<Funnel>, sqlx::Error> {
    let rows: Vec<(i64, String, Option<i64>)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT f.id, f.name, m.user_id FROM funnels f \
         LEFT JOIN funnel_members m ON m.funnel_id = f.id \
         WHERE f.company_id = $1 ORDER BY f.name, f.id, m.user_id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await)?;
    let mut funnels: Vec<Funnel> = Vec::new();
    for (id, name, member) in rows {
        if funnels.last().is_none_or(|f| f.id != id) {
            funnels.push(Funnel {
                id,
                name,
                member_ids: Vec::new(),
            });
        }
        if let (Some(funnel), Some(user_id)) = (funnels.last_mut(), member) {
            funnel.member_ids.push(user_id);
        }
    }
    Ok(funnels)
}

#[cfg(test)]
mod tests;
