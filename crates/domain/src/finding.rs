//! Findings: what a rule or the importer reports, as data.

use serde::{Deserialize, Serialize};

use crate::model::{FormKind, Origin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// As serialised (`error`, `warning`, `info`).
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// Where a finding points: file, form, field path and the cell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Location {
    pub file: String,
    /// Index of the form in its file (0-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form_kind: Option<FormKind>,
    /// The form's display name (kind and project name).
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub form_name: String,
    /// Field path inside the form, e.g. `indicators[7].value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The cell the field was read from, with its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<Origin>,
}

impl Location {
    /// Chinese one-line description: `项目（支出方向）绩效目标表《…》 indicators[3].value（第2张表第5行第4列）`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if !self.form_name.is_empty() {
            s.push_str(&self.form_name);
        }
        if let Some(f) = &self.field {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&crate::rules::field_label(f));
        }
        if let Some(c) = &self.cell {
            s.push('（');
            s.push_str(&c.describe());
            s.push('）');
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// A stable id from docs/rules.md.
    pub rule: String,
    pub severity: Severity,
    /// Chinese: what is wrong and how to fix it.
    pub message: String,
    pub location: Location,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl Finding {
    pub fn new(
        rule: &str,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            location,
            expected: None,
            actual: None,
        }
    }

    pub fn with_values(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// The finding with only the offending text (`actual`) recorded.
    pub fn with_actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }
}
