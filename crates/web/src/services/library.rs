//! 指标库 (docs/library.md) in the service: the library lives in memory, built from what the
//! store keeps of each source (`library_sources`) and the admins' corrections
//! (`library_edits`); every approval of a target dossier or a self-evaluation teaches it
//! that filing. Units read aggregates only ([`Suggestion`] never names a unit); similar
//! projects are asked for by a dossier the caller sees.

use std::collections::HashSet;

use jixiao_domain::library::{Edit, Library, Mined, SimilarIndicator, Suggestion};
use jixiao_domain::rules::{self, Ctx};
use jixiao_domain::{Dossier, FiledForm, Finding, Form};
use jixiao_store::{DossierFilter, DossierKind, Role, Store, StoredDossier, MAX_PAGE};
use serde::Serialize;
use tokio::sync::{RwLock, RwLockReadGuard};

use super::{blocking, Services, User};
use crate::error::{ApiError, ApiResult};

/// The library once read (`None` until the first use or `serve`'s warm-up).
#[derive(Default)]
pub struct LibraryCell(RwLock<Option<Library>>);

/// Sources read from the store per page.
const PAGE: i64 = 500;
/// Longest query a suggestion is asked for (characters).
const MAX_QUERY: usize = 50;
/// Suggestions per answer.
const SUGGESTIONS: usize = 10;
/// Entries the admin list shows.
const LIST: usize = 300;

/// What a read of the library found (`jixiao library build` prints it, the first read logs it).
#[derive(Clone, Debug, Default, Serialize)]
pub struct LibraryStats {
    /// Sources in the library.
    pub sources: i64,
    /// Approved dossiers and reports learnt now (stored before they had been).
    pub learnt: usize,
    /// Entries (groups of names).
    pub entries: usize,
}

/// `GET /api/library/similar`.
#[derive(Clone, Debug, Serialize)]
pub struct Similar {
    /// The project the suggestions are for.
    pub project: String,
    pub indicators: Vec<SimilarIndicator>,
}

/// The key a dossier is kept under in `library_sources`.
fn source_of(d: &StoredDossier) -> String {
    format!("dossier:{}", d.id)
}

/// Whether the library learns from a dossier of this kind once approved.
fn teaches(kind: DossierKind) -> bool {
    matches!(kind, DossierKind::Targets | DossierKind::SelfEvaluation)
}

fn parse(data: &str) -> Option<Mined> {
    serde_json::from_str(data).ok()
}

