//! Human-readable reports: the Chinese terminal report and the Excel review sheet (审核意见表).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use jixiao_domain::calc::{CalcReport, Verdict};
use jixiao_domain::finding::{Finding, Severity};
use jixiao_domain::model::Form;
use jixiao_files::import::{ImportedFile, Status};

use crate::batch::Summary;

fn form_heading(form: &Form) -> String {
    let year = form.year().map(|y| format!("{y}年 ")).unwrap_or_default();
    let unit = if form.unit().is_empty() {
        "（未识别单位）"
    } else {
        form.unit()
    };
    format!("{}{} — {}", year, form.display_name(), unit)
}

fn money(m: &Option<jixiao_domain::Money>) -> String {
    m.map(|m| format!("{}万元", m.wan_string()))
        .unwrap_or_else(|| "—".into())
}

/// `jixiao import` text: what was read from each file.
pub fn write_import(out: &mut dyn Write, f: &ImportedFile) -> std::io::Result<()> {
    writeln!(out, "文件：{}", f.path)?;
    if f.status == Status::Error {
        writeln!(out, "  无法导入：{}", f.error.as_deref().unwrap_or(""))?;
        return Ok(());
    }
    for form in &f.forms {
        writeln!(out, "  ■ {}", form_heading(form))?;
        match form {
            Form::DepartmentOverall(d) => {
                writeln!(
                    out,
                    "    资金总额 {}；一般公共预算 {}，政府性基金 {}，其他 {}；基本支出 {}，项目支出 {}",
                    money(&d.budget.total),
                    money(&d.budget.by_source.general_public),
                    money(&d.budget.by_source.government_fund),
                    money(&d.budget.by_source.other),
                    money(&d.budget.by_nature.basic),
                    money(&d.budget.by_nature.project)
                )?;
                writeln!(
                    out,
                    "    重点工作 {} 项，绩效指标 {} 条",
                    d.key_tasks.len(),
                    d.indicators.len()
                )?;
            }
            Form::SpecialFundSummary(s) => {
                writeln!(out, "    合计 {}", money(&s.total))?;
                for it in &s.items {
                    writeln!(out, "    {} {} {}", it.seq, it.name, money(&it.amount))?;
                    for c in &it.children {
                        writeln!(out, "      {} {} {}", c.seq, c.name, money(&c.amount))?;
                    }
                }
            }
            Form::Project(p) => {
                writeln!(
                    out,
                    "    项目金额 {}，实施期 {}",
                    money(&p.amount),
                    if p.period.is_empty() {
                        "—"
                    } else {
                        &p.period
                    }
                )?;
                writeln!(
                    out,
                    "    绩效指标 {} 条，支出明细 {} 条，明细合计 {}",
                    p.indicators.len(),
                    p.details.len(),
                    money(&p.details_total)
                )?;
            }
            Form::SelfEvaluation(e) => {
                let t = &e.money.total;
                writeln!(
                    out,
                    "    全年预算数 {}，全年执行数 {}，执行率 {}",
                    money(&t.annual),
                    money(&t.executed),
                    t.rate.map_or("—".into(), |r| format!("{r}%"))
                )?;
                writeln!(
                    out,
                    "    总分 {}（计算 {}），自评等级 {}（计算 {}）",
                    e.total_score.map_or("—".into(), |d| d.to_string()),
                    e.computed_total.map_or("—".into(), |d| d.to_string()),
                    e.grade.as_deref().unwrap_or("—"),
                    e.computed_grade.as_deref().unwrap_or("—")
                )?;
                for i in &e.indicators {
                    writeln!(
                        out,
                        "      {} / {} / {}：目标 {}，完成 {}，分值 {}，得分 {}",
                        i.level1,
                        i.level2,
                        i.name,
                        i.target.text,
                        i.actual.text,
                        i.weight.map_or("—".into(), |d| d.to_string()),
                        i.score.map_or("—".into(), |d| d.to_string())
                    )?;
                }
            }
            Form::Monitoring(m) => {
                writeln!(
                    out,
                    "    年初预算数 {}，执行数 {}，全年预计执行数 {}",
                    money(&m.money.annual),
                    money(&m.money.executed),
                    money(&m.money.forecast)
                )?;
                for i in &m.indicators {
                    writeln!(
                        out,
                        "      {} / {} / {}：目标 {}，进度 {}，{}",
                        i.level1,
                        i.level2,
                        i.name,
                        i.target.text,
                        i.progress.text,
                        i.possibility.map_or("—", |p| p.label())
                    )?;
                }
            }
        }
        for i in form.indicators() {
            writeln!(
                out,
                "      {} / {} / {}：{}",
                i.level1, i.level2, i.name, i.value.text
            )?;
        }
    }
    for x in &f.findings {
        writeln!(out, "  提示：{}", x.message)?;
    }
    Ok(())
}

