//! Making and editing dossiers from forms: the editor's live check with exact totals, the
//! upload preview, a new dossier from forms (after a preview, or blank), a copy of a
//! dossier for another year, and what the editor pages need. The access rules are those
//! of the parent module: `visible` first (404), then `require` (403).
//!
//! Upload, create and copy all end in [`Services::create_from`], so a dossier is made one
//! way: an existing (unit, year) is a 409 naming the existing dossier, the file's unit is
//! compared with the target unit, and the rules run fresh.

use jixiao_domain::finding::{Location, Severity};
use jixiao_domain::text::normalize_label;
use jixiao_domain::totals::totals;
pub use jixiao_domain::totals::FormTotals;
use jixiao_domain::{rules, Finding, Form, FormKind, IndicatorValue};
use jixiao_files::import::{import_bytes, ImportedFile, Status as ImportStatus};
use jixiao_store::{Role, Store, StoreError, Unit, MAX_PAGE};
use serde::Serialize;
use serde_json::Value;

use super::{file_rows, json_bytes, DossierSummary, ListParams, Saved, Services, User};
use crate::error::{ApiError, ApiResult};

/// The civil date (year, month, day) of a count of days since 1970-01-01 (Howard
/// Hinnant's algorithm).
pub fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// China Standard Time (UTC+8, no daylight saving) of epoch milliseconds: the civil date
/// and the seconds since that day's midnight.
pub fn china_time(ms: i64) -> ((i64, i64, i64), i64) {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    (civil_date(secs.div_euclid(86_400)), secs.rem_euclid(86_400))
}

/// The current calendar year in China.
pub fn this_year() -> i64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    china_time(ms).0 .0
}

// ---------------------------------------------------------------- answers

/// What the editor's live check answers: the findings a save would store and the totals
/// of each form, computed exactly on the server.
#[derive(Debug, Serialize)]
pub struct Checked {
    pub findings: Vec<Finding>,
    pub totals: Vec<FormTotals>,
    /// The scores and lights of the report forms, as a save would compute them.
    pub scores: Vec<FormScores>,
}

/// What the server computes on one report form (self-evaluation: 执行率, each row's score,
/// 总分 and 等级; monitoring: 执行率 and the lights), shown live while a unit types.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FormScores {
    SelfEvaluation {
        form: usize,
        execution_rate: Option<rust_decimal::Decimal>,
        execution_score: Option<rust_decimal::Decimal>,
        rows: Vec<Option<rust_decimal::Decimal>>,
        total: Option<rust_decimal::Decimal>,
        grade: Option<String>,
    },
    Monitoring {
        form: usize,
        rate: Option<rust_decimal::Decimal>,
        money_light: Option<jixiao_domain::report::Light>,
        rows: Vec<Option<jixiao_domain::report::Light>>,
        light: Option<jixiao_domain::report::Light>,
    },
}

/// The computed scores and lights of every report form among `forms`, numbers to 2 places
/// without trailing zeros (`100`, `62.5`), as the forms print them.
pub fn form_scores(forms: &[Form], p: &jixiao_domain::Profile) -> Vec<FormScores> {
    use jixiao_domain::scoring;
    let shown = |d: rust_decimal::Decimal| scoring::round2(d).normalize();
    forms
        .iter()
        .enumerate()
        .filter_map(|(form, f)| match f {
            Form::SelfEvaluation(e) => {
                let ev = scoring::evaluate(e, p);
                Some(FormScores::SelfEvaluation {
                    form,
                    execution_rate: ev.execution.and_then(|x| x.rate).map(shown),
                    execution_score: ev.execution.and_then(|x| x.score).map(shown),
                    rows: ev.rows.iter().map(|r| r.computed.map(shown)).collect(),
                    total: ev.total.map(shown),
                    grade: ev.grade,
                })
            }
            Form::Monitoring(m) => {
                let l = scoring::monitoring_lights(m, p);
                Some(FormScores::Monitoring {
                    form,
                    rate: l.rate.map(shown),
                    money_light: l.money,
                    rows: l.rows,
                    light: l.worst,
                })
            }
            _ => None,
        })
        .collect()
}

