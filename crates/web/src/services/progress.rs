//! 填报进度: for reviewers and admins, every unit they oversee with the state of its dossier
//! of a year, overdue against the deadline an admin sets, and 催报 reminders.

use jixiao_domain::review::Status;
use jixiao_store::{Role, Store};
use serde::Serialize;

use super::{Scope, Services, User};
use crate::error::{ApiError, ApiResult};

/// One unit's line.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ProgressRow {
    pub unit_id: i64,
    pub unit_name: String,
    /// 主管部门.
    pub parent_name: Option<String>,
    pub dossier_id: Option<i64>,
    /// `none` when nothing is filed yet, else the dossier's status code.
    pub status: String,
    /// 未填报, or the status label (草稿, 已提交, 退回修改, 审核通过, …).
    pub status_label: String,
    pub version: Option<i64>,
    pub error_count: Option<i64>,
    /// Last change of the dossier (ms since the epoch).
    pub updated_at: Option<i64>,
    /// Submitted, approved or being adjusted: the unit's part is done for now.
    pub handed_in: bool,
    /// Past the deadline and not yet handed in (nothing, 草稿 or 退回修改).
    pub overdue: bool,
}

/// `GET /api/progress?year=`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Progress {
    pub year: i64,
    /// The deadline (ms since the epoch, end of the day in China time), when set.
    pub deadline: Option<i64>,
    pub rows: Vec<ProgressRow>,
    /// Units that have handed in (submitted, approved or adjusting) and all units.
    pub handed_in: i64,
    pub total: i64,
    pub overdue: i64,
}

/// Handed in: the unit's part is done until the reviewer answers.
fn handed_in(status: Option<Status>) -> bool {
    matches!(
        status,
        Some(Status::Submitted | Status::Approved | Status::Adjusting)
    )
}

/// Days since 1970-01-01 of a civil date (the inverse of `civil_date`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2025-03-31` → the last millisecond of that day in China time; a clear error otherwise.
pub fn parse_deadline(text: &str) -> ApiResult<i64> {
    let bad = || ApiError::unprocessable("截止日期应写成 2025-03-31 这样的日期");
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let days = days_from_civil(y, m, d);
    if super::civil_date(days) != (y, m, d) {
        return Err(bad());
    }
    Ok((days + 1) * 86_400_000 - 8 * 3_600_000 - 1)
}

impl Services {
    /// The units the caller oversees (reviewers: assigned; admins: all) for `year`.
    pub async fn progress(&self, user: &User, year: i64) -> ApiResult<Progress> {
        Self::require(user, &[Role::Reviewer, Role::Admin], "查看填报进度")?;
        let units = match self.scope(user).await? {
            Scope::All => None,
            Scope::Units(ids) => Some(ids),
        };
        let deadline = self.store.deadline(year).await?;
        let now = self.config.clock.now_ms();
        let rows: Vec<ProgressRow> = self
            .store
            .progress(units.as_deref(), year)
            .await?
            .into_iter()
            .map(|p| {
                let handed = handed_in(p.status);
                ProgressRow {
                    handed_in: handed,
                    overdue: deadline.is_some_and(|d| now > d) && !handed,
                    unit_id: p.unit_id,
                    unit_name: p.unit_name,
                    parent_name: p.parent_name,
                    dossier_id: p.dossier_id,
                    status: p.status.map_or("none", |s| s.code()).to_string(),
                    status_label: p.status.map_or("未填报", |s| s.label()).to_string(),
                    version: p.version,
                    error_count: p.error_count,
                    updated_at: p.updated_at,
                }
            })
            .collect();
        let handed = rows.iter().filter(|r| r.handed_in).count() as i64;
        Ok(Progress {
            year,
            deadline,
            overdue: rows.iter().filter(|r| r.overdue).count() as i64,
            total: rows.len() as i64,
            handed_in: handed,
            rows,
        })
    }

    /// An administrator sets (or, with an empty date, clears) the deadline of `year`.
    pub async fn set_deadline(&self, user: &User, year: i64, date: &str) -> ApiResult<()> {
        Self::require(user, &[Role::Admin], "设置填报截止日期")?;
        self.budget_year(year)?;
        let due = match date.trim() {
            "" => None,
            d => Some(parse_deadline(d)?),
        };
        self.store.set_deadline(year, due, &user.actor()).await?;
        Ok(())
    }

    /// 催报: a reminder to the given units (only those the caller oversees), or to every
    /// overseen unit that has not handed in; how many were reminded.
    pub async fn remind(
        &self,
        user: &User,
        year: i64,
        unit_ids: Option<Vec<i64>>,
    ) -> ApiResult<usize> {
        let progress = self.progress(user, year).await?;
        let targets: Vec<i64> = progress
            .rows
            .iter()
            .filter(|r| match &unit_ids {
                Some(ids) => ids.contains(&r.unit_id),
                None => !r.handed_in,
            })
            .map(|r| r.unit_id)
            .collect();
        if targets.is_empty() {
            return Err(ApiError::unprocessable("没有需要催报的单位"));
        }
        self.store
            .remind_units(&targets, year, &user.actor())
            .await?;
        Ok(targets.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_the_end_of_the_day_in_china() {
        // 2025-03-31 23:59:59.999 +08:00 = 2025-03-31 15:59:59.999 UTC.
        assert_eq!(parse_deadline("2025-03-31").unwrap(), 1_743_436_799_999);
        assert_eq!(parse_deadline("2024-02-29").unwrap(), 1_709_222_399_999);
        for bad in ["2025-02-30", "2025/03/31", "明天", "2025-13-01", ""] {
            assert!(parse_deadline(bad).is_err(), "{bad}");
        }
    }
}