/// `jixiao import --explain` JSON: the forms read and the explanation, per file.
#[derive(serde::Serialize)]
pub struct ExplainJson<'a> {
    path: &'a str,
    status: Status,
    error: Option<&'a str>,
    explained: &'a jixiao_files::recognise::Explained,
}

impl<'a> ExplainJson<'a> {
    pub fn new(f: &'a ImportedFile) -> Self {
        ExplainJson {
            path: &f.path,
            status: f.status,
            error: f.error.as_deref(),
            explained: &f.explained,
        }
    }
}

fn cell_place(c: &jixiao_files::recognise::ExplainedCell) -> String {
    c.cell.as_ref().map(|o| o.describe()).unwrap_or_default()
}

/// `jixiao import --explain` text: for each form, which cell went into which field, then
/// every cell left unmapped with the reason.
pub fn write_explain(out: &mut dyn Write, f: &ImportedFile) -> std::io::Result<()> {
    writeln!(out, "文件：{}", f.path)?;
    if f.status == Status::Error {
        writeln!(out, "  无法导入：{}", f.error.as_deref().unwrap_or(""))?;
        return Ok(());
    }
    let e = &f.explained;
    for form in &e.forms {
        writeln!(out, "  ■ 第{}张表 {}", form.form + 1, form.name)?;
        writeln!(out, "    读入的字段：")?;
        for c in &form.mapped {
            writeln!(
                out,
                "      {} → {}（{}）  {}",
                cell_place(c),
                c.note,
                c.field.as_deref().unwrap_or(""),
                one_line(&c.text)
            )?;
        }
        if form.unmapped.is_empty() {
            writeln!(out, "    未识别的内容：无")?;
        } else {
            writeln!(out, "    未识别的内容：")?;
            for c in &form.unmapped {
                writeln!(
                    out,
                    "      {} “{}”：{}",
                    cell_place(c),
                    one_line(&c.text),
                    c.note
                )?;
            }
        }
    }
    if !e.outside.is_empty() {
        writeln!(out, "  表外内容（{} 处）：", e.outside.len())?;
        for c in &e.outside {
            writeln!(
                out,
                "      {} “{}”：{}",
                cell_place(c),
                one_line(&c.text),
                c.note
            )?;
        }
    }
    if e.omitted > 0 {
        writeln!(out, "  另有 {} 处内容未列出（列表过长）", e.omitted)?;
    }
    for x in &f.findings {
        writeln!(out, "  提示：{}", x.message)?;
    }
    Ok(())
}

/// A cell's text on one line, cut to 60 characters.
fn one_line(t: &str) -> String {
    let flat: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 60 {
        format!("{}…", flat.chars().take(60).collect::<String>())
    } else {
        flat
    }
}

/// `jixiao check` text: findings grouped by file and form.
pub fn write_check(out: &mut dyn Write, f: &ImportedFile) -> std::io::Result<()> {
    writeln!(out, "文件：{}", f.path)?;
    if f.status == Status::Error {
        writeln!(out, "  无法导入：{}", f.error.as_deref().unwrap_or(""))?;
        return Ok(());
    }
    let mut by_form: BTreeMap<Option<usize>, Vec<&Finding>> = BTreeMap::new();
    for x in &f.findings {
        by_form.entry(x.location.form).or_default().push(x);
    }
    for (idx, form) in f.forms.iter().enumerate() {
        let list = by_form.remove(&Some(idx)).unwrap_or_default();
        let errors = list
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .count();
        writeln!(
            out,
            "  ■ {}（{} 条意见，其中错误 {} 条）",
            form_heading(form),
            list.len(),
            errors
        )?;
        for x in list {
            write_finding(out, x)?;
        }
    }
    for (_, list) in by_form {
        for x in list {
            write_finding(out, x)?;
        }
    }
    Ok(())
}

fn write_finding(out: &mut dyn Write, x: &Finding) -> std::io::Result<()> {
    writeln!(out, "    [{}] {} {}", x.severity.label(), x.rule, x.message)?;
    let loc = x.location.describe();
    if !loc.is_empty() {
        writeln!(out, "        位置：{loc}")?;
    }
    if let (Some(e), Some(a)) = (&x.expected, &x.actual) {
        writeln!(out, "        应为：{e}；实为：{a}")?;
    }
    Ok(())
}

pub fn write_summary(out: &mut dyn Write, s: &Summary, check: bool) -> std::io::Result<()> {
    writeln!(out, "——")?;
    write!(
        out,
        "共 {} 个文件：成功 {}，无法导入 {}；识别出 {} 张表",
        s.files, s.files_ok, s.files_error, s.forms
    )?;
    if check {
        write!(
            out,
            "；审核意见 {} 条（错误 {}，警告 {}，提示 {}）",
            s.findings, s.errors, s.warnings, s.infos
        )?;
    }
    writeln!(out)
}

