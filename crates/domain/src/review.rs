//! The review workflow (审核, 财预〔2015〕88号) as a pure state machine.
//!
//! 草稿 → 已提交 → 退回修改 or 审核通过. A review grades the dossier 优/良/中/差 with an
//! opinion on each of 完整性/相关性/适当性/可行性; 优 and 良 approve it, 中 and 差 return it
//! (差 also marks it as not to enter budget arrangement, see [`Grade::blocks_budget`]).
//! An approved dossier is locked: the only way to change it is an adjustment (调整) with a
//! reason, which opens the distinct status 调整中 — distinct from 草稿 so that everyone
//! can see that an approved baseline exists and is being changed — and the adjusted
//! version goes through review again.
//!
//! The store applies these transitions atomically; this module only decides what is
//! allowed, so the CLI, the API and the web UI share one set of rules.

use serde::{Deserialize, Serialize};

/// Where a dossier stands in the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 草稿: being filled in by the unit.
    Draft,
    /// 已提交: waiting for (or under) review; the unit cannot edit it.
    Submitted,
    /// 退回修改: returned to the unit for changes.
    Returned,
    /// 审核通过: approved and locked.
    Approved,
    /// 调整中: an approved dossier being adjusted; editable, then resubmitted.
    Adjusting,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Approved,
        Status::Adjusting,
    ];

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Submitted => "已提交",
            Status::Returned => "退回修改",
            Status::Approved => "审核通过",
            Status::Adjusting => "调整中",
        }
    }

    /// The stable code used in the database and the JSON API.
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Approved => "approved",
            Status::Adjusting => "adjusting",
        }
    }

    /// Accepts the code or the Chinese label.
    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        Status::ALL
            .into_iter()
            .find(|st| st.code() == s || st.label() == s)
    }

    /// Whether the unit may save a new version in this status.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned | Status::Adjusting)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The review grade (审核结果).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Grade {
    #[serde(rename = "优")]
    Excellent,
    #[serde(rename = "良")]
    Good,
    #[serde(rename = "中")]
    Fair,
    #[serde(rename = "差")]
    Poor,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Excellent, Grade::Good, Grade::Fair, Grade::Poor];

    /// The Chinese grade, which is also its stored form.
    pub fn label(self) -> &'static str {
        match self {
            Grade::Excellent => "优",
            Grade::Good => "良",
            Grade::Fair => "中",
            Grade::Poor => "差",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        let s = s.trim();
        Grade::ALL.into_iter().find(|g| g.label() == s)
    }

    /// 优 and 良 approve the dossier; 中 and 差 send it back.
    pub fn approves(self) -> bool {
        matches!(self, Grade::Excellent | Grade::Good)
    }

    /// 差: the target may not enter budget arrangement (88号).
    pub fn blocks_budget(self) -> bool {
        self == Grade::Poor
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The reviewer's opinion on each of the four criteria of the 88号 审核表.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Opinions {
    /// 完整性
    #[serde(default)]
    pub completeness: String,
    /// 相关性
    #[serde(default)]
    pub relevance: String,
    /// 适当性
    #[serde(default)]
    pub appropriateness: String,
    /// 可行性
    #[serde(default)]
    pub feasibility: String,
}

impl Opinions {
    /// (Chinese criterion, opinion) in the order of the 审核表.
    pub fn entries(&self) -> [(&'static str, &str); 4] {
        [
            ("完整性", &self.completeness),
            ("相关性", &self.relevance),
            ("适当性", &self.appropriateness),
            ("可行性", &self.feasibility),
        ]
    }

    /// The criteria left without an opinion.
    pub fn missing(&self) -> Vec<&'static str> {
        self.entries()
            .into_iter()
            .filter(|(_, v)| v.trim().is_empty())
            .map(|(k, _)| k)
            .collect()
    }
}

/// What someone asks to do with a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 提交审核 (unit).
    Submit,
    /// 退回修改 without a grade (reviewer); the opinions say why.
    Return {
        #[serde(default)]
        opinions: Opinions,
    },
    /// 审核 with a grade and an opinion on every criterion (reviewer).
    Approve { grade: Grade, opinions: Opinions },
    /// 审核通过 a report (绩效运行监控, 绩效自评): approved whatever the grade, which records
    /// the evaluation's result (a 差 self-evaluation is a valid result, not a rejection).
    Accept {
        #[serde(default)]
        grade: Option<Grade>,
        #[serde(default)]
        opinions: Opinions,
    },
    /// 调整 an approved dossier (unit), with a reason.
    Adjust { reason: String },
    /// 撤回 a submission the reviewer has not decided on (unit): back to 草稿.
    Withdraw,
}