/// A file read without saving: what `upload` would store.
#[derive(Debug, Serialize)]
pub struct Preview {
    pub file: String,
    pub status: ImportStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub forms: Vec<Form>,
    /// Every parse warning of the importer, then the rules' findings.
    pub findings: Vec<Finding>,
    pub totals: Vec<FormTotals>,
    /// The budget year read from the forms.
    pub year: Option<u16>,
    /// The unit named in the forms ("" when none).
    pub unit: String,
    /// 未识别的内容: cells of the file the reader left unused, with where and why, so a
    /// user sees at once what of a new layout was not read.
    pub unread: Vec<UnreadCell>,
    /// Unused cells left out of `unread` because the list was too long.
    pub unread_omitted: usize,
}

/// A corrected file read into an existing dossier ([`Services::reimport`]).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Reimported {
    pub file: String,
    /// The version the file is compared with and would follow.
    pub base_version: i64,
    /// The file holds exactly the forms of `base_version`: importing it changes nothing.
    pub same: bool,
    /// A preview: the forms read, the importer's notes and the rules' findings, the
    /// totals (empty once stored: `saved` has the version's findings).
    pub forms: Vec<Form>,
    pub findings: Vec<Finding>,
    pub totals: Vec<FormTotals>,
    /// Stored: the new version (or the current one when nothing changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<Saved>,
}

/// One cell of an upload that went into no field.
#[derive(Debug, Serialize)]
pub struct UnreadCell {
    /// The form it lies in (0-based), none for text outside every form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<usize>,
    pub text: String,
    /// Where it is in the file (`第3行第2格`).
    pub place: String,
    /// Why it was not used.
    pub reason: String,
}

/// The unused cells of an import, as the preview lists them.
fn unread_cells(e: &jixiao_files::recognise::Explained) -> Vec<UnreadCell> {
    let cell = |form: Option<usize>, c: &jixiao_files::recognise::ExplainedCell| UnreadCell {
        form,
        text: c.text.clone(),
        place: c.cell.as_ref().map(|o| o.describe()).unwrap_or_default(),
        reason: c.note.clone(),
    };
    e.forms
        .iter()
        .flat_map(|f| f.unmapped.iter().map(move |c| cell(Some(f.form), c)))
        .chain(e.outside.iter().map(|c| cell(None, c)))
        .collect()
}

/// What the editor page needs besides the profile's framework.
#[derive(Debug, Serialize)]
pub struct EditorModel {
    pub dossier: DossierSummary,
    pub forms: Vec<Form>,
    /// The dossier is approved: saving opens an adjustment (调整) and needs a reason.
    pub adjust: bool,
    /// Every remark on the dossier, and the earlier versions open remarks on cells were
    /// made on (to show them beside the cells they point at now).
    pub comments: Vec<jixiao_store::Comment>,
    pub earlier: Vec<jixiao_store::Version>,
}

/// One 一级指标 of the profile's frameworks with its 二级 choices.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkLevel {
    pub level1: String,
    pub level2: Vec<String>,
}

/// The choices of the "new dossier" page.
#[derive(Debug, Serialize)]
pub struct NewChoices {
    /// The caller's dossiers (to copy from), newest first.
    pub dossiers: Vec<DossierSummary>,
    /// Admins choose the unit.
    pub units: Vec<Unit>,
    /// A unit user's own unit.
    pub own_unit: Option<Unit>,
}

// ---------------------------------------------------------------- forms from JSON

/// Forms from request JSON, typed: every amount a decimal string in 万元 or null (the
/// checks are `Money`'s own), years and indicator values as the JSON contract has them. A
/// malformed field is a 422 whose Chinese message names the form and the field (the path
/// comes from serde_path_to_error, the label from the domain's label table). Indicator
/// values sent as text only (no parsed reading) are read as the importer reads a cell.
pub fn forms_from_json(values: Vec<Value>) -> ApiResult<Vec<Form>> {
    let mut forms = Vec::with_capacity(values.len());
    for (k, mut v) in values.into_iter().enumerate() {
        // Control characters and bidi overrides would break the .docx/.xlsx exports.
        jixiao_files::sanitize::clean_json(&mut v);
        let mut form = form_from_json(k, v)?;
        read_indicator_values(&mut form);
        forms.push(form);
    }
    Ok(forms)
}

