//! Running accounts (管理): units and their 主管部门, users (role, unit, display name,
//! enabled), reviewer assignments. Admins only; every change goes through the store with
//! the admin as the actor, so it is in the audit log with their address. Disabling an
//! account or setting its password ends its sessions (in the store's transaction).

use jixiao_store::{hash_password, NewUser, Role, Store, StoreError, Unit};
use serde::Serialize;

use super::{blocking, Services, User};
use crate::error::{ApiError, ApiResult};

/// Shortest password an administrator may set (as `jixiao user add` asks).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A unit with the name of its 主管部门.
#[derive(Debug, Serialize)]
pub struct AdminUnit {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
}

/// An account as the admin page lists it.
#[derive(Debug, Serialize)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub role_label: &'static str,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub enabled: bool,
}

/// A reviewer responsible for a unit.
#[derive(Debug, Serialize)]
pub struct AdminAssignment {
    pub reviewer_id: i64,
    pub reviewer: String,
    pub unit_id: i64,
    pub unit: String,
}

/// What the admin page shows.
#[derive(Debug, Serialize)]
pub struct AdminOverview {
    pub units: Vec<AdminUnit>,
    pub users: Vec<AdminUser>,
    pub assignments: Vec<AdminAssignment>,
    /// 已删除的档案 (the latest deletion first), each restorable.
    pub deleted: Vec<AdminDeleted>,
}

/// A deleted dossier on the admin page.
#[derive(Debug, Serialize)]
pub struct AdminDeleted {
    pub id: i64,
    pub unit: String,
    pub year: i64,
    pub version: i64,
    /// Milliseconds since the epoch (the page shows China time).
    pub deleted_at: i64,
    pub deleted_by: String,
}

/// A new account from the admin page.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub password: &'a str,
}

fn check_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > 1024 {
        return Err(ApiError::unprocessable(format!(
            "密码至少需要 {MIN_PASSWORD_CHARS} 个字符（最长 1024 字节）"
        )));
    }
    Ok(())
}

impl Services {
    /// Only admins run accounts.
    pub(crate) fn admin_only(user: &User) -> ApiResult<()> {
        Self::require(user, &[Role::Admin], "管理账号")
    }

    async fn argon2(password: &str) -> ApiResult<String> {
        let pw = password.to_string();
        blocking(move || hash_password(&pw))
            .await?
            .map_err(Into::into)
    }

