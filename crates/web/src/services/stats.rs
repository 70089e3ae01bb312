//! 统计汇总: the statistics desk for reviewers (their units) and administrators (all).
//! The numbers are the store's SQL aggregates ([`jixiao_store::stats`]); this adds who may
//! see which units, and a small cache: an answer is reused only while the store's stamp
//! of everything the numbers depend on is unchanged, so a cached answer is exactly what
//! the SQL would give again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jixiao_store::stats::Statistics;
use jixiao_store::{Role, Store};

use super::{Scope, Services, User};
use crate::error::ApiResult;

/// (year, units or none for all) → (stamp, answer).
type Key = (i64, Option<Vec<i64>>);

#[derive(Default)]
pub struct StatsCache(Mutex<HashMap<Key, (String, Arc<Statistics>)>>);

impl Services {
    /// The desk's numbers for `year` over the units the caller oversees.
    pub async fn statistics(&self, user: &User, year: i64) -> ApiResult<Arc<Statistics>> {
        Self::require(user, &[Role::Reviewer, Role::Admin], "查看统计汇总")?;
        let units = match self.scope(user).await? {
            Scope::All => None,
            Scope::Units(mut ids) => {
                ids.sort_unstable();
                Some(ids)
            }
        };
        let key = (year, units);
        let room = self.config.stats_cache;
        if room == 0 {
            return Ok(Arc::new(
                self.store.statistics(year, key.1.as_deref()).await?,
            ));
        }
        let stamp = self.store.statistics_stamp().await?;
        {
            let cache = self.stats_cache.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((s, st)) = cache.get(&key) {
                if *s == stamp {
                    return Ok(st.clone());
                }
            }
        }
        let st = Arc::new(self.store.statistics(year, key.1.as_deref()).await?);
        let mut cache = self.stats_cache.0.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= room {
            cache.clear();
        }
        cache.insert(key, (stamp, st.clone()));
        Ok(st)
    }
}
