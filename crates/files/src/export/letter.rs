//! 审核意见书: the review of a dossier as an official letter (the grade, the four opinions,
//! the findings and the reviewer's remarks), laid out in the one table model so the .docx
//! writer and the print view (and its PDF) draw it like the forms.

use super::table::{CellKind, OutCell, Table};

/// What the letter says; every text already in the users' words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewLetter {
    pub unit: String,
    pub year: i64,
    /// The version reviewed.
    pub version: i64,
    /// 审核通过 or 退回修改.
    pub decision: String,
    /// 优/良/中/差, when the review gave one.
    pub grade: Option<String>,
    /// (完整性/相关性/适当性/可行性, the opinion).
    pub opinions: Vec<(String, String)>,
    /// One line per finding of the reviewed version (`错误：… （表名 位置）`).
    pub findings: Vec<String>,
    /// One line per remark of the reviewer on that version.
    pub comments: Vec<String>,
    pub reviewer: String,
    /// The review date, `2026年12月5日`.
    pub date: String,
}

fn cell(text: &str, kind: CellKind, cols: usize) -> OutCell {
    OutCell {
        text: text.to_string(),
        colspan: cols,
        rowspan: 1,
        kind,
        field: None,
    }
}

/// A numbered list in one cell, or 无.
fn listed(lines: &[String]) -> String {
    if lines.is_empty() {
        return "无".into();
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}. {l}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The letter as a table: a label column and a value spanning the rest.
pub fn table(l: &ReviewLetter) -> Table {
    let row = |label: &str, value: &str| {
        vec![
            cell(label, CellKind::Label, 1),
            cell(value, CellKind::Value, 3),
        ]
    };
    let mut rows = vec![
        row("预算单位", &l.unit),
        row("年度", &format!("{}年度（第{}版）", l.year, l.version)),
        row("审核结论", &l.decision),
        row("审核等级", l.grade.as_deref().unwrap_or("未评定")),
    ];
    for (label, text) in &l.opinions {
        rows.push(row(
            &format!("{label}审核意见"),
            if text.trim().is_empty() { "无" } else { text },
        ));
    }
    rows.push(row("审核发现的问题", &listed(&l.findings)));
    rows.push(row("审核人员的意见", &listed(&l.comments)));
    Table {
        preamble: Vec::new(),
        title: "预算绩效目标审核意见书".into(),
        subtitles: vec![format!("填报单位（盖章）：{}", l.unit)],
        width: 4,
        rows,
        footer: vec![
            format!("审核人员：{}", l.reviewer),
            format!("审核日期：{}", l.date),
            "审核单位（盖章）：".into(),
        ],
    }
}

/// The letter as .docx.
pub fn docx(l: &ReviewLetter) -> Result<Vec<u8>, String> {
    super::docx::write(&[table(l)]).map_err(|e| format!("生成审核意见书失败：{e}"))
}

/// The letter's print view (the PDF is printed from it).
pub fn html(l: &ReviewLetter) -> String {
    super::html::document(
        &[table(l)],
        &format!("{}{}年度预算绩效目标审核意见书", l.unit, l.year),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> ReviewLetter {
        ReviewLetter {
            unit: "株洲市石峰区委统战部".into(),
            year: 2023,
            version: 2,
            decision: "审核通过".into(),
            grade: Some("良".into()),
            opinions: vec![
                ("完整性".into(), "要素齐全".into()),
                ("相关性".into(), String::new()),
            ],
            findings: vec!["警告：指标值未量化（项目支出绩效目标表 第3行）".into()],
            comments: vec![],
            reviewer: "李审核".into(),
            date: "2026年12月5日".into(),
        }
    }

    #[test]
    fn every_part_of_the_review_is_in_the_letter() {
        let t = table(&letter());
        let text: Vec<String> = t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(text[0], "预算单位|株洲市石峰区委统战部");
        assert!(text.contains(&"审核等级|良".to_string()));
        assert!(text.contains(&"完整性审核意见|要素齐全".to_string()));
        assert!(text.contains(&"相关性审核意见|无".to_string()));
        assert!(text.contains(
            &"审核发现的问题|1. 警告：指标值未量化（项目支出绩效目标表 第3行）".to_string()
        ));
        assert!(text.contains(&"审核人员的意见|无".to_string()));
        assert!(t.footer.iter().any(|f| f.contains("李审核")));
        assert!(html(&letter()).contains("预算绩效目标审核意见书"));
        let bytes = docx(&letter()).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
