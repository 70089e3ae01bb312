//! One file in, forms and parse findings out: the importer's public entry point and the
//! JSON contract of `jixiao import` / `jixiao check` (docs/json.md).

use std::path::Path;

use serde::Serialize;

use jixiao_domain::finding::{Finding, Location, Severity};
use jixiao_domain::model::{FiledForm, Form};
use jixiao_domain::Profile;

use crate::error::ImportError;
use crate::limits::Limits;
use crate::recognise::Explained;
use crate::sheet::Sheet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Error,
}

/// The result for one file; `status` is `error` when it could not be read at all.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedFile {
    pub path: String,
    pub status: Status,
    pub error: Option<String>,
    pub forms: Vec<Form>,
    pub findings: Vec<Finding>,
    /// Which cell went into which field and what was left unmapped (`import --explain`, the
    /// upload preview); not part of the JSON contract of `import`/`check`.
    #[serde(skip)]
    pub explained: Explained,
}

impl ImportedFile {
    fn failed(path: &str, e: &ImportError) -> ImportedFile {
        ImportedFile {
            path: path.to_string(),
            status: Status::Error,
            error: Some(e.to_string()),
            forms: vec![],
            findings: vec![],
            explained: Explained::default(),
        }
    }

    /// The forms tagged with their file and position, for grouping into dossiers.
    pub fn filed_forms(&self) -> Vec<FiledForm> {
        self.forms
            .iter()
            .enumerate()
            .map(|(index, form)| FiledForm {
                file: self.path.clone(),
                index,
                form: form.clone(),
            })
            .collect()
    }

    /// [`ImportedFile::filed_forms`] by moving the forms out (a batch check groups a whole
    /// chunk at once; cloning every form would double its memory). Put them back with
    /// [`ImportedFile::return_forms`].
    pub fn take_filed_forms(&mut self) -> Vec<FiledForm> {
        std::mem::take(&mut self.forms)
            .into_iter()
            .enumerate()
            .map(|(index, form)| FiledForm {
                file: self.path.clone(),
                index,
                form,
            })
            .collect()
    }

    /// The forms taken by [`ImportedFile::take_filed_forms`], back in their order.
    pub fn return_forms(&mut self, mut forms: Vec<FiledForm>) {
        forms.sort_by_key(|f| f.index);
        self.forms = forms.into_iter().map(|f| f.form).collect();
    }
}

/// Turn a sheet into forms and parse-warning findings, with the default limits.
pub fn import_sheet(
    path: &str,
    sheet: Result<Sheet, ImportError>,
    profile: &Profile,
) -> ImportedFile {
    import_sheet_with(path, sheet, profile, &Limits::default(), true)
}

/// [`import_sheet`] with the form limits of `limits`: a file whose forms are over them
/// (indicators or rows of a form, forms of the file) is refused with the limit named.
/// With `explain`, the file also gets the explanation of its cells ([`ImportedFile::explained`]).
pub fn import_sheet_with(
    path: &str,
    sheet: Result<Sheet, ImportError>,
    profile: &Profile,
    limits: &Limits,
    explain: bool,
) -> ImportedFile {
    // Control characters and bidi overrides go before anything reads the text.
    let (sheet, cleaned) = match sheet {
        Ok(s) => crate::sanitize::clean_sheet(s),
        Err(e) => return ImportedFile::failed(path, &e),
    };
    let mut rec = crate::recognise::recognise_with(&sheet, profile, explain);
    drop(sheet);
    if let Err(e) = limits.check_forms(&rec.forms) {
        return ImportedFile::failed(path, &ImportError::Oversized(e.to_string()));
    }
    jixiao_domain::scoring::fill_computed(&mut rec.forms, profile);
    if rec.forms.is_empty() {
        return ImportedFile::failed(path, &ImportError::NotAForm);
    }
    let severity = profile.severity("parse-warning", Severity::Warning);
    let mut findings: Vec<Finding> = rec
        .warnings
        .into_iter()
        .map(|(msg, cell, form)| {
            let location = Location {
                file: path.to_string(),
                form,
                form_kind: form.and_then(|i| rec.forms.get(i)).map(Form::kind),
                form_name: form
                    .and_then(|i| rec.forms.get(i))
                    .map(Form::display_name)
                    .unwrap_or_default(),
                field: None,
                cell,
            };
            Finding::new("parse-warning", severity, msg, location)
        })
        .collect();
    findings.extend(cleaned.findings(path, severity));
    findings.sort_by_key(|f| f.location.form.is_some());
    ImportedFile {
        path: path.to_string(),
        status: Status::Ok,
        error: None,
        forms: rec.forms,
        findings,
        explained: rec.explained,
    }
}

/// Import one file from disk, whatever its format.
pub fn import_path(path: &Path, profile: &Profile, limits: &Limits) -> ImportedFile {
    import_path_with(path, profile, limits, true)
}

/// [`import_path`], explaining the cells only with `explain` (a batch check does not).
pub fn import_path_with(
    path: &Path,
    profile: &Profile,
    limits: &Limits,
    explain: bool,
) -> ImportedFile {
    let name = path.display().to_string();
    import_sheet_with(
        &name,
        crate::read::sniff::read_path(path, limits),
        profile,
        limits,
        explain,
    )
}

/// Import one file held in memory (an upload), whatever its format.
pub fn import_bytes(name: &str, bytes: &[u8], profile: &Profile, limits: &Limits) -> ImportedFile {
    import_sheet_with(
        name,
        crate::read::sniff::read_bytes(name, bytes, limits),
        profile,
        limits,
        true,
    )
}