    /// A user by id, `NotFound` in Chinese.
    async fn account(&self, id: i64) -> ApiResult<jixiao_store::User> {
        match self.store.get_user(id).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => Err(ApiError::NotFound("用户不存在".into())),
            Err(e) => Err(e.into()),
        }
    }

    async fn unit_by_id(&self, id: i64) -> ApiResult<Unit> {
        match self.store.get_unit(id).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => Err(ApiError::unprocessable("单位不存在")),
            Err(e) => Err(e.into()),
        }
    }

    /// Units, users and assignments, by name.
    pub async fn admin_overview(&self, user: &User) -> ApiResult<AdminOverview> {
        Self::admin_only(user)?;
        let units = self.store.list_units().await?;
        let unit_name = |id: Option<i64>| {
            id.and_then(|id| units.iter().find(|u| u.id == id))
                .map(|u| u.name.clone())
        };
        let accounts = self.store.list_users().await?;
        let mut assignments: Vec<AdminAssignment> = self
            .store
            .assignments()
            .await?
            .into_iter()
            .map(|(reviewer_id, unit_id)| AdminAssignment {
                reviewer_id,
                reviewer: accounts
                    .iter()
                    .find(|a| a.id == reviewer_id)
                    .map(|a| format!("{}（{}）", a.shown_name(), a.username))
                    .unwrap_or_default(),
                unit_id,
                unit: unit_name(Some(unit_id)).unwrap_or_default(),
            })
            .collect();
        assignments.sort_by(|a, b| (&a.reviewer, &a.unit).cmp(&(&b.reviewer, &b.unit)));
        let users = accounts
            .iter()
            .map(|a| AdminUser {
                id: a.id,
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                role: a.role.code(),
                role_label: a.role.label(),
                unit_id: a.unit_id,
                unit_name: unit_name(a.unit_id),
                enabled: a.enabled,
            })
            .collect();
        let mut units: Vec<AdminUnit> = units
            .iter()
            .map(|u| AdminUnit {
                id: u.id,
                name: u.name.clone(),
                parent_id: u.parent_id,
                parent_name: unit_name(u.parent_id),
            })
            .collect();
        units.sort_by(|a, b| a.name.cmp(&b.name));
        let deleted = self
            .store
            .deleted_dossiers()
            .await?
            .into_iter()
            .map(|g| AdminDeleted {
                id: g.dossier.id,
                unit: g.dossier.unit_name,
                year: g.dossier.year,
                version: g.dossier.current_version,
                deleted_at: g.deleted_at,
                deleted_by: g.deleted_by.unwrap_or_default(),
            })
            .collect();
        Ok(AdminOverview {
            units,
            users,
            assignments,
            deleted,
        })
    }

    /// An administrator brings a deleted dossier back as it was (refused while its unit has
    /// another dossier of that year).
    pub async fn admin_restore(&self, user: &User, id: i64) -> ApiResult<()> {
        Self::admin_only(user)?;
        match self.store.restore_dossier(id, &user.actor()).await {
            Ok(_) => Ok(()),
            Err(StoreError::NotFound) => Err(ApiError::unprocessable("该档案不在已删除的档案中")),
            Err(e) => Err(e.into()),
        }
    }

    /// A new 预算单位 under an optional 主管部门.
    pub async fn admin_create_unit(
        &self,
        user: &User,
        name: &str,
        parent_id: Option<i64>,
    ) -> ApiResult<Unit> {
        Self::admin_only(user)?;
        if let Some(p) = parent_id {
            self.unit_by_id(p).await?;
        }
        Ok(self
            .store
            .create_unit(name, parent_id, &user.actor())
            .await?)
    }

    /// A new account. A 填报 user needs a unit; a reviewer may not have one (审核与填报
    /// 分离); the display name is set in a second audited step.
    pub async fn admin_create_user(
        &self,
        user: &User,
        new: &NewAccount<'_>,
    ) -> ApiResult<jixiao_store::User> {
        Self::admin_only(user)?;
        check_password(new.password)?;
        if let Some(id) = new.unit_id {
            self.unit_by_id(id).await?;
        }
        let hash = Self::argon2(new.password).await?;
        let created = self
            .store
            .create_user(
                &NewUser {
                    username: new.username,
                    password_hash: &hash,
                    role: new.role,
                    unit_id: new.unit_id,
                },
                &user.actor(),
            )
            .await?;
        if new.display_name.trim().is_empty() {
            return Ok(created);
        }
        Ok(self
            .store
            .rename_user(created.id, new.display_name, &user.actor())
            .await?)
    }

    /// Enables or disables an account (disabling ends its sessions). An admin cannot
    /// disable their own account.
    pub async fn admin_set_enabled(
        &self,
        user: &User,
        id: i64,
        enabled: bool,
    ) -> ApiResult<jixiao_store::User> {
        Self::admin_only(user)?;
        if !enabled && id == user.account.id {
            return Err(ApiError::unprocessable(
                "不能停用自己的账号（请由另一位管理员操作）",
            ));
        }
        self.account(id).await?;
        Ok(self
            .store
            .set_user_enabled(id, enabled, &user.actor())
            .await?)
    }

    /// Sets a new password; the user is logged out everywhere.
    pub async fn admin_reset_password(
        &self,
        user: &User,
        id: i64,
        password: &str,
    ) -> ApiResult<()> {
        Self::admin_only(user)?;
        check_password(password)?;
        self.account(id).await?;
        let hash = Self::argon2(password).await?;
        Ok(self.store.set_password(id, &hash, &user.actor()).await?)
    }

    /// Sets the display name (empty: the username is shown).
    pub async fn admin_rename(
        &self,
        user: &User,
        id: i64,
        display_name: &str,
    ) -> ApiResult<jixiao_store::User> {
        Self::admin_only(user)?;
        self.account(id).await?;
        Ok(self
            .store
            .rename_user(id, display_name, &user.actor())
            .await?)
    }

    /// Makes a reviewer responsible for a unit; true when new.
    pub async fn admin_assign(&self, user: &User, reviewer: i64, unit: i64) -> ApiResult<bool> {
        Self::admin_only(user)?;
        self.account(reviewer).await?;
        self.unit_by_id(unit).await?;
        Ok(self
            .store
            .assign_reviewer(reviewer, unit, &user.actor())
            .await?)
    }

    /// Ends a reviewer's responsibility for a unit; true when there was one.
    pub async fn admin_unassign(&self, user: &User, reviewer: i64, unit: i64) -> ApiResult<bool> {
        Self::admin_only(user)?;
        Ok(self
            .store
            .unassign_reviewer(reviewer, unit, &user.actor())
            .await?)
    }
}
