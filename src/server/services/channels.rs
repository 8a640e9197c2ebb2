//! Channels of a company.

use super::internal;
use crate::api::channels::ChannelsOverview;
use crate::error::AppError;
use crate::server::db::{companies, Db};

pub async fn overview(db: &Db, company_id: i64) -> Result<ChannelsOverview, AppError> {
    let company = companies::get(db, company_id)
        .await
        .map_err(|e| internal("load company", e))?
        .ok_or(AppError::NotFound)?;
    Ok(ChannelsOverview {
        channel_limit: company.channel_limit,
    })
}
