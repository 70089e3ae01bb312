//! The body of `Store` shared by both backends.
//!
//! SQLite and PostgreSQL both accept `$1` placeholders, `RETURNING`, `ON CONFLICT DO
//! NOTHING` and the plain types this schema uses, so the SQL of every operation is the
//! same text. What differs lives in small inherent methods of each backend:
//! `write_tx` (SQLite `BEGIN IMMEDIATE` on its single writer connection, PostgreSQL a
//! plain `BEGIN`), `lock_audit` (PostgreSQL serialises audit appends with a
//! transaction-scoped advisory lock; SQLite writers are already serial), `reader` /
//! `writer` pools, `backup_to` and `push_search` (SQLite's FTS5 trigram table or `LIKE`,
//! PostgreSQL's `LIKE` over a pg_trgm index). This macro expands the shared body for
//! each backend so both are type-checked against their own driver; it is the only macro
//! in the crate.

pub(crate) mod prelude {
    pub(crate) use std::path::Path;
    pub(crate) use std::time::Duration;

    pub(crate) use jixiao_domain::review::{self, Action, Status};
    pub(crate) use jixiao_domain::{Finding, Form};
    pub(crate) use serde_json::json;
    pub(crate) use sqlx::Row as _;

    pub(crate) use crate::audit::{next_record, sha256_hex, ChainWalker, GENESIS};
    pub(crate) use crate::error::{Result, StoreError};
    pub(crate) use crate::model::*;
    pub(crate) use crate::rows::*;
    pub(crate) use crate::search::{self, Needle};
    pub(crate) use crate::secret::random_token;
    pub(crate) use crate::shared::{now_ms, ttl_ms, VersionInsert};
    pub(crate) use crate::store::Store;
}

/// Epoch milliseconds, the time format of every column.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(crate) fn ttl_ms(ttl: std::time::Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2)
}