pub fn write_calc(out: &mut dyn Write, r: &CalcReport) -> std::io::Result<()> {
    let verdict = match r.verdict {
        Verdict::Consistent => "一致：算式与金额核对无误",
        Verdict::Inconsistent => "不一致：以下算式有误",
        Verdict::Unverifiable if r.over_limit => "无法核对：文字过长或层次过深，未核验",
        Verdict::Unverifiable if !r.unchecked_totals.is_empty() => {
            "无法核对：文中所写的合计无法与分项逐一核对"
        }
        Verdict::Unverifiable => "无法核对：文字中没有可验算的算式",
    };
    writeln!(out, "{verdict}")?;
    for e in &r.equations {
        let mark = if e.holds { "✓" } else { "✗" };
        writeln!(
            out,
            "  {mark} {}：计算得 {}，文中写 {}",
            e.text, e.computed, e.stated
        )?;
    }
    for t in &r.unchecked_totals {
        writeln!(out, "  ? {t}：未能核对")?;
    }
    Ok(())
}

/// The Excel review sheet: one row per finding, and a summary per unit.
pub struct XlsxReport {
    rows: Vec<[String; 9]>,
    units: BTreeMap<(String, String), [usize; 4]>,
}

impl XlsxReport {
    pub fn new() -> Self {
        XlsxReport {
            rows: Vec::new(),
            units: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, f: &ImportedFile) {
        if let Some(e) = &f.error {
            self.rows.push([
                f.path.clone(),
                String::new(),
                String::new(),
                "import-error".into(),
                "错误".into(),
                e.clone(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for form in &f.forms {
            let key = (
                form.unit().to_string(),
                form.year().map(|y| y.to_string()).unwrap_or_default(),
            );
            self.units.entry(key).or_default()[0] += 1;
        }
        for x in &f.findings {
            let form = x.location.form.and_then(|i| f.forms.get(i));
            if let Some(form) = form {
                let key = (
                    form.unit().to_string(),
                    form.year().map(|y| y.to_string()).unwrap_or_default(),
                );
                let e = self.units.entry(key).or_default();
                match x.severity {
                    Severity::Error => e[1] += 1,
                    Severity::Warning => e[2] += 1,
                    Severity::Info => e[3] += 1,
                }
            }
            self.rows.push([
                f.path.clone(),
                x.location.form_name.clone(),
                x.location
                    .cell
                    .as_ref()
                    .map(|c| c.describe())
                    .unwrap_or_default(),
                x.rule.clone(),
                x.severity.label().to_string(),
                x.message.clone(),
                x.expected.clone().unwrap_or_default(),
                x.actual.clone().unwrap_or_default(),
                x.location
                    .field
                    .as_deref()
                    .map(jixiao_domain::rules::field_label)
                    .unwrap_or_default(),
            ]);
        }
    }

    pub fn save(self, path: &Path, summary: &Summary) -> anyhow::Result<()> {
        let mut wb = Workbook::new();
        let head = Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_background_color("#DDEBF7");
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let ws = wb.add_worksheet().set_name("审核意见表")?;
        let headers = [
            "文件",
            "表",
            "位置",
            "规则",
            "严重程度",
            "问题说明",
            "应为",
            "实为",
            "栏目",
        ];
        let widths = [28.0, 30.0, 18.0, 20.0, 8.0, 60.0, 16.0, 16.0, 22.0];
        for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
            ws.write_with_format(0, c as u16, *h, &head)?;
            ws.set_column_width(c as u16, w)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_with_format(r as u32 + 1, c as u16, v.as_str(), &cell)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let ws = wb.add_worksheet().set_name("按单位汇总")?;
        for (c, h) in ["单位", "年度", "表数", "错误", "警告", "提示"]
            .iter()
            .enumerate()
        {
            ws.write_with_format(0, c as u16, *h, &head)?;
        }
        ws.set_column_width(0, 40.0)?;
        for (r, ((unit, year), n)) in self.units.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_with_format(
                r,
                0,
                if unit.is_empty() {
                    "（未识别单位）"
                } else {
                    unit.as_str()
                },
                &cell,
            )?;
            ws.write_with_format(r, 1, year.as_str(), &cell)?;
            for (k, v) in n.iter().enumerate() {
                ws.write_with_format(r, 2 + k as u16, *v as u32, &cell)?;
            }
        }
        let last = self.units.len() as u32 + 2;
        ws.write(
            last,
            0,
            format!(
                "共 {} 个文件，无法导入 {} 个；意见 {} 条",
                summary.files, summary.files_error, summary.findings
            ),
        )?;
        wb.save(path)
            .with_context(|| format!("无法写入 {}", path.display()))?;
        Ok(())
    }
}