impl Action {
    /// The Chinese verb for messages.
    pub fn label(&self) -> &'static str {
        match self {
            Action::Submit => "提交",
            Action::Return { .. } => "退回",
            Action::Approve { .. } | Action::Accept { .. } => "审核",
            Action::Adjust { .. } => "调整",
            Action::Withdraw => "撤回",
        }
    }
}

/// Why a transition is refused. The messages are shown to users.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("档案已审核通过并锁定，如需修改请发起调整并说明原因")]
    Locked,
    #[error("档案已提交审核，审核结束前不能修改或重复提交")]
    UnderReview,
    #[error("档案处于“{0}”状态，只有已提交的档案才能审核或退回")]
    NotSubmitted(Status),
    #[error("只有审核通过的档案才需要调整，当前状态为“{0}”，可直接修改")]
    NotApproved(Status),
    #[error("调整必须说明原因")]
    EmptyReason,
    #[error("审核意见不完整，请填写：{}", .0.join("、"))]
    MissingOpinions(Vec<&'static str>),
}

/// The status after `action`, or why it is not allowed from `status`.
pub fn apply(status: Status, action: &Action) -> Result<Status, ReviewError> {
    match action {
        Action::Submit => match status {
            Status::Draft | Status::Returned | Status::Adjusting => Ok(Status::Submitted),
            Status::Submitted => Err(ReviewError::UnderReview),
            Status::Approved => Err(ReviewError::Locked),
        },
        Action::Return { .. } => match status {
            Status::Submitted => Ok(Status::Returned),
            other => Err(ReviewError::NotSubmitted(other)),
        },
        Action::Approve { grade, opinions } => {
            if status != Status::Submitted {
                return Err(ReviewError::NotSubmitted(status));
            }
            let missing = opinions.missing();
            if !missing.is_empty() {
                return Err(ReviewError::MissingOpinions(missing));
            }
            Ok(if grade.approves() {
                Status::Approved
            } else {
                Status::Returned
            })
        }
        Action::Accept { .. } => {
            if status != Status::Submitted {
                return Err(ReviewError::NotSubmitted(status));
            }
            Ok(Status::Approved)
        }
        Action::Withdraw => match status {
            Status::Submitted => Ok(Status::Draft),
            other => Err(ReviewError::NotSubmitted(other)),
        },
        Action::Adjust { reason } => {
            if status != Status::Approved {
                return Err(ReviewError::NotApproved(status));
            }
            if reason.trim().is_empty() {
                return Err(ReviewError::EmptyReason);
            }
            Ok(Status::Adjusting)
        }
    }
}

