//! 统计汇总: the statistics desk for reviewers (their units) and administrators (all).
//! The numbers are the store's SQL aggregates ([`jixiao_store::stats`]); this adds only
//! who may see which units.

use jixiao_store::stats::Statistics;
use jixiao_store::{Role, Store};

use super::{Scope, Services, User};
use crate::error::ApiResult;

impl Services {
    /// The desk's numbers for `year` over the units the caller oversees.
    pub async fn statistics(&self, user: &User, year: i64) -> ApiResult<Statistics> {
        Self::require(user, &[Role::Reviewer, Role::Admin], "查看统计汇总")?;
        let units = match self.scope(user).await? {
            Scope::All => None,
            Scope::Units(ids) => Some(ids),
        };
        Ok(self.store.statistics(year, units.as_deref()).await?)
    }
}