/// One form: its `kind` picks the type, which is then read with the failing field's path
/// kept (serde's internally tagged enums would lose it).
fn form_from_json(k: usize, v: Value) -> ApiResult<Form> {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    let Some(form_kind) = FormKind::ALL.iter().copied().find(|f| f.key() == kind) else {
        return Err(ApiError::unprocessable(format!(
            "第{}张表的类型“{kind}”无法识别，应为 {}",
            k + 1,
            FormKind::ALL.map(FormKind::key).join("、")
        )));
    };
    let typed = |e: serde_path_to_error::Error<serde_json::Error>| {
        let path = e.path().to_string();
        ApiError::unprocessable(field_error(k, form_kind, &path, &e.into_inner()))
    };
    Ok(match form_kind {
        FormKind::DepartmentOverall => {
            Form::DepartmentOverall(serde_path_to_error::deserialize(v).map_err(typed)?)
        }
        FormKind::SpecialFundSummary => {
            Form::SpecialFundSummary(serde_path_to_error::deserialize(v).map_err(typed)?)
        }
        FormKind::Project => Form::Project(serde_path_to_error::deserialize(v).map_err(typed)?),
        FormKind::SelfEvaluation => {
            Form::SelfEvaluation(serde_path_to_error::deserialize(v).map_err(typed)?)
        }
        FormKind::Monitoring => {
            Form::Monitoring(serde_path_to_error::deserialize(v).map_err(typed)?)
        }
    })
}

/// `第2张表（项目（支出方向）绩效目标表）第3条支出明细的金额：…`. Our own types (money,
/// indicator values) give Chinese reasons; serde's English ones are replaced by what the
/// field should hold.
fn field_error(k: usize, kind: FormKind, path: &str, e: &serde_json::Error) -> String {
    let place = format!(
        "第{}张表（{}）{}",
        k + 1,
        kind.label(),
        rules::field_label(path)
    );
    let reason = e.to_string();
    // serde appends " at line 1 column 2" only when reading text; from a Value it does not.
    let chinese = !reason.is_ascii();
    if path.ends_with("year") {
        format!("{place}应为四位数字（如 2024）")
    } else if chinese {
        format!("{place}：{reason}")
    } else if e.is_data() && reason.starts_with("missing field") {
        format!("{place}缺少必填内容（{reason}）")
    } else {
        format!("{place}的内容不符合要求（{reason}）")
    }
}

/// An indicator value edited as text (no comparator, number or unit yet) is read like the
/// importer reads a 指标值及单位 cell.
fn read_indicator_values(form: &mut Form) {
    match form {
        Form::DepartmentOverall(f) => f.indicators.iter_mut().for_each(|i| reread(&mut i.value)),
        Form::Project(f) => f.indicators.iter_mut().for_each(|i| reread(&mut i.value)),
        Form::SelfEvaluation(e) => {
            for i in &mut e.indicators {
                reread(&mut i.target);
                reread(&mut i.actual);
            }
        }
        Form::Monitoring(m) => {
            for i in &mut m.indicators {
                reread(&mut i.target);
                reread(&mut i.progress);
                reread(&mut i.forecast);
            }
        }
        Form::SpecialFundSummary(_) => {}
    }
}

fn reread(v: &mut IndicatorValue) {
    if v.number.is_none() && v.comparator.is_none() && v.unit.is_none() && !v.text.trim().is_empty()
    {
        *v = IndicatorValue::parse(&v.text);
    }
}

// ---------------------------------------------------------------- helpers

/// The first unit named in the forms ("" when none).
fn first_unit(forms: &[Form]) -> &str {
    forms
        .iter()
        .map(Form::unit)
        .find(|u| !u.trim().is_empty())
        .unwrap_or_default()
}