/// Whether a plain save (a new version that is not an adjustment) is allowed.
pub fn check_edit(status: Status) -> Result<(), ReviewError> {
    match status {
        Status::Draft | Status::Returned | Status::Adjusting => Ok(()),
        Status::Submitted => Err(ReviewError::UnderReview),
        Status::Approved => Err(ReviewError::Locked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Opinions {
        Opinions {
            completeness: "要素齐全".into(),
            relevance: "与职能相符".into(),
            appropriateness: "与资金匹配".into(),
            feasibility: "措施可行".into(),
        }
    }

    fn approve(grade: Grade) -> Action {
        Action::Approve {
            grade,
            opinions: full(),
        }
    }

    fn ret() -> Action {
        Action::Return {
            opinions: Opinions::default(),
        }
    }

    fn adjust(reason: &str) -> Action {
        Action::Adjust {
            reason: reason.into(),
        }
    }

    #[test]
    fn submit_from_every_editable_status() {
        for s in [Status::Draft, Status::Returned, Status::Adjusting] {
            assert_eq!(apply(s, &Action::Submit), Ok(Status::Submitted), "{s}");
        }
    }

    #[test]
    fn submit_refused_while_under_review_or_approved() {
        let e = apply(Status::Submitted, &Action::Submit).unwrap_err();
        assert_eq!(e, ReviewError::UnderReview);
        assert!(e.to_string().contains("已提交审核"));
        let e = apply(Status::Approved, &Action::Submit).unwrap_err();
        assert_eq!(e, ReviewError::Locked);
        assert!(e.to_string().contains("锁定"));
    }

    #[test]
    fn return_only_from_submitted() {
        assert_eq!(apply(Status::Submitted, &ret()), Ok(Status::Returned));
        for s in [
            Status::Draft,
            Status::Returned,
            Status::Approved,
            Status::Adjusting,
        ] {
            let e = apply(s, &ret()).unwrap_err();
            assert_eq!(e, ReviewError::NotSubmitted(s));
            assert!(e.to_string().contains(s.label()), "{e}");
        }
    }

    #[test]
    fn grades_decide_the_outcome() {
        assert_eq!(
            apply(Status::Submitted, &approve(Grade::Excellent)),
            Ok(Status::Approved)
        );
        assert_eq!(
            apply(Status::Submitted, &approve(Grade::Good)),
            Ok(Status::Approved)
        );
        assert_eq!(
            apply(Status::Submitted, &approve(Grade::Fair)),
            Ok(Status::Returned)
        );
        assert_eq!(
            apply(Status::Submitted, &approve(Grade::Poor)),
            Ok(Status::Returned)
        );
        assert!(Grade::Poor.blocks_budget());
        assert!(Grade::ALL
            .iter()
            .filter(|g| **g != Grade::Poor)
            .all(|g| !g.blocks_budget()));
    }

    #[test]
    fn approve_refused_unless_submitted() {
        for s in [
            Status::Draft,
            Status::Returned,
            Status::Approved,
            Status::Adjusting,
        ] {
            assert_eq!(
                apply(s, &approve(Grade::Excellent)),
                Err(ReviewError::NotSubmitted(s))
            );
        }
    }

    #[test]
    fn approve_needs_every_opinion() {
        let mut o = full();
        o.relevance.clear();
        o.feasibility = "  ".into();
        let e = apply(
            Status::Submitted,
            &Action::Approve {
                grade: Grade::Good,
                opinions: o,
            },
        )
        .unwrap_err();
        assert_eq!(e, ReviewError::MissingOpinions(vec!["相关性", "可行性"]));
        assert_eq!(e.to_string(), "审核意见不完整，请填写：相关性、可行性");
    }

    #[test]
    fn adjust_only_approved_and_with_a_reason() {
        assert_eq!(
            apply(Status::Approved, &adjust("年中预算调整，项目资金压减")),
            Ok(Status::Adjusting)
        );
        let e = apply(Status::Approved, &adjust("  ")).unwrap_err();
        assert_eq!(e, ReviewError::EmptyReason);
        assert_eq!(e.to_string(), "调整必须说明原因");
        for s in [
            Status::Draft,
            Status::Submitted,
            Status::Returned,
            Status::Adjusting,
        ] {
            let e = apply(s, &adjust("原因")).unwrap_err();
            assert_eq!(e, ReviewError::NotApproved(s));
            assert!(e.to_string().contains("只有审核通过的档案才需要调整"));
        }
    }

    #[test]
    fn editing_rules() {
        assert!(check_edit(Status::Draft).is_ok());
        assert!(check_edit(Status::Returned).is_ok());
        assert!(check_edit(Status::Adjusting).is_ok());
        assert_eq!(check_edit(Status::Submitted), Err(ReviewError::UnderReview));
        assert_eq!(check_edit(Status::Approved), Err(ReviewError::Locked));
        for s in Status::ALL {
            assert_eq!(s.editable(), check_edit(s).is_ok());
        }
    }

    #[test]
    fn the_full_cycle() {
        let mut s = Status::Draft;
        for (action, want) in [
            (Action::Submit, Status::Submitted),
            (approve(Grade::Fair), Status::Returned),
            (Action::Submit, Status::Submitted),
            (ret(), Status::Returned),
            (Action::Submit, Status::Submitted),
            (approve(Grade::Excellent), Status::Approved),
            (adjust("指标值调整"), Status::Adjusting),
            (Action::Submit, Status::Submitted),
            (approve(Grade::Good), Status::Approved),
        ] {
            s = apply(s, &action).unwrap();
            assert_eq!(s, want);
        }
    }

    #[test]
    fn codes_and_labels_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
            assert_eq!(Status::parse(s.label()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for g in Grade::ALL {
            assert_eq!(Grade::parse(g.label()), Some(g));
            assert_eq!(serde_json::to_value(g).unwrap(), g.label());
        }
        assert_eq!(Status::parse("unknown"), None);
        let a: Action = serde_json::from_str(
            r#"{"action":"approve","grade":"良","opinions":{"completeness":"a","relevance":"b","appropriateness":"c","feasibility":"d"}}"#,
        )
        .unwrap();
        assert!(matches!(
            a,
            Action::Approve {
                grade: Grade::Good,
                ..
            }
        ));
    }
}