/// One row of `versions` about to be written.
pub(crate) struct VersionInsert<'a> {
    pub dossier_id: i64,
    pub version: i64,
    pub kind: crate::model::VersionKind,
    pub reason: Option<&'a str>,
    pub base_version: i64,
    pub forms: &'a str,
    pub findings: &'a str,
    pub errors: i64,
    pub warnings: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        impl $store {
            fn unit_of(r: &<$db as sqlx::Database>::Row) -> Result<Unit> {
                Ok(Unit {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    parent_id: r.try_get("parent_id")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn user_of(r: &<$db as sqlx::Database>::Row) -> Result<User> {
                Ok(User {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    password_hash: r.try_get("password_hash")?,
                    role: parse_role(r.try_get("role")?)?,
                    unit_id: r.try_get("unit_id")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn dossier_of(r: &<$db as sqlx::Database>::Row) -> Result<StoredDossier> {
                Ok(StoredDossier {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_name: r.try_get("unit_name")?,
                    year: r.try_get("year")?,
                    status: parse_status(r.try_get("status")?)?,
                    current_version: r.try_get("current_version")?,
                    approved_version: r.try_get("approved_version")?,
                    grade: parse_grade(r.try_get("grade")?)?,
                    not_for_budget: r.try_get("not_for_budget")?,
                    total_fen: r.try_get("total_fen")?,
                    error_count: r.try_get("error_count")?,
                    warning_count: r.try_get("warning_count")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            }

            fn version_info_of(r: &<$db as sqlx::Database>::Row) -> Result<VersionInfo> {
                Ok(VersionInfo {
                    dossier_id: r.try_get("dossier_id")?,
                    version: r.try_get("version")?,
                    kind: parse_kind(r.try_get("kind")?)?,
                    reason: r.try_get("reason")?,
                    base_version: r.try_get("base_version")?,
                    error_count: r.try_get("error_count")?,
                    warning_count: r.try_get("warning_count")?,
                    created_by: r.try_get("created_by")?,
                    created_by_name: r.try_get("created_by_name")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn comment_of(r: &<$db as sqlx::Database>::Row) -> Result<Comment> {
                Ok(Comment {
                    id: r.try_get("id")?,
                    dossier_id: r.try_get("dossier_id")?,
                    version: r.try_get("version")?,
                    field: r.try_get("field")?,
                    body: r.try_get("body")?,
                    author_id: r.try_get("author_id")?,
                    author_name: r.try_get("author_name")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn review_of(r: &<$db as sqlx::Database>::Row) -> Result<ReviewRecord> {
                Ok(ReviewRecord {
                    id: r.try_get("id")?,
                    dossier_id: r.try_get("dossier_id")?,
                    version: r.try_get("version")?,
                    reviewer_id: r.try_get("reviewer_id")?,
                    reviewer_name: r.try_get("reviewer_name")?,
                    decision: parse_decision(r.try_get("decision")?)?,
                    grade: parse_grade(r.try_get("grade")?)?,
                    opinions: serde_json::from_str(r.try_get("opinions")?)?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn session_of(r: &<$db as sqlx::Database>::Row) -> Result<Session> {
                Ok(Session {
                    user_id: r.try_get("user_id")?,
                    csrf_token: r.try_get("csrf_token")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    last_seen: r.try_get("last_seen")?,
                })
            }

            fn audit_of(r: &<$db as sqlx::Database>::Row) -> Result<AuditRecord> {
                Ok(AuditRecord {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    address: r.try_get("address")?,
                    detail: r.try_get("detail")?,
                    prev_hash: r.try_get("prev_hash")?,
                    hash: r.try_get("hash")?,
                })
            }

            /// Appends the next audit record inside `tx`. Must be the transaction's last
            /// statement: on PostgreSQL it takes the audit lock, which is then held
            /// until commit, and a transaction holding it never waits for anything else.
            async fn audit_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                actor: &Actor,
                action: &str,
                target: &str,
                detail: &serde_json::Value,
            ) -> Result<AuditRecord> {
                Self::lock_audit(tx).await?;
                let last: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut **tx)
                        .await?;
                let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
                let r = next_record(
                    prev_seq,
                    prev_hash,
                    now_ms(),
                    &actor.name,
                    action,
                    target,
                    actor.address.as_deref(),
                    detail.to_string(),
                );
                sqlx::query(
                    "INSERT INTO audit_log (seq, at, actor, action, target, address, detail, \
                     prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(r.seq)
                .bind(r.at)
                .bind(&r.actor)
                .bind(&r.action)
                .bind(&r.target)
                .bind(&r.address)
                .bind(&r.detail)
                .bind(&r.prev_hash)
                .bind(&r.hash)
                .execute(&mut **tx)
                .await?;
                Ok(r)
            }

            async fn dossier_in<'e, E>(e: E, id: i64) -> Result<StoredDossier>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let sql = format!("{DOSSIER_SELECT} WHERE d.id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_one(e).await?;
                Self::dossier_of(&row)
            }

            async fn version_info_in<'e, E>(
                e: E,
                dossier_id: i64,
                version: i64,
            ) -> Result<VersionInfo>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let sql =
                    format!("{VERSION_INFO_SELECT} WHERE v.dossier_id = $1 AND v.version = $2");
                let row = sqlx::query(&sql)
                    .bind(dossier_id)
                    .bind(version)
                    .fetch_one(e)
                    .await?;
                Self::version_info_of(&row)
            }

            async fn insert_version(
                tx: &mut sqlx::Transaction<'static, $db>,
                v: &VersionInsert<'_>,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO versions (dossier_id, version, kind, reason, base_version, \
                     forms, findings, error_count, warning_count, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(v.dossier_id)
                .bind(v.version)
                .bind(v.kind.code())
                .bind(v.reason)
                .bind(v.base_version)
                .bind(v.forms)
                .bind(v.findings)
                .bind(v.errors)
                .bind(v.warnings)
                .bind(v.created_by)
                .bind(v.created_at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            fn push_filter(qb: &mut sqlx::QueryBuilder<'_, $db>, f: &DossierFilter) {
                qb.push(" WHERE 1 = 1");
                if let Some(ids) = &f.unit_ids {
                    qb.push(" AND d.unit_id IN (");
                    let mut sep = qb.separated(", ");
                    for id in ids {
                        sep.push_bind(*id);
                    }
                    sep.push_unseparated(")");
                }
                if !f.statuses.is_empty() {
                    qb.push(" AND d.status IN (");
                    let mut sep = qb.separated(", ");
                    for s in &f.statuses {
                        sep.push_bind(s.code());
                    }
                    sep.push_unseparated(")");
                }
                if let Some(year) = f.year {
                    qb.push(" AND d.year = ").push_bind(year);
                }
                if let Some(needle) = Needle::new(f.query.as_deref()) {
                    Self::push_search(qb, needle);
                }
            }

            /// Writes the search document of a dossier whose current version has
            /// `forms_text` (from `search::forms_text`), inside the write transaction
            /// that makes that version current.
            async fn put_search_tx(
                tx: &mut sqlx::Transaction<'static, $db>,
                dossier_id: i64,
                forms_text: &str,
            ) -> Result<()> {
                let unit: String = sqlx::query_scalar(
                    "SELECT u.name FROM dossiers d JOIN units u ON u.id = d.unit_id \
                     WHERE d.id = $1",
                )
                .bind(dossier_id)
                .fetch_one(&mut **tx)
                .await?;
                sqlx::query(
                    "INSERT INTO dossier_search (dossier_id, document) VALUES ($1, $2) \
                     ON CONFLICT (dossier_id) DO UPDATE SET document = excluded.document",
                )
                .bind(dossier_id)
                .bind(search::document(&unit, forms_text))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Computes the search documents that are missing (dossiers stored before
            /// search existed), in batches; run when the store is opened. Cheap when
            /// nothing is missing (one anti-join over primary keys). Concurrent saves and
            /// other processes doing the same are harmless: a save writes its own
            /// document, and `DO NOTHING` never replaces one.
            async fn backfill_search(&self) -> Result<u64> {
                let mut after = 0_i64;
                let mut done = 0_u64;
                loop {
                    let ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT d.id FROM dossiers d WHERE d.id > $1 AND NOT EXISTS \
                         (SELECT 1 FROM dossier_search s WHERE s.dossier_id = d.id) \
                         ORDER BY d.id LIMIT 100",
                    )
                    .bind(after)
                    .fetch_all(self.writer())
                    .await?;
                    let Some(&last) = ids.last() else {
                        return Ok(done);
                    };
                    after = last;
                    let mut docs = Vec::with_capacity(ids.len());
                    for id in ids {
                        let (unit, forms): (String, String) = sqlx::query_as(
                            "SELECT u.name, v.forms FROM dossiers d \
                             JOIN units u ON u.id = d.unit_id \
                             JOIN versions v ON v.dossier_id = d.id \
                             AND v.version = d.current_version WHERE d.id = $1",
                        )
                        .bind(id)
                        .fetch_one(self.writer())
                        .await?;
                        // Forms that no longer parse still get a document (the unit
                        // name), so a bad row cannot stop the store from opening.
                        let text = serde_json::from_str::<Vec<Form>>(&forms)
                            .map(|f| search::forms_text(&f))
                            .unwrap_or_default();
                        docs.push((id, search::document(&unit, &text)));
                    }
                    let mut tx = self.write_tx().await?;
                    for (id, doc) in &docs {
                        sqlx::query(
                            "INSERT INTO dossier_search (dossier_id, document) VALUES ($1, $2) \
                             ON CONFLICT (dossier_id) DO NOTHING",
                        )
                        .bind(id)
                        .bind(doc)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    done += docs.len() as u64;
                }
            }
        }

        impl Store for $store {
            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(self.reader()).await?;
                Ok(())
            }

            async fn create_unit(
                &self,
                name: &str,
                parent_id: Option<i64>,
                actor: &Actor,
            ) -> Result<Unit> {
                let name = name.trim();
                if name.is_empty() {
                    return Err(StoreError::refused("单位名称不能为空"));
                }
                let mut tx = self.write_tx().await?;
                let sql = format!(
                    "INSERT INTO units (name, parent_id, created_at) VALUES ($1, $2, $3) \
                     RETURNING {UNIT_COLUMNS}"
                );
                let row = sqlx::query(&sql)
                    .bind(name)
                    .bind(parent_id)
                    .bind(now_ms())
                    .fetch_one(&mut *tx)
                    .await?;
                let unit = Self::unit_of(&row)?;
                Self::audit_tx(
                    &mut tx,
                    actor,
                    "unit.create",
                    &format!("unit:{}", unit.id),
                    &json!({ "name": unit.name, "parent_id": unit.parent_id }),
                )
                .await?;
                tx.commit().await?;
                Ok(unit)
            }

            async fn get_unit(&self, id: i64) -> Result<Unit> {
                let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_one(self.reader()).await?;
                Self::unit_of(&row)
            }

            async fn unit_by_name(&self, name: &str) -> Result<Unit> {
                let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE name = $1");
                let row = sqlx::query(&sql)
                    .bind(name.trim())
                    .fetch_one(self.reader())
                    .await?;
                Self::unit_of(&row)
            }

            async fn list_units(&self) -> Result<Vec<Unit>> {
                let sql = format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id");
                let rows = sqlx::query(&sql).fetch_all(self.reader()).await?;
                rows.iter().map(Self::unit_of).collect()
            }

            async fn create_user(&self, user: &NewUser<'_>, actor: &Actor) -> Result<User> {
                let username = user.username.trim();
                if username.is_empty() {
                    return Err(StoreError::refused("用户名不能为空"));
                }
                if user.role == Role::Unit && user.unit_id.is_none() {
                    return Err(StoreError::refused("填报用户必须属于一个预算单位"));
                }
                let mut tx = self.write_tx().await?;
                let sql = format!(
                    "INSERT INTO users (username, password_hash, role, unit_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
                );
                let row = sqlx::query(&sql)
                    .bind(username)
                    .bind(user.password_hash)
                    .bind(user.role.code())
                    .bind(user.unit_id)
                    .bind(now_ms())
                    .fetch_one(&mut *tx)
                    .await?;
                let created = Self::user_of(&row)?;
                Self::audit_tx(
                    &mut tx,
                    actor,
                    "user.create",
                    &format!("user:{}", created.id),
                    &json!({
                        "username": created.username,
                        "role": created.role.code(),
                        "unit_id": created.unit_id,
                    }),
                )
                .await?;
                tx.commit().await?;
                Ok(created)
            }

            async fn get_user(&self, id: i64) -> Result<User> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_one(self.reader()).await?;
                Self::user_of(&row)
            }

            async fn user_by_username(&self, username: &str) -> Result<User> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
                let row = sqlx::query(&sql)
                    .bind(username.trim())
                    .fetch_one(self.reader())
                    .await?;
                Self::user_of(&row)
            }

            async fn list_users(&self) -> Result<Vec<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
                let rows = sqlx::query(&sql).fetch_all(self.reader()).await?;
                rows.iter().map(Self::user_of).collect()
            }

            async fn set_password(
                &self,
                user_id: i64,
                password_hash: &str,
                actor: &Actor,
            ) -> Result<()> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::audit_tx(
                    &mut tx,
                    actor,
                    "user.password",
                    &format!("user:{user_id}"),
                    &json!({}),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn assign_reviewer(
                &self,
                reviewer_id: i64,
                unit_id: i64,
                actor: &Actor,
            ) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
                    .bind(reviewer_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if role != Role::Reviewer.code() {
                    return Err(StoreError::refused("只能为审核人员分配预算单位"));
                }
                sqlx::query_scalar::<_, i64>("SELECT id FROM units WHERE id = $1")
                    .bind(unit_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let added = sqlx::query(
                    "INSERT INTO reviewer_units (reviewer_id, unit_id, created_at) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(reviewer_id)
                .bind(unit_id)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if added {
                    Self::audit_tx(
                        &mut tx,
                        actor,
                        "reviewer.assign",
                        &format!("user:{reviewer_id}"),
                        &json!({ "unit_id": unit_id }),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(added)
            }

            async fn unassign_reviewer(
                &self,
                reviewer_id: i64,
                unit_id: i64,
                actor: &Actor,
            ) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                let removed = sqlx::query(
                    "DELETE FROM reviewer_units WHERE reviewer_id = $1 AND unit_id = $2",
                )
                .bind(reviewer_id)
                .bind(unit_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if removed {
                    Self::audit_tx(
                        &mut tx,
                        actor,
                        "reviewer.unassign",
                        &format!("user:{reviewer_id}"),
                        &json!({ "unit_id": unit_id }),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(removed)
            }

            async fn reviewer_units(&self, reviewer_id: i64) -> Result<Vec<i64>> {
                Ok(sqlx::query_scalar(
                    "SELECT unit_id FROM reviewer_units WHERE reviewer_id = $1 ORDER BY unit_id",
                )
                .bind(reviewer_id)
                .fetch_all(self.reader())
                .await?)
            }

            async fn create_dossier(
                &self,
                unit_id: i64,
                year: i64,
                forms: &[Form],
                findings: &[Finding],
                actor: &Actor,
            ) -> Result<StoredDossier> {
                let forms_json = serde_json::to_string(forms)?;
                let findings_json = serde_json::to_string(findings)?;
                let (errors, warnings) = severity_counts(findings);
                let search_text = search::forms_text(forms);
                let now = now_ms();
                let mut tx = self.write_tx().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO dossiers (unit_id, year, status, current_version, last_version, \
                     total_fen, error_count, warning_count, created_at, updated_at) \
                     VALUES ($1, $2, $3, 1, 1, $4, $5, $6, $7, $7) RETURNING id",
                )
                .bind(unit_id)
                .bind(year)
                .bind(Status::Draft.code())
                .bind(department_total_fen(forms))
                .bind(errors)
                .bind(warnings)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::insert_version(
                    &mut tx,
                    &VersionInsert {
                        dossier_id: id,
                        version: 1,
                        kind: VersionKind::Save,
                        reason: None,
                        base_version: 0,
                        forms: &forms_json,
                        findings: &findings_json,
                        errors,
                        warnings,
                        created_by: actor.user_id,
                        created_at: now,
                    },
                )
                .await?;
                Self::put_search_tx(&mut tx, id, &search_text).await?;
                Self::audit_tx(
                    &mut tx,
                    actor,
                    "dossier.create",
                    &format!("dossier:{id}"),
                    &json!({ "unit_id": unit_id, "year": year, "version": 1 }),
                )
                .await?;
                let d = Self::dossier_in(&mut *tx, id).await?;
                tx.commit().await?;
                Ok(d)
            }

            async fn get_dossier(&self, id: i64) -> Result<StoredDossier> {
                Self::dossier_in(self.reader(), id).await
            }

            async fn find_dossier(&self, unit_id: i64, year: i64) -> Result<StoredDossier> {
                let sql = format!("{DOSSIER_SELECT} WHERE d.unit_id = $1 AND d.year = $2");
                let row = sqlx::query(&sql)
                    .bind(unit_id)
                    .bind(year)
                    .fetch_one(self.reader())
                    .await?;
                Self::dossier_of(&row)
            }

            async fn list_dossiers(&self, filter: &DossierFilter) -> Result<Page<StoredDossier>> {
                if filter.unit_ids.as_ref().is_some_and(|ids| ids.is_empty()) {
                    return Ok(Page {
                        items: Vec::new(),
                        total: 0,
                    });
                }
                let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM dossiers d");
                Self::push_filter(&mut count, filter);
                let total: i64 = count
                    .build_query_scalar()
                    .fetch_one(self.reader())
                    .await?;

                let mut qb = sqlx::QueryBuilder::<$db>::new(DOSSIER_SELECT);
                Self::push_filter(&mut qb, filter);
                qb.push(match filter.order {
                    DossierOrder::Recent => " ORDER BY d.updated_at DESC, d.id DESC",
                    DossierOrder::Quality => {
                        " ORDER BY d.error_count DESC, d.warning_count DESC, \
                         d.updated_at DESC, d.id DESC"
                    }
                });
                qb.push(" LIMIT ")
                    .push_bind(filter.limit.clamp(1, MAX_PAGE))
                    .push(" OFFSET ")
                    .push_bind(filter.offset.max(0));
                let rows = qb.build().fetch_all(self.reader()).await?;
                Ok(Page {
                    items: rows.iter().map(Self::dossier_of).collect::<Result<_>>()?,
                    total,
                })
            }

            async fn save_version(
                &self,
                dossier_id: i64,
                base_version: i64,
                forms: &[Form],
                findings: &[Finding],
                actor: &Actor,
                kind: SaveKind,
            ) -> Result<VersionInfo> {
                let forms_json = serde_json::to_string(forms)?;
                let findings_json = serde_json::to_string(findings)?;
                let (errors, warnings) = severity_counts(findings);
                let search_text = search::forms_text(forms);
                let reason = match &kind {
                    SaveKind::Save => None,
                    SaveKind::Adjustment { reason } => Some(reason.trim()),
                };
                let now = now_ms();
                let mut tx = self.write_tx().await?;
                // One statement locks the dossier row (PostgreSQL: until commit) and
                // allocates the next version number, so concurrent saves serialise here
                // and each sees the current version the previous one committed.
                let row: Option<(String, i64, i64)> = sqlx::query_as(
                    "UPDATE dossiers SET last_version = last_version + 1 WHERE id = $1 \
                     RETURNING status, current_version, last_version",
                )
                .bind(dossier_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((status, current, number)) = row else {
                    return Err(StoreError::NotFound);
                };
                let status = Status::parse(&status)
                    .ok_or_else(|| StoreError::other(format!("unexpected status {status:?}")))?;
                let mut version = VersionInsert {
                    dossier_id,
                    version: number,
                    kind: VersionKind::Conflict,
                    reason,
                    base_version,
                    forms: &forms_json,
                    findings: &findings_json,
                    errors,
                    warnings,
                    created_by: actor.user_id,
                    created_at: now,
                };
                if current != base_version {
                    // A dossier under review or approved takes no edits, stale or not:
                    // refused with nothing stored (the transaction rolls back).
                    review::check_edit(status)?;
                    // Stale base: keep the submitted forms (never current) and say so.
                    Self::insert_version(&mut tx, &version).await?;
                    Self::audit_tx(
                        &mut tx,
                        actor,
                        "dossier.conflict",
                        &format!("dossier:{dossier_id}"),
                        &json!({ "version": number, "base": base_version, "current": current }),
                    )
                    .await?;
                    tx.commit().await?;
                    return Err(StoreError::Conflict { current });
                }
                let (new_status, action) = match &kind {
                    SaveKind::Save => {
                        review::check_edit(status)?;
                        version.kind = VersionKind::Save;
                        (status, "dossier.save")
                    }
                    SaveKind::Adjustment { reason } => {
                        let next = review::apply(
                            status,
                            &Action::Adjust {
                                reason: reason.clone(),
                            },
                        )?;
                        version.kind = VersionKind::Adjustment;
                        (next, "dossier.adjust")
                    }
                };
                Self::insert_version(&mut tx, &version).await?;
                sqlx::query(
                    "UPDATE dossiers SET current_version = $1, status = $2, total_fen = $3, \
                     error_count = $4, warning_count = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(number)
                .bind(new_status.code())
                .bind(department_total_fen(forms))
                .bind(errors)
                .bind(warnings)
                .bind(now)
                .bind(dossier_id)
                .execute(&mut *tx)
                .await?;
                // Only a version that becomes current changes what search finds.
                Self::put_search_tx(&mut tx, dossier_id, &search_text).await?;
                Self::audit_tx(
                    &mut tx,
                    actor,
                    action,
                    &format!("dossier:{dossier_id}"),
                    &json!({
                        "version": number,
                        "base": base_version,
                        "status": new_status.code(),
                        "reason": reason,
                        "errors": errors,
                    }),
                )
                .await?;
                let info = Self::version_info_in(&mut *tx, dossier_id, number).await?;
                tx.commit().await?;
                Ok(info)
            }

            async fn get_version(&self, dossier_id: i64, version: i64) -> Result<Version> {
                let info = Self::version_info_in(self.reader(), dossier_id, version).await?;
                let (forms, findings): (String, String) = sqlx::query_as(
                    "SELECT forms, findings FROM versions WHERE dossier_id = $1 AND version = $2",
                )
                .bind(dossier_id)
                .bind(version)
                .fetch_one(self.reader())
                .await?;
                Ok(Version {
                    info,
                    forms: serde_json::from_str(&forms)?,
                    findings: serde_json::from_str(&findings)?,
                })
            }

            async fn history(&self, dossier_id: i64) -> Result<Vec<VersionInfo>> {
                let sql = format!("{VERSION_INFO_SELECT} WHERE v.dossier_id = $1 ORDER BY v.version");
                let rows = sqlx::query(&sql)
                    .bind(dossier_id)
                    .fetch_all(self.reader())
                    .await?;
                if rows.is_empty() {
                    return Err(StoreError::NotFound);
                }
                rows.iter().map(Self::version_info_of).collect()
            }

            async fn transition(
                &self,
                dossier_id: i64,
                expected_status: Status,
                expected_version: i64,
                action: &Action,
                actor: &Actor,
            ) -> Result<StoredDossier> {
                let (grade, opinions) = match action {
                    Action::Submit => (None, None),
                    Action::Return { opinions } => (None, Some(opinions)),
                    Action::Approve { grade, opinions } => (Some(*grade), Some(opinions)),
                    Action::Adjust { .. } => {
                        return Err(StoreError::refused(
                            "调整须与调整后的内容一起保存（保存类型选“调整”并说明原因）",
                        ))
                    }
                };
                let new_status = review::apply(expected_status, action)?;
                let reviewer = match opinions {
                    Some(_) => Some(actor.user_id.ok_or_else(|| {
                        StoreError::refused("审核操作必须由登录的审核人员执行")
                    })?),
                    None => None,
                };
                let now = now_ms();
                let mut tx = self.write_tx().await?;
                let updated = if opinions.is_none() {
                    sqlx::query(
                        "UPDATE dossiers SET status = $1, updated_at = $2 \
                         WHERE id = $3 AND status = $4 AND current_version = $5",
                    )
                    .bind(new_status.code())
                    .bind(now)
                    .bind(dossier_id)
                    .bind(expected_status.code())
                    .bind(expected_version)
                    .execute(&mut *tx)
                    .await?
                } else {
                    let approved = (new_status == Status::Approved).then_some(expected_version);
                    sqlx::query(
                        "UPDATE dossiers SET status = $1, updated_at = $2, grade = $3, \
                         not_for_budget = $4, approved_version = COALESCE($5, approved_version) \
                         WHERE id = $6 AND status = $7 AND current_version = $8",
                    )
                    .bind(new_status.code())
                    .bind(now)
                    .bind(grade.map(|g| g.label()))
                    .bind(grade.is_some_and(|g| g.blocks_budget()))
                    .bind(approved)
                    .bind(dossier_id)
                    .bind(expected_status.code())
                    .bind(expected_version)
                    .execute(&mut *tx)
                    .await?
                };
                if updated.rows_affected() == 0 {
                    let current: Option<i64> =
                        sqlx::query_scalar("SELECT current_version FROM dossiers WHERE id = $1")
                            .bind(dossier_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Err(match current {
                        None => StoreError::NotFound,
                        Some(current) => StoreError::Conflict { current },
                    });
                }
                if let (Some(opinions), Some(reviewer)) = (opinions, reviewer) {
                    let decision = if new_status == Status::Approved {
                        Decision::Approve
                    } else {
                        Decision::Return
                    };
                    sqlx::query(
                        "INSERT INTO reviews (dossier_id, version, reviewer_id, decision, grade, \
                         opinions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(dossier_id)
                    .bind(expected_version)
                    .bind(reviewer)
                    .bind(decision.code())
                    .bind(grade.map(|g| g.label()))
                    .bind(serde_json::to_string(opinions)?)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                let verb = match action {
                    Action::Submit => "dossier.submit",
                    Action::Return { .. } => "dossier.return",
                    _ => "dossier.review",
                };
                Self::audit_tx(
                    &mut tx,
                    actor,
                    verb,
                    &format!("dossier:{dossier_id}"),
                    &json!({
                        "version": expected_version,
                        "from": expected_status.code(),
                        "to": new_status.code(),
                        "grade": grade.map(|g| g.label()),
                    }),
                )
                .await?;
                let d = Self::dossier_in(&mut *tx, dossier_id).await?;
                tx.commit().await?;
                Ok(d)
            }

            async fn add_comment(
                &self,
                dossier_id: i64,
                version: i64,
                field: &str,
                body: &str,
                actor: &Actor,
            ) -> Result<Comment> {
                let author = actor
                    .user_id
                    .ok_or_else(|| StoreError::refused("评论必须由登录用户发表"))?;
                let body = body.trim();
                if body.is_empty() {
                    return Err(StoreError::refused("评论内容不能为空"));
                }
                let mut tx = self.write_tx().await?;
                sqlx::query_scalar::<_, i64>(
                    "SELECT version FROM versions WHERE dossier_id = $1 AND version = $2",
                )
                .bind(dossier_id)
                .bind(version)
                .fetch_one(&mut *tx)
                .await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO comments (dossier_id, version, field, body, author_id, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(dossier_id)
                .bind(version)
                .bind(field.trim())
                .bind(body)
                .bind(author)
                .bind(now_ms())
                .fetch_one(&mut *tx)
                .await?;
                let sql = format!("{COMMENT_SELECT} WHERE c.id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
                let comment = Self::comment_of(&row)?;
                Self::audit_tx(
                    &mut tx,
                    actor,
                    "comment.add",
                    &format!("dossier:{dossier_id}"),
                    &json!({ "comment": id, "version": version, "field": field.trim() }),
                )
                .await?;
                tx.commit().await?;
                Ok(comment)
            }

            async fn comments(&self, dossier_id: i64) -> Result<Vec<Comment>> {
                let sql = format!("{COMMENT_SELECT} WHERE c.dossier_id = $1 ORDER BY c.id");
                let rows = sqlx::query(&sql)
                    .bind(dossier_id)
                    .fetch_all(self.reader())
                    .await?;
                rows.iter().map(Self::comment_of).collect()
            }

            async fn reviews(&self, dossier_id: i64) -> Result<Vec<ReviewRecord>> {
                let sql = format!("{REVIEW_SELECT} WHERE r.dossier_id = $1 ORDER BY r.id");
                let rows = sqlx::query(&sql)
                    .bind(dossier_id)
                    .fetch_all(self.reader())
                    .await?;
                rows.iter().map(Self::review_of).collect()
            }

            async fn create_session(
                &self,
                user_id: i64,
                ttl: Duration,
            ) -> Result<(String, Session)> {
                let token = random_token()?;
                let now = now_ms();
                let sql = format!(
                    "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, \
                     last_seen) VALUES ($1, $2, $3, $4, $5, $4) RETURNING {SESSION_COLUMNS}"
                );
                let row = sqlx::query(&sql)
                    .bind(sha256_hex(token.as_bytes()))
                    .bind(user_id)
                    .bind(random_token()?)
                    .bind(now)
                    .bind(now.saturating_add(ttl_ms(ttl)))
                    .fetch_one(self.writer())
                    .await?;
                Ok((token, Self::session_of(&row)?))
            }

            async fn get_session(&self, token: &str) -> Result<Session> {
                let sql = format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1 AND expires_at > $2"
                );
                let row = sqlx::query(&sql)
                    .bind(sha256_hex(token.as_bytes()))
                    .bind(now_ms())
                    .fetch_one(self.reader())
                    .await?;
                Self::session_of(&row)
            }

            async fn touch_session(&self, token: &str, ttl: Duration) -> Result<Session> {
                let now = now_ms();
                let sql = format!(
                    "UPDATE sessions SET last_seen = $1, expires_at = $2 \
                     WHERE id = $3 AND expires_at > $1 RETURNING {SESSION_COLUMNS}"
                );
                let row = sqlx::query(&sql)
                    .bind(now)
                    .bind(now.saturating_add(ttl_ms(ttl)))
                    .bind(sha256_hex(token.as_bytes()))
                    .fetch_one(self.writer())
                    .await?;
                Self::session_of(&row)
            }

            async fn delete_session(&self, token: &str) -> Result<bool> {
                Ok(sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(sha256_hex(token.as_bytes()))
                    .execute(self.writer())
                    .await?
                    .rows_affected()
                    > 0)
            }

            async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(self.writer())
                    .await?
                    .rows_affected())
            }

            async fn purge_expired_sessions(&self) -> Result<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now_ms())
                    .execute(self.writer())
                    .await?
                    .rows_affected())
            }

            async fn append_audit(
                &self,
                actor: &Actor,
                action: &str,
                target: &str,
                detail: &serde_json::Value,
            ) -> Result<AuditRecord> {
                let mut tx = self.write_tx().await?;
                let r = Self::audit_tx(&mut tx, actor, action, target, detail).await?;
                tx.commit().await?;
                Ok(r)
            }

            async fn audit_log(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>> {
                let sql = format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                );
                let rows = sqlx::query(&sql)
                    .bind(after_seq)
                    .bind(limit.clamp(1, 10_000))
                    .fetch_all(self.reader())
                    .await?;
                rows.iter().map(Self::audit_of).collect()
            }

            async fn count_audit(
                &self,
                action: &str,
                target: &str,
                address: Option<&str>,
                since: i64,
            ) -> Result<i64> {
                // `$3 IS NULL` needs a typed NULL on PostgreSQL; two statements avoid it.
                let n: i64 = match address {
                    Some(a) => {
                        sqlx::query_scalar(
                            "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target = $2 \
                             AND at >= $3 AND address = $4",
                        )
                        .bind(action)
                        .bind(target)
                        .bind(since)
                        .bind(a)
                        .fetch_one(self.reader())
                        .await?
                    }
                    None => {
                        sqlx::query_scalar(
                            "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target = $2 \
                             AND at >= $3",
                        )
                        .bind(action)
                        .bind(target)
                        .bind(since)
                        .fetch_one(self.reader())
                        .await?
                    }
                };
                Ok(n)
            }

            async fn verify_audit(&self) -> Result<AuditReport> {
                let mut walker = ChainWalker::new();
                let mut after = 0;
                loop {
                    let page = self.audit_log(after, 1000).await?;
                    let Some(last) = page.last() else { break };
                    after = last.seq;
                    for r in &page {
                        if let Err(b) = walker.step(r) {
                            return Ok(AuditReport {
                                checked: walker.checked,
                                head: walker.head,
                                broken: Some(b),
                            });
                        }
                    }
                }
                Ok(AuditReport {
                    checked: walker.checked,
                    head: walker.head,
                    broken: None,
                })
            }

            async fn backup(&self, path: &Path) -> Result<()> {
                self.backup_to(path).await
            }
        }
    };
}

pub(crate) use impl_store;
