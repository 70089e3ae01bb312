//! Open data of everything published in a year (预算公开): three CSV tables — the forms
//! (targets), their indicators and their 支出明细 (details) — each row keyed by the
//! dossier and the form, a JSON file of the forms, and a `datapackage.json` describing
//! them as a Frictionless tabular data package with a Fiscal Data Package model (amounts
//! in 万元: currency CNY, factor 10,000). Column names are ASCII (the schemas' `name`),
//! with Chinese `title`s.

use jixiao_domain::model::Form;
use serde_json::{json, Value};

use super::open_data::csv_line;

/// One published dossier's forms, with what identifies them.
pub struct PublishedForms<'a> {
    pub dossier_id: i64,
    pub unit: &'a str,
    pub parent: &'a str,
    pub year: i64,
    pub forms: &'a [Form],
}

/// (name, type, title) of each column of a table.
type Columns = &'static [(&'static str, &'static str, &'static str)];

const TARGETS: Columns = &[
    ("dossier_id", "integer", "档案编号"),
    ("form", "integer", "表序号"),
    ("unit", "string", "单位"),
    ("parent", "string", "主管部门"),
    ("year", "integer", "年度"),
    ("kind", "string", "表"),
    ("name", "string", "项目名称"),
    ("amount", "number", "金额（万元）"),
    ("annual_goal", "string", "年度绩效目标"),
];

const INDICATORS: Columns = &[
    ("dossier_id", "integer", "档案编号"),
    ("form", "integer", "表序号"),
    ("unit", "string", "单位"),
    ("year", "integer", "年度"),
    ("level1", "string", "一级指标"),
    ("level2", "string", "二级指标"),
    ("name", "string", "三级指标"),
    ("value", "string", "指标值"),
    ("standard", "string", "绩效标准"),
];

const DETAILS: Columns = &[
    ("dossier_id", "integer", "档案编号"),
    ("form", "integer", "表序号"),
    ("unit", "string", "单位"),
    ("year", "integer", "年度"),
    ("project", "string", "项目名称"),
    ("item", "string", "支出明细"),
    ("content", "string", "支出内容"),
    ("amount", "number", "金额（万元）"),
    ("basis", "string", "测算依据"),
];

/// The resources of a year's package: (file, title, columns).
pub const RESOURCES: &[(&str, &str, Columns)] = &[
    ("targets.csv", "绩效目标表", TARGETS),
    ("indicators.csv", "绩效指标", INDICATORS),
    ("details.csv", "支出明细", DETAILS),
];

fn table(columns: Columns, rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut out = String::new();
    let head: Vec<&str> = columns.iter().map(|c| c.0).collect();
    csv_line(&mut out, &head);
    for r in rows {
        let r: Vec<&str> = r.iter().map(String::as_str).collect();
        csv_line(&mut out, &r);
    }
    out.into_bytes()
}

/// The CSV file `name` (one of [`RESOURCES`]) of the dossiers; `None` for another name.
pub fn csv(name: &str, dossiers: &[PublishedForms]) -> Option<Vec<u8>> {
    let mut rows = Vec::new();
    for d in dossiers {
        for (k, f) in d.forms.iter().enumerate() {
            let (id, k, year) = (d.dossier_id.to_string(), k.to_string(), d.year.to_string());
            match name {
                "targets.csv" => {
                    let (project, amount, goal) = match f {
                        Form::Project(p) => {
                            (p.name.as_str(), p.amount.as_ref(), p.annual_goal.as_str())
                        }
                        Form::DepartmentOverall(o) => {
                            ("", o.budget.total.as_ref(), o.annual_goal.as_str())
                        }
                        _ => ("", None, ""),
                    };
                    rows.push(vec![
                        id,
                        k,
                        d.unit.to_string(),
                        d.parent.to_string(),
                        year,
                        f.kind().label().to_string(),
                        project.to_string(),
                        amount.map(|m| m.wan_string()).unwrap_or_default(),
                        goal.to_string(),
                    ]);
                }
                "indicators.csv" => {
                    for i in f.indicators() {
                        rows.push(vec![
                            id.clone(),
                            k.clone(),
                            d.unit.to_string(),
                            year.clone(),
                            i.level1.clone(),
                            i.level2.clone(),
                            i.name.clone(),
                            i.value.text.clone(),
                            i.standard.clone(),
                        ]);
                    }
                }
                "details.csv" => {
                    if let Form::Project(p) = f {
                        for x in &p.details {
                            rows.push(vec![
                                id.clone(),
                                k.clone(),
                                d.unit.to_string(),
                                year.clone(),
                                p.name.clone(),
                                x.item.clone(),
                                x.content.clone(),
                                x.amount
                                    .as_ref()
                                    .map(|m| m.wan_string())
                                    .unwrap_or_default(),
                                x.basis.clone(),
                            ]);
                        }
                    }
                }
                _ => return None,
            }
        }
    }
    let columns = RESOURCES.iter().find(|r| r.0 == name)?.2;
    Some(table(columns, rows))
}

/// `datapackage.json` of a year's published dossiers, the paths relative to it.
pub fn datapackage(year: i64, site: &str) -> Value {
    let resources: Vec<Value> = RESOURCES
        .iter()
        .map(|(path, title, cols)| {
            json!({
                "name": path.trim_end_matches(".csv"),
                "title": title,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": cols.iter().map(|(n, t, ti)| json!({ "name": n, "type": t, "title": ti })).collect::<Vec<_>>(),
                    "missingValues": [""],
                },
            })
        })
        .collect();
    json!({
        "profile": "fiscal-data-package",
        "name": format!("jixiao-budget-performance-targets-{year}"),
        "title": format!("{year}年度预算绩效目标（公开）"),
        "homepage": site,
        "licenses": [{ "name": "other-pd", "title": "政府信息公开" }],
        "resources": resources,
        "model": {
            "measures": {
                "amount": { "resource": "targets", "source": "amount", "currency": "CNY", "factor": 10000 }
            },
            "dimensions": {
                "unit": { "resource": "targets", "attributes": { "unit": { "source": "unit" } }, "primaryKey": ["unit"] },
                "year": { "resource": "targets", "attributes": { "year": { "source": "year" } }, "primaryKey": ["year"], "dimensionType": "datetime" },
                "form": { "resource": "targets", "attributes": { "kind": { "source": "kind" }, "name": { "source": "name" } }, "primaryKey": ["kind", "name"] }
            }
        }
    })
}
