//! Open data for 预算公开: the forms as JSON (the contract of docs/json.md) and one CSV row
//! per indicator.

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

/// Quote a field when it holds a comma, quote, or line break (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn line(out: &mut String, fields: &[&str]) {
    let f: Vec<String> = fields.iter().map(|s| field(s)).collect();
    out.push_str(&f.join(","));
    out.push_str("\r\n");
}

/// One row per indicator, UTF-8 with a BOM so Excel opens the Chinese text correctly.
pub fn csv(forms: &[Form]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    line(&mut out, &CSV_HEADER);
    for form in forms {
        let year = form.year().map(|y| y.to_string()).unwrap_or_default();
        let (kind, name) = match form {
            Form::Project(p) => (p.variant.label(), p.name.as_str()),
            _ => (form.kind().label(), ""),
        };
        for ind in form.indicators() {
            line(
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