/// `2023年部门整体支出绩效目标表` → `2024年部门整体支出绩效目标表` (every 19xx年/20xx年).
pub fn retitle(title: &str, year: u16) -> String {
    let chars: Vec<char> = title.chars().collect();
    let mut out = String::with_capacity(title.len());
    let mut i = 0;
    while i < chars.len() {
        let is_year = i + 4 < chars.len()
            && chars[i + 4] == '年'
            && chars[i..i + 4].iter().all(char::is_ascii_digit)
            && matches!((chars[i], chars[i + 1]), ('1', '9') | ('2', '0'))
            && (i == 0 || !chars[i - 1].is_ascii_digit());
        if is_year {
            out.push_str(&format!("{year}年"));
            i += 5;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A form copied for another year: the year set, the years in the title replaced; the
/// cells of the old file no longer describe those two fields.
pub(crate) fn for_year(mut form: Form, year: u16) -> Form {
    // 项目实施期 of a one-year project (`2023年全年`, `2023年1月-12月`) moves with the
    // year; a period of several years keeps its other years.
    if let (Some(old), Form::Project(p)) = (form.year(), &mut form) {
        p.period = p.period.replace(&format!("{old}年"), &format!("{year}年"));
    }
    let (title, _, y) = form.header_mut();
    *title = retitle(title, year);
    *y = Some(year);
    let sources = form.sources_mut();
    sources.remove("title");
    sources.remove("year");
    form
}

/// A blank form's empty unit and year are those of the dossier it is made for.
fn fill_blank(form: &mut Form, unit: &str, year: u16) {
    let (_, u, y) = form.header_mut();
    if u.trim().is_empty() {
        *u = unit.to_string();
    }
    if y.is_none() {
        *y = Some(year);
    }
}

fn exists(unit: &Unit, year: i64, id: i64) -> ApiError {
    ApiError::Exists {
        message: format!(
            "该单位该年度的档案已存在：{}{year}年度档案（档案编号 {id}），请打开该档案继续填报",
            unit.name
        ),
        existing_id: id,
    }
}

// ---------------------------------------------------------------- operations

impl Services {
    /// The profile the rules and the editor's indicator choices come from.
    pub fn profile(&self) -> &jixiao_domain::Profile {
        &self.profile
    }

    /// The 一级/二级 choices of the profile's indicator frameworks.
    pub fn framework(&self) -> Vec<FrameworkLevel> {
        self.profile
            .level1_choices()
            .into_iter()
            .map(|level1| FrameworkLevel {
                level2: self.profile.level2_choices(&level1),
                level1,
            })
            .collect()
    }

    /// Reads an uploaded file (off the async workers), as `upload` and `preview` do.
    pub(super) async fn import_file(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> ApiResult<ImportedFile> {
        let name = file_name.to_string();
        let profile = self.profile.clone();
        let limits = self.config.limits.clone();
        self.cpu(file_rows(bytes.len()), move || {
            import_bytes(&name, &bytes, &profile, &limits)
        })
        .await
    }

    /// [`Services::import_file`], an unreadable file refused with the reader's reason.
    pub(super) async fn import_readable(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> ApiResult<ImportedFile> {
        let imported = self.import_file(file_name, bytes).await?;
        if imported.status == ImportStatus::Error {
            return Err(ApiError::unprocessable(
                imported
                    .error
                    .clone()
                    .unwrap_or_else(|| "文件无法导入".into()),
            ));
        }
        Ok(imported)
    }

    /// A unit user works for their own unit only and may not name one.
    pub(super) fn no_named_unit(user: &User, unit: Option<&str>, what: &str) -> ApiResult<()> {
        if user.role() == Role::Unit && unit.is_some_and(|u| !u.trim().is_empty()) {
            return Err(ApiError::forbidden(format!(
                "填报单位只能为本单位{what}档案，不能指定 unit"
            )));
        }
        Ok(())
    }

    /// The unit a new dossier is for: a unit user's own; for an admin the named unit, else
    /// the unit the forms name.
    pub(super) async fn target_unit(
        &self,
        user: &User,
        unit: Option<&str>,
        forms_unit: &str,
    ) -> ApiResult<Unit> {
        match (user.role(), unit.map(str::trim)) {
            (Role::Unit, _) => {
                let id = user
                    .account
                    .unit_id
                    .ok_or_else(|| ApiError::forbidden("账号未关联单位"))?;
                Ok(self.store.get_unit(id).await?)
            }
            (_, Some(name)) if !name.is_empty() => self.unit_named(name).await,
            _ if !forms_unit.trim().is_empty() => self.unit_named(forms_unit.trim()).await,
            _ => Err(ApiError::unprocessable(
                "表中没有填报单位，请在 unit 字段中指定单位",
            )),
        }
    }

    /// The `parse-warning` when the forms name another unit than the dossier's.
    fn unit_warning(&self, forms_unit: &str, target: &str, file: &str) -> Option<Finding> {
        if normalize_label(forms_unit) == normalize_label(target) {
            return None;
        }
        let shown = if forms_unit.is_empty() {
            "（空）"
        } else {
            forms_unit
        };
        Some(Finding::new(
            "parse-warning",
            self.profile.severity("parse-warning", Severity::Warning),
            format!("文件中的单位“{shown}”与账号所属单位“{target}”不一致，已按“{target}”保存"),
            Location {
                file: file.to_string(),
                ..Default::default()
            },
        ))
    }

    /// The one way a dossier is made (upload, create, copy): the form limits, 409 naming
    /// the existing dossier of that unit and year, the unit warning, the rules, the
    /// unit's bytes quota, then the store.
    pub(super) async fn create_from(
        &self,
        user: &User,
        target: &Unit,
        year: i64,
        forms: Vec<Form>,
        mut findings: Vec<Finding>,
        file: &str,
    ) -> ApiResult<Saved> {
        self.within_limits(&forms)?;
        let forms_bytes = self.fits(&forms)?;
        match self.store.find_dossier(target.id, year).await {
            Ok(d) => return Err(exists(target, year, d.id)),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        findings.extend(self.unit_warning(first_unit(&forms), &target.name, file));
        let y = u16::try_from(year).ok();
        findings.extend(self.check_dossier(&target.name, y, file, &forms).await?);
        rules::sort_findings(&mut findings);
        self.bytes_quota(target.id, forms_bytes + json_bytes(&findings))
            .await?;
        match self
            .store
            .create_dossier(target.id, year, &forms, &findings, &user.actor())
            .await
        {
            Ok(d) => Ok(Saved {
                id: d.id,
                version: d.current_version,
                status: d.status,
                findings,
            }),
            // Made by someone else in between.
            Err(StoreError::Duplicate(message)) => {
                match self.store.find_dossier(target.id, year).await {
                    Ok(d) => Err(exists(target, year, d.id)),
                    Err(_) => Err(ApiError::Conflict {
                        message,
                        current_version: None,
                    }),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The rules on unsaved forms, as a save would run them, and their totals. Nothing is
    /// written. Any signed-in user may check forms.
    /// With `dossier` (one the caller sees), the forms are checked as a save of it would
    /// be: a report against the approved targets it reports on.
    pub async fn check_forms(
        &self,
        user: &User,
        forms: Vec<Form>,
        dossier: Option<i64>,
    ) -> ApiResult<Checked> {
        self.within_limits(&forms)?;
        let totals = totals(&forms);
        let scores = form_scores(&forms, &self.profile);
        let mut findings = match dossier {
            Some(id) => {
                let d = self.visible(user, id).await?;
                self.check_stored(&d, "未保存的表", &forms).await?
            }
            None => self.check("未保存的表", &forms).await?,
        };
        // What 提交审核 will also ask for (the sign-off), shown while the user is editing.
        let dossier = jixiao_domain::Dossier::of("", None, "未保存的表", &forms);
        let profile = self.profile.clone();
        findings.extend(
            self.cpu(super::dossier_rows(&forms), move || {
                rules::submission_findings(&dossier, &profile)
            })
            .await?,
        );
        rules::sort_findings(&mut findings);
        Ok(Checked {
            findings,
            totals,
            scores,
        })
    }

    /// Reads a file as `upload` does, without saving: its forms, every parse warning and
    /// the rules' findings. An unreadable file is `status: error` with the reason.
    pub async fn preview(
        &self,
        user: &User,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> ApiResult<Preview> {
        Self::require(user, &[Role::Unit, Role::Admin], "上传文件")?;
        let imported = self.import_file(file_name, bytes).await?;
        let mut findings = imported.findings;
        let unit = first_unit(&imported.forms).to_string();
        if imported.status == ImportStatus::Ok {
            if let (Role::Unit, Some(id)) = (user.role(), user.account.unit_id) {
                let own = self.store.get_unit(id).await?;
                findings.extend(self.unit_warning(&unit, &own.name, &imported.path));
            }
            findings.extend(self.check(&imported.path, &imported.forms).await?);
            rules::sort_findings(&mut findings);
        }
        Ok(Preview {
            unread: unread_cells(&imported.explained),
            unread_omitted: imported.explained.omitted,
            totals: totals(&imported.forms),
            year: imported.forms.iter().find_map(Form::year),
            file: imported.path,
            status: imported.status,
            error: imported.error,
            forms: imported.forms,
            findings,
            unit,
        })
    }

    /// A new dossier from forms (after a preview, or a blank template). A unit user makes
    /// it for their own unit; an admin names the unit (or the forms do). Empty units and
    /// years of the forms are filled in.
    pub async fn create(
        &self,
        user: &User,
        forms: Vec<Form>,
        year: i64,
        unit: Option<&str>,
    ) -> ApiResult<Saved> {
        Self::require(user, &[Role::Unit, Role::Admin], "新建档案")?;
        Self::no_named_unit(user, unit, "新建")?;
        let year = self.budget_year(year)?;
        if forms.is_empty() {
            return Err(ApiError::unprocessable("档案至少要有一张表"));
        }
        let target = self.target_unit(user, unit, first_unit(&forms)).await?;
        // A preview whose year was changed: the forms follow the dossier's year, as a
        // copy's do (titles, 年度, a one-year 项目实施期).
        let mut forms: Vec<Form> = forms
            .into_iter()
            .map(|f| match f.year() {
                Some(y) if y != year => for_year(f, year),
                _ => f,
            })
            .collect();
        for f in &mut forms {
            fill_blank(f, &target.name, year);
        }
        let file = format!("{}{year}年度档案", target.name);
        self.create_from(user, &target, i64::from(year), forms, Vec::new(), &file)
            .await
    }

    /// A new dossier of the same unit for `year`: a deep copy of the source's current
    /// forms with the year set (and 20XX年 in the titles replaced); findings are computed
    /// fresh. Nothing links it to the source.
    pub async fn copy(&self, user: &User, id: i64, year: i64) -> ApiResult<Saved> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Unit, Role::Admin], "复制档案")?;
        let year = self.budget_year(year)?;
        let v = self.store.get_version(id, d.current_version).await?;
        let forms: Vec<Form> = v.forms.into_iter().map(|f| for_year(f, year)).collect();
        let target = self.store.get_unit(d.unit_id).await?;
        let file = format!("{}{year}年度档案", target.name);
        let saved = self
            .create_from(user, &target, i64::from(year), forms, Vec::new(), &file)
            .await?;
        let detail = serde_json::json!({ "from": id, "from_version": d.current_version });
        if let Err(e) = self
            .store
            .append_audit(
                &user.actor(),
                "dossier.copy",
                &format!("dossier:{}", saved.id),
                &detail,
            )
            .await
        {
            tracing::warn!(cause = %e.detail(), "recording the copy's source failed");
        }
        Ok(saved)
    }

    /// The editor's model: the current version of a dossier the caller may edit. An
    /// approved dossier opens in adjustment mode; other states are refused.
    pub async fn editor(&self, user: &User, id: i64) -> ApiResult<EditorModel> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Unit, Role::Admin], "编辑档案")?;
        let adjust = if d.status.editable() {
            false
        } else if d.status == jixiao_domain::review::Status::Approved && d.kind.is_report() {
            return Err(ApiError::unprocessable(
                "报告已审核通过，不能再修改；如需更正，请联系审核人员",
            ));
        } else if d.status == jixiao_domain::review::Status::Approved {
            true
        } else {
            return Err(ApiError::unprocessable(format!(
                "档案当前状态为“{}”，审核期间不能修改；如需修改，请联系审核人员退回",
                d.status.label()
            )));
        };
        let v = self.store.get_version(id, d.current_version).await?;
        let comments = self.store.comments(id).await?;
        let earlier = self.earlier_versions(&d, &comments).await?;
        Ok(EditorModel {
            dossier: DossierSummary::from(&d),
            forms: v.forms,
            adjust,
            comments,
            earlier,
        })
    }

    /// 重新导入: a corrected Word/Excel file read into an existing dossier the caller may
    /// edit. With `preview` nothing is stored (the page shows what would change); otherwise
    /// the file's forms become the next version after `base_version`, exactly as a save
    /// (stale base: 409; the same forms: nothing stored). The importer's notes are kept with
    /// the version, as on upload; a year or unit the forms state otherwise is a finding.
    pub async fn reimport(
        &self,
        user: &User,
        id: i64,
        file_name: &str,
        bytes: Vec<u8>,
        base_version: Option<i64>,
        preview: bool,
    ) -> ApiResult<Reimported> {
        let d = self.visible(user, id).await?;
        Self::require(user, &[Role::Unit, Role::Admin], "导入修改后的文件")?;
        if !d.status.editable() {
            return Err(ApiError::unprocessable(format!(
                "档案当前状态为“{}”，不能导入新版本；{}",
                d.status.label(),
                if d.status == jixiao_domain::review::Status::Approved {
                    "已审核通过的档案请用“申请调整”修改"
                } else {
                    "审核期间不能修改，如需修改请先撤回或联系审核人员退回"
                }
            )));
        }
        let base_version = base_version.unwrap_or(d.current_version);
        let imported = self.import_readable(file_name, bytes).await?;
        let year = u16::try_from(d.year).ok();
        let mut forms = imported.forms;
        for f in &mut forms {
            fill_blank(f, &d.unit_name, year.unwrap_or_default());
        }
        let mut notes = imported.findings;
        notes.extend(self.unit_warning(first_unit(&forms), &d.unit_name, &imported.path));
        if preview {
            self.within_limits(&forms)?;
            let mut findings = notes;
            findings.extend(self.check_stored(&d, &imported.path, &forms).await?);
            rules::sort_findings(&mut findings);
            let same = self.store.get_version(id, base_version).await?.forms == forms;
            return Ok(Reimported {
                file: imported.path,
                base_version,
                same,
                totals: totals(&forms),
                forms,
                findings,
                saved: None,
            });
        }
        let saved = self
            .save_forms(
                user,
                &d,
                forms,
                base_version,
                jixiao_store::SaveKind::Save,
                notes,
                &imported.path,
            )
            .await?;
        Ok(Reimported {
            file: imported.path,
            base_version,
            same: saved.version == base_version,
            totals: Vec::new(),
            forms: Vec::new(),
            findings: Vec::new(),
            saved: Some(saved),
        })
    }

    /// What the "new dossier" page offers the caller.
    pub async fn new_choices(&self, user: &User) -> ApiResult<NewChoices> {
        Self::require(user, &[Role::Unit, Role::Admin], "新建档案")?;
        let params = ListParams {
            limit: Some(MAX_PAGE),
            ..ListParams::default()
        };
        let dossiers = self.list(user, params).await?.items;
        let units = if user.role() == Role::Admin {
            self.units_in_scope(user).await?
        } else {
            Vec::new()
        };
        let own_unit = match user.account.unit_id {
            Some(id) => Some(self.store.get_unit(id).await?),
            None => None,
        };
        Ok(NewChoices {
            dossiers,
            units,
            own_unit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn years_in_titles_are_replaced() {
        assert_eq!(
            retitle("2023年部门整体支出绩效目标表", 2024),
            "2024年部门整体支出绩效目标表"
        );
        assert_eq!(retitle("2022年至2023年项目", 2025), "2025年至2025年项目");
        assert_eq!(retitle("项目支出绩效目标表", 2025), "项目支出绩效目标表");
        assert_eq!(retitle("12023年", 2025), "12023年", "not a year");
        assert_eq!(retitle("2023", 2025), "2023", "no 年");
    }

    #[test]
    fn amounts_are_checked_with_the_field_named() {
        let form = |amount: Value| {
            json!({ "kind": "project", "variant": "project", "title": "", "unit": "", "year": 2024,
                "name": "", "parent": null, "amount": null, "period": "", "period_goal": "",
                "annual_goal": "", "indicators": [],
                "details": [{ "content": "", "item": "", "amount": "1", "basis": "" },
                            { "content": "", "item": "", "amount": amount, "basis": "" }],
                "details_total": null, "signoff": { "head": "", "preparer": "", "phone": "" },
                "sources": {} })
        };
        assert!(forms_from_json(vec![form(json!("12.5"))]).is_ok());
        assert!(forms_from_json(vec![form(json!(null))]).is_ok());
        for bad in [
            json!("12万"),
            json!("-3"),
            json!("1e5"),
            json!(""),
            json!(12.5),
        ] {
            let e = forms_from_json(vec![form(bad.clone())]).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, ApiError::Unprocessable { .. }), "{bad}");
            assert!(
                msg.contains("第1张表") && msg.contains("第2条支出明细的金额"),
                "{msg}"
            );
        }
        let e = forms_from_json(vec![form(json!("123456789012"))]).unwrap_err();
        assert!(e.to_string().contains("过大"), "{e}");
        let e = forms_from_json(vec![form(json!(12.5))]).unwrap_err();
        assert!(e.to_string().contains("带引号"), "{e}");
        let e = forms_from_json(vec![form(json!("12万"))]).unwrap_err();
        assert!(e.to_string().contains("只填写数字"), "{e}");
        let mut bad_year = form(json!("1"));
        bad_year["year"] = json!(70000);
        let e = forms_from_json(vec![bad_year]).unwrap_err();
        assert!(e.to_string().contains("年度应为四位数字"), "{e}");
        let mut bad_kind = form(json!("1"));
        bad_kind["kind"] = json!("budget");
        let e = forms_from_json(vec![bad_kind]).unwrap_err();
        assert!(e.to_string().contains("类型“budget”无法识别"), "{e}");
    }

    #[test]
    fn totals_are_exact() {
        let mut forms = forms_from_json(vec![json!({ "kind": "project", "variant": "project",
            "title": "", "unit": "", "year": 2024, "name": "", "parent": null, "amount": "0.3",
            "period": "", "period_goal": "", "annual_goal": "",
            "indicators": [{ "level1": "产出指标", "level2": "数量指标", "name": "培训",
                "value": { "text": "≥3次", "comparator": null, "number": null, "unit": null },
                "standard": "" }],
            "details": [{ "content": "", "item": "", "amount": "0.1", "basis": "" },
                        { "content": "", "item": "", "amount": "0.2", "basis": "" },
                        { "content": "", "item": "", "amount": null, "basis": "" }],
            "details_total": "0.30", "signoff": { "head": "", "preparer": "", "phone": "" },
            "sources": {} })])
        .unwrap();
        let t = totals(&forms);
        assert_eq!(t[0].details_sum.as_deref(), Some("0.3"), "no float error");
        assert_eq!(t[0].details_total.as_deref(), Some("0.3"));
        assert_eq!(t[0].amount.as_deref(), Some("0.3"));
        assert_eq!(
            (t[0].details, t[0].details_missing, t[0].indicators),
            (3, 1, 1)
        );
        let Form::Project(p) = &mut forms[0] else {
            panic!("a project form")
        };
        assert_eq!(
            p.indicators[0]
                .value
                .number
                .map(|n| n.to_string())
                .as_deref(),
            Some("3")
        );
        assert!(
            p.indicators[0].value.comparator.is_some(),
            "read like a cell"
        );
    }
}