impl Services {
    /// The library, read from the store on first use.
    async fn library(&self) -> ApiResult<RwLockReadGuard<'_, Option<Library>>> {
        {
            let g = self.library.0.read().await;
            if g.is_some() {
                return Ok(g);
            }
        }
        let mut w = self.library.0.write().await;
        if w.is_none() {
            let (lib, stats) = self.build_library().await?;
            tracing::info!(
                sources = stats.sources,
                learnt = stats.learnt,
                entries = stats.entries,
                "indicator library loaded"
            );
            *w = Some(lib);
        }
        Ok(w.downgrade())
    }

    /// Reads the library at start, off the request path (`serve`); the first read logs
    /// what it found.
    pub async fn warm_library(&self) -> ApiResult<()> {
        self.library().await.map(drop)
    }

    /// Builds the library from the store: every stored source, then the approved dossiers
    /// and self-evaluations not stored yet (approved before the library existed), then the
    /// admins' corrections in order.
    pub async fn build_library(&self) -> ApiResult<(Library, LibraryStats)> {
        let mut lib = Library::new(&self.profile.library);
        let mut seen: HashSet<String> = HashSet::new();
        let mut after = String::new();
        loop {
            let page = self.store.library_page(&after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.source.clone();
            seen.extend(page.iter().map(|s| s.source.clone()));
            lib = blocking(move || {
                for s in &page {
                    if let Some(m) = parse(&s.data) {
                        lib.add(&m);
                    }
                }
                lib
            })
            .await?;
        }
        let mut learnt = 0;
        for kind in [DossierKind::Targets, DossierKind::SelfEvaluation] {
            let mut offset = 0;
            loop {
                let page = self
                    .store
                    .list_dossiers(&DossierFilter {
                        kind,
                        statuses: vec![jixiao_domain::review::Status::Approved],
                        limit: MAX_PAGE,
                        offset,
                        ..DossierFilter::default()
                    })
                    .await?;
                for d in page.items.iter().filter(|d| !seen.contains(&source_of(d))) {
                    if let Some(m) = self.store_mined(d).await? {
                        lib.add(&m);
                        learnt += 1;
                    }
                }
                offset += page.items.len() as i64;
                if page.items.is_empty() || offset >= page.total {
                    break;
                }
            }
        }
        for e in self.store.library_edits().await? {
            match serde_json::from_str::<Edit>(&e) {
                Ok(edit) => lib.apply(&edit),
                Err(err) => tracing::warn!(error = %err, "unreadable library edit skipped"),
            }
        }
        let lib = blocking(move || {
            lib.finish();
            lib
        })
        .await?;
        let stats = LibraryStats {
            sources: lib.sources(),
            learnt,
            entries: lib.len(),
        };
        Ok((lib, stats))
    }

    /// Mines the approved version of a dossier and stores it; answers what it stored and
    /// what it replaced.
    async fn store_mined(&self, d: &StoredDossier) -> ApiResult<Option<Mined>> {
        Ok(self.store_mined_replacing(d).await?.map(|(m, _)| m))
    }

    async fn store_mined_replacing(
        &self,
        d: &StoredDossier,
    ) -> ApiResult<Option<(Mined, Option<Mined>)>> {
        let Some(v) = d.approved_version.filter(|_| teaches(d.kind)) else {
            return Ok(None);
        };
        let forms = self.store.get_version(d.id, v).await?.forms;
        let m = Mined::from_forms(&d.unit_name, u16::try_from(d.year).ok(), &forms);
        let data = serde_json::to_string(&m).map_err(ApiError::internal)?;
        let old = self
            .store
            .library_put(&source_of(d), Some(d.year), &data)
            .await?;
        Ok(Some((m, old.as_deref().and_then(parse))))
    }

    /// After an approval: the library learns the approved version (replacing what it had
    /// of an earlier approval of the same dossier). A failure is logged, never the
    /// approval's.
    pub(crate) async fn library_learn(&self, d: &StoredDossier) {
        match self.store_mined_replacing(d).await {
            Ok(Some((m, old))) => {
                let mut w = self.library.0.write().await;
                if let Some(lib) = w.as_mut() {
                    if let Some(old) = old {
                        lib.remove(&old);
                    }
                    lib.add(&m);
                    lib.finish();
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = ?e, dossier = d.id, "the library did not learn an approval")
            }
        }
    }

    /// Three-level names for what is typed, with the usual comparator, unit and range.
    /// Everyone signed in; aggregates only.
    pub async fn library_suggest(&self, _user: &User, q: &str) -> ApiResult<Vec<Suggestion>> {
        if q.chars().count() > MAX_QUERY {
            return Err(ApiError::unprocessable(format!(
                "查询文字最多 {MAX_QUERY} 个字"
            )));
        }
        let g = self.library().await?;
        Ok(g.as_ref()
            .map(|lib| lib.suggest(q, SUGGESTIONS))
            .unwrap_or_default())
    }

    /// The indicators similar projects used, for form `form` (a project or 部门整体 table)
    /// of a dossier the caller sees, leaving out those it already has.
    pub async fn library_similar(&self, user: &User, id: i64, form: usize) -> ApiResult<Similar> {
        let d = self.visible(user, id).await?;
        let forms = self.store.get_version(d.id, d.current_version).await?.forms;
        let (project, have) =
            match forms.get(form) {
                Some(Form::Project(p)) => (
                    if p.name.trim().is_empty() {
                        p.annual_goal.clone()
                    } else {
                        p.name.clone()
                    },
                    p.indicators
                        .iter()
                        .map(|i| i.name.clone())
                        .collect::<Vec<_>>(),
                ),
                Some(Form::DepartmentOverall(f)) => (
                    format!("{}部门整体支出", f.unit),
                    f.indicators.iter().map(|i| i.name.clone()).collect(),
                ),
                _ => return Err(ApiError::unprocessable(
                    "只有项目（支出方向）绩效目标表和部门整体支出绩效目标表可以参考同类项目的指标",
                )),
            };
        let g = self.library().await?;
        let indicators = g
            .as_ref()
            .map(|lib| lib.similar(&project, &have, 12))
            .unwrap_or_default();
        Ok(Similar {
            project,
            indicators,
        })
    }

    /// The entries (admin page), filtered by text, most used first: at most `limit` of
    /// them ([`LIST`] by default), and how many there are.
    pub async fn library_list(
        &self,
        user: &User,
        q: &str,
        limit: Option<usize>,
    ) -> ApiResult<(Vec<Suggestion>, usize)> {
        Self::require(user, &[Role::Admin], "管理指标库")?;
        let g = self.library().await?;
        let all = g.as_ref().map(|lib| lib.list(q)).unwrap_or_default();
        let n = all.len();
        Ok((all.into_iter().take(limit.unwrap_or(LIST)).collect(), n))
    }

    /// An admin's correction: stored (audited) and applied at once.
    pub async fn library_edit(&self, user: &User, edit: Edit) -> ApiResult<()> {
        Self::require(user, &[Role::Admin], "管理指标库")?;
        {
            let g = self.library().await?;
            let lib = g
                .as_ref()
                .ok_or_else(|| ApiError::internal("library not loaded"))?;
            for key in edit.keys() {
                if lib.entry(key).is_none() {
                    return Err(ApiError::unprocessable(format!(
                        "指标库中没有“{key}”这一指标"
                    )));
                }
            }
            if let Edit::Rename { name, .. } = &edit {
                if name.trim().is_empty() || name.chars().count() > 100 {
                    return Err(ApiError::unprocessable("新名称不能为空，最多 100 个字"));
                }
            }
            if let Edit::Define { name, .. } = &edit {
                if name.trim().is_empty() || name.chars().count() > 100 {
                    return Err(ApiError::unprocessable(
                        "三级指标名称不能为空，最多 100 个字",
                    ));
                }
            }
            if let Edit::Tag { tags, .. } = &edit {
                if tags.len() > 20 || tags.iter().any(|t| t.chars().count() > 30) {
                    return Err(ApiError::unprocessable("标签最多 20 个，每个最多 30 个字"));
                }
            }
            if let Edit::Merge { from, into } = &edit {
                if lib.key_of(from) == lib.key_of(into) {
                    return Err(ApiError::unprocessable("不能把指标合并到它自己"));
                }
            }
        }
        let json = serde_json::to_string(&edit).map_err(ApiError::internal)?;
        self.store.library_add_edit(&json, &user.actor()).await?;
        if let Some(lib) = self.library.0.write().await.as_mut() {
            lib.apply(&edit);
        }
        Ok(())
    }

    /// `value-outlier` and `stale-target` for a target dossier's forms: against the library
    /// (when it has been read; a save never waits for it) and the unit's approved
    /// self-evaluations of the year before.
    pub(crate) async fn library_findings(
        &self,
        d: &StoredDossier,
        dossier: &Dossier,
    ) -> ApiResult<Vec<Finding>> {
        if d.kind != DossierKind::Targets {
            return Ok(Vec::new());
        }
        let previous = self.previous_evaluations(d).await?;
        let ctx = Ctx::new(&self.profile);
        let g = self.library.0.read().await;
        let empty;
        let lib = match g.as_ref() {
            Some(lib) => lib,
            None => {
                empty = Library::new(&self.profile.library);
                &empty
            }
        };
        Ok(rules::library_findings(dossier, &ctx, lib, &previous))
    }

    /// The approved self-evaluations on the unit's target dossier of the year before.
    async fn previous_evaluations(&self, d: &StoredDossier) -> ApiResult<Vec<FiledForm>> {
        let last = match self.store.find_dossier(d.unit_id, d.year - 1).await {
            Ok(t) => t,
            Err(jixiao_store::StoreError::NotFound) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut forms: Vec<Form> = Vec::new();
        for r in self.store.reports_of(last.id).await? {
            if r.kind != DossierKind::SelfEvaluation {
                continue;
            }
            if let Some(v) = r.approved_version {
                forms.extend(self.store.get_version(r.id, v).await?.forms);
            }
        }
        Ok(Dossier::of(
            &d.unit_name,
            u16::try_from(last.year).ok(),
            "上年自评",
            &forms,
        )
        .forms)
    }
}

/// The columns of the library as .xlsx, named as a 一体化-style library names them
/// (lifecycle.md §4: 一级/二级/三级, 共性/个性, 指标性质, 指标值, 计量单位, 评（扣）分标准,
/// 启用 and validity), followed by what the filings show.
pub const EXPORT_HEAD: &[&str] = &[
    "一级指标",
    "二级指标",
    "三级指标",
    "指标类型",
    "指标性质",
    "指标值",
    "计量单位",
    "评（扣）分标准",
    "适用年度起",
    "适用年度止",
    "是否启用",
    "标签",
    "使用次数",
    "填报单位数",
    "名称写法数",
    "目标值下四分位",
    "目标值中位数",
    "目标值上四分位",
    "自评完成率中位数（%）",
    "归并键",
];

/// Tags as typed or exported: separated by 、, commas or semicolons.
pub fn split_tags(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；'])
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The corrections that bring a library exported as .xlsx (by [`EXPORT_HEAD`], or any sheet
/// with a 三级指标 column and some of the others) into this one: each row is an entry
/// defined with its 一级/二级, 指标值, 评（扣）分标准 and 共性 mark, retired when 是否启用 is
/// 否, tagged by 标签 (separated by 、or ,). Rows without a 三级指标 are skipped; a sheet
/// without that column is an error in Chinese.
pub fn import_edits(
    sheet: &jixiao_files::Sheet,
    settings: &jixiao_domain::profile::LibrarySettings,
) -> Result<Vec<Edit>, String> {
    let norm = |t: &str| jixiao_domain::text::normalize_label(t);
    let head_at = sheet
        .rows
        .iter()
        .position(|r| r.cells.iter().any(|c| norm(&c.text) == "三级指标"))
        .ok_or("表中没有“三级指标”列，无法导入指标库")?;
    let head = &sheet.rows[head_at];
    let col = |name: &str| {
        head.cells
            .iter()
            .find(|c| norm(&c.text) == norm(name))
            .map(|c| c.col)
    };
    let cols: Vec<Option<usize>> = [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标类型",
        "指标值",
        "评（扣）分标准",
        "是否启用",
        "标签",
    ]
    .iter()
    .map(|n| col(n))
    .collect();
    let mut out = Vec::new();
    for row in &sheet.rows[head_at + 1..] {
        let cell = |i: usize| -> String {
            cols[i]
                .and_then(|c| row.cells.iter().find(|x| x.col == c))
                .map(|x| x.text.trim().to_string())
                .unwrap_or_default()
        };
        let name = cell(2);
        if name.is_empty() {
            continue;
        }
        let key = jixiao_domain::library::name_key(&name, settings);
        out.push(Edit::Define {
            level1: cell(0),
            level2: cell(1),
            name,
            value: cell(4),
            standard: cell(5),
            common: cell(3) == "共性",
        });
        if cell(6) == "否" {
            out.push(Edit::Retire {
                key: key.clone(),
                retired: true,
            });
        }
        let tags = split_tags(&cell(7));
        if !tags.is_empty() {
            out.push(Edit::Tag { key, tags });
        }
    }
    Ok(out)
}

/// The rows of the library export, one per entry, in the order given.
pub fn export_rows(entries: &[Suggestion]) -> Vec<Vec<String>> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    entries
        .iter()
        .map(|e| {
            let q = |f: fn(&jixiao_domain::library::Range) -> rust_decimal::Decimal| {
                e.range
                    .as_ref()
                    .map(|r| f(r).normalize().to_string())
                    .unwrap_or_default()
            };
            vec![
                e.level1.clone(),
                e.level2.clone(),
                e.name.clone(),
                if e.common { "共性" } else { "个性" }.to_string(),
                opt(&e.comparator),
                opt(&e.usual_value),
                opt(&e.unit),
                opt(&e.standard),
                e.years.map(|y| y.0.to_string()).unwrap_or_default(),
                e.years.map(|y| y.1.to_string()).unwrap_or_default(),
                if e.retired { "否" } else { "是" }.to_string(),
                e.tags.join("、"),
                e.uses.to_string(),
                e.units.to_string(),
                e.variants.to_string(),
                q(|r| r.q1),
                q(|r| r.median),
                q(|r| r.q3),
                e.achieved
                    .as_ref()
                    .map(|r| r.median.normalize().to_string())
                    .unwrap_or_default(),
                e.key.clone(),
            ]
        })
        .collect()
}
