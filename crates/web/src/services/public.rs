//! 预算公开: administrators publish approved dossiers; anyone reads them, without logging
//! in, as the official tables and as open data. What the public sees is only the forms of
//! the version published, with the sign-off's personal data redacted by the configured
//! policy (`[server] public_redact`): never findings, comments, reviews, versions or users.

use jixiao_domain::Form;
use jixiao_store::publications::{Published, Selection};
use jixiao_store::{Role, Store, StoreError};
use serde::Deserialize;

use super::{Services, User};
use crate::error::{ApiError, ApiResult};

/// What a redacted sign-off field shows.
pub const REDACTED: &str = "（不公开）";

/// The sign-off fields a policy may redact.
pub const REDACTABLE: &[&str] = &["head", "preparer", "phone"];

/// `POST`/`DELETE /api/publications`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationRequest {
    pub year: i64,
    /// One unit (its name); none: every unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// A 主管部门 (its name): it and the units under it.
    #[serde(default)]
    pub parent: Option<String>,
}

/// The forms as the public sees them: the policy's sign-off fields replaced.
pub fn redact(mut forms: Vec<Form>, policy: &[String]) -> Vec<Form> {
    for f in &mut forms {
        let s = f.signoff_mut();
        for field in policy {
            let v = match field.as_str() {
                "head" => &mut s.head,
                "preparer" => &mut s.preparer,
                "phone" => &mut s.phone,
                _ => continue,
            };
            if !v.trim().is_empty() {
                *v = REDACTED.to_string();
            }
        }
    }
    forms
}

impl Services {
    /// Publications and withdrawals made through this instance so far: kept public pages
    /// rendered before the last one are checked against the store again.
    pub fn publication_generation(&self) -> u64 {
        self.publications.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Publishes (or with `publish: false` unpublishes) a year's approved dossiers, of one
    /// unit or a 主管部门's units when named. Administrators only; audited.
    pub async fn set_published(
        &self,
        user: &User,
        req: PublicationRequest,
        publish: bool,
    ) -> ApiResult<i64> {
        Self::require(user, &[Role::Admin], "公开或撤回公开档案")?;
        let unit_id = match req.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(name) => Some(self.unit_named(name).await?.id),
            None => None,
        };
        let parent_id = match req
            .parent
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(name) => Some(self.unit_named(name).await?.id),
            None => None,
        };
        let s = Selection {
            year: req.year,
            unit_id,
            parent_id,
        };
        let actor = user.actor();
        let n = if publish {
            self.store.publish(&s, &actor).await?
        } else {
            self.store.unpublish(&s, &actor).await?
        };
        // Public pages kept by this instance are checked again (ui::public).
        self.publications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }

    /// The published dossiers (of a year), optionally only those whose unit or 主管部门
    /// names contain every word of `q`.
    pub async fn public_list(&self, year: Option<i64>, q: &str) -> ApiResult<Vec<Published>> {
        let words: Vec<&str> = q.split_whitespace().take(5).collect();
        Ok(self
            .store
            .published(year)
            .await?
            .into_iter()
            .filter(|p| {
                words.iter().all(|w| {
                    p.unit_name.contains(w)
                        || p.parent_name.as_deref().is_some_and(|n| n.contains(w))
                        || p.year.to_string() == w.trim_end_matches('年')
                })
            })
            .collect())
    }

    /// Every published dossier of a year with its forms redacted (one store query).
    pub async fn public_year(&self, year: i64) -> ApiResult<Vec<(Published, Vec<Form>)>> {
        Ok(self
            .store
            .published_year(year)
            .await?
            .into_iter()
            .map(|(p, forms)| (p, redact(forms, &self.config.public_redact)))
            .collect())
    }

    /// A published dossier with its forms redacted; 404 unless published.
    pub async fn public_dossier(&self, id: i64) -> ApiResult<(Published, Vec<Form>)> {
        match self.store.published_dossier(id).await {
            Ok((p, forms)) => Ok((p, redact(forms, &self.config.public_redact))),
            Err(StoreError::NotFound) => Err(ApiError::NotFound("未公开或不存在的档案".into())),
            Err(e) => Err(e.into()),
        }
    }
}
