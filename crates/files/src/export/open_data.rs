//! Open data for 预算公开: the forms as JSON (the contract of docs/json.md) and one CSV row
//! per indicator.

use std::borrow::Cow;

use jixiao_domain::model::Form;

/// `{"forms": [...]}` with every form exactly as `jixiao import --format json` prints it.
pub fn json(forms: &[Form]) -> serde_json::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(&serde_json::json!({ "forms": forms }))?;
    out.push(b'\n');
    Ok(out)
}

/// The CSV header, in Chinese because the readers are finance staff and Excel users.
pub const CSV_HEADER: [&str; 9] = [
    "单位",
    "年度",
    "表",
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "绩效标准",
];

/// A plain number as a spreadsheet reads one: an optional sign, digits, optional
/// decimals, an optional `%` (`-5`, `+3`, `12.5`, `-3.5%`).
fn plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let body = body.strip_suffix('%').unwrap_or(body);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

/// A text a spreadsheet would run as a formula or a DDE command when the CSV is opened
/// (`=`, `+`, `-`, `@`, or a tab or carriage return Excel skips before one) gets a
/// leading `'` and stays text. Plain numbers are not formulas and are written as they are
/// (a negative amount stays a number), and so is a run of dashes (a 无 placeholder).
fn neutral(s: &str) -> Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && !plain_number(s)
        && !s.chars().all(|c| c == '-');
    if risky {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Neutralise a formula, then quote a field when it holds a comma, quote, or line break
/// (RFC 4180).
fn field(s: &str) -> String {
    let s = neutral(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// One CSV line (RFC 4180, formulas neutralised), CRLF-terminated.
pub fn csv_line(out: &mut String, fields: &[&str]) {
    let f: Vec<String> = fields.iter().map(|s| field(s)).collect();
    out.push_str(&f.join(","));
    out.push_str("\r\n");
}

/// One row per indicator, UTF-8 with a BOM so Excel opens the Chinese text correctly.
pub fn csv(forms: &[Form]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    csv_line(&mut out, &CSV_HEADER);
    for form in forms {
        let year = form.year().map(|y| y.to_string()).unwrap_or_default();
        let (kind, name) = match form {
            Form::Project(p) => (p.variant.label(), p.name.as_str()),
            _ => (form.kind().label(), ""),
        };
        for ind in form.indicators() {
            csv_line(
                &mut out,
                &[
                    form.unit(),
                    &year,
                    kind,
                    name,
                    &ind.level1,
                    &ind.level2,
                    &ind.name,
                    &ind.value.text,
                    &ind.standard,
                ],
            );
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("+1+1", "'+1+1"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
            ("-5", "-5"),
            ("+5", "+5"),
            ("-3.5%", "-3.5%"),
            ("12.5", "12.5"),
            ("-", "-"),
            ("--", "--"),
            ("-5万元", "'-5万元"),
            ("≥95%", "≥95%"),
            ("a,b", "\"a,b\""),
        ] {
            assert_eq!(field(cell), out, "{cell:?}");
        }
    }
}
