//! 版本比较: the new version's forms drawn with the cells that changed against the old
//! version marked, plus a list of every change.
//!
//! * Rows of a list are matched by what they are (an indicator by its 一级/二级/三级, a
//!   detail by its 支出明细 and 内容, a special fund by its name), not by position, so
//!   deleting one row is one deletion, not a change of every row after it.
//! * A changed text shows only what changed: the common beginning and end are kept, the
//!   middle is struck out and inserted (`选拨` → `选拔` marks one character).
//! * Every field counts, also those the table does not draw as a cell of their own (the
//!   sign-off: 单位负责人, 填表人, 联系电话).

use std::collections::{HashMap, HashSet};

use jixiao_domain::rules::field_label;
use jixiao_domain::Form;
use jixiao_files::export::html::{escape, table_html, CellNote};
use jixiao_files::export::table::{table, OutCell, Table};
use serde::Serialize;
use serde_json::Value;

use super::view::{cell_id, shorten, FormView};

/// One change: where, the text around it, what was removed and what was added (cut), and
/// its id on the page (empty for a field the table does not draw).
#[derive(Serialize, Default)]
pub struct ChangeView {
    pub form: String,
    pub field: String,
    /// Unchanged text just before and after the change (a few characters).
    pub before: String,
    pub after: String,
    pub old: String,
    pub new: String,
    pub anchor: String,
}

#[derive(Serialize)]
pub struct DiffView {
    pub forms: Vec<FormView>,
    /// Every changed or added field, in reading order.
    pub changes: Vec<ChangeView>,
    /// What the old version had and the new one has not: (form name, what, old text).
    pub removed: Vec<(String, String, String)>,
}

/// Which form of the old version matches each form of the new one: the first of the same
/// kind and name, else the one at the same position if of the same kind.
fn match_forms(old: &[Form], new: &[Form]) -> Vec<Option<usize>> {
    let key = |f: &Form| (f.kind(), f.display_name());
    let mut by_key = HashMap::new();
    for (o, f) in old.iter().enumerate() {
        by_key.entry(key(f)).or_insert(o);
    }
    new.iter()
        .enumerate()
        .map(|(i, f)| {
            by_key
                .get(&key(f))
                .copied()
                .or_else(|| (i < old.len() && old[i].kind() == f.kind()).then_some(i))
        })
        .collect()
}

/// The lists whose rows are matched by identity, and the fields that identify a row.
const LISTS: &[(&str, &[&str])] = &[
    ("indicators", &["level1", "level2", "name"]),
    ("details", &["item", "content"]),
    ("key_tasks", &["item"]),
    ("items", &["name"]),
    ("goals", &["expected"]),
];

fn row_key(row: &Value, fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| row.get(*f).and_then(Value::as_str).unwrap_or("").trim())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Per list: the new index of each old row (`None`: the row is gone). Rows with the same
/// identity pair up in order; the rest pair by position among the unmatched, when both
/// sides have the same number of them (an edited name is a change, not a delete and an
/// add).
fn align(old: &Value, new: &Value) -> HashMap<&'static str, Vec<Option<usize>>> {
    let mut out = HashMap::new();
    for (list, fields) in LISTS {
        let rows = |v: &Value| {
            v.get(*list)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (o, n) = (rows(old), rows(new));
        let mut free: HashMap<String, Vec<usize>> = HashMap::new();
        for (j, r) in n.iter().enumerate().rev() {
            free.entry(row_key(r, fields)).or_default().push(j);
        }
        let mut map: Vec<Option<usize>> = o
            .iter()
            .map(|r| free.get_mut(&row_key(r, fields)).and_then(Vec::pop))
            .collect();
        let taken: HashSet<usize> = map.iter().flatten().copied().collect();
        let new_left: Vec<usize> = (0..n.len()).filter(|j| !taken.contains(j)).collect();
        let old_left: Vec<usize> = (0..o.len()).filter(|i| map[*i].is_none()).collect();
        if new_left.len() == old_left.len() {
            for (i, j) in old_left.into_iter().zip(new_left) {
                map[i] = Some(j);
            }
        }
        out.insert(*list, map);
    }
    out
}

/// `indicators[5].value` of the old version as the new version's path (`indicators[4].value`
/// when row 5 became row 4), or `None` when its row is gone.
fn remap(path: &str, rows: &HashMap<&'static str, Vec<Option<usize>>>) -> Option<String> {
    let Some(open) = path.find('[') else {
        return Some(path.to_string());
    };
    let list = &path[..open];
    let Some(map) = rows.get(list) else {
        return Some(path.to_string());
    };
    let close = open + path[open..].find(']')?;
    let i: usize = path[open + 1..close].parse().ok()?;
    let j = (*map.get(i)?)?;
    Some(format!("{list}[{j}]{}", &path[close + 1..]))
}

/// Every leaf of a form's JSON as (path, text), the computed and source fields left out.
fn leaves(v: &Value, path: &str, out: &mut HashMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if matches!(k.as_str(), "sources" | "kind") || k.starts_with("computed_") {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

fn texts(t: &Table) -> HashMap<String, String> {
    t.rows
        .iter()
        .flatten()
        .filter_map(|c| c.field.clone().map(|f| (f, c.text.clone())))
        .collect()
}

/// How the new text differs from the old one: the common beginning and end, and what is
/// between them on each side.
fn split_change<'a>(old: &'a str, new: &'a str) -> (&'a str, &'a str, &'a str, &'a str) {
    let prefix: usize = old
        .chars()
        .zip(new.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let (o, n) = (&old[prefix..], &new[prefix..]);
    let suffix: usize = o
        .chars()
        .rev()
        .zip(n.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    (
        &old[..prefix],
        &o[..o.len() - suffix],
        &n[..n.len() - suffix],
        &o[o.len() - suffix..],
    )
}

/// The cell's change marked in place: what was removed struck out, what was inserted
/// underlined, the rest as it was.
fn marked(old: &str, new: &str) -> String {
    let (head, gone, added, tail) = split_change(old, new);
    let cut = |s: &str, keep_end: bool| {
        let n = s.chars().count();
        if n <= 30 {
            escape(s)
        } else if keep_end {
            format!("…{}", escape(&s.chars().skip(n - 30).collect::<String>()))
        } else {
            format!("{}…", escape(&s.chars().take(30).collect::<String>()))
        }
    };
    let mut out = String::from("<span class=\"diff-text\" aria-label=\"改动\">");
    out.push_str(&cut(head, true));
    if !gone.is_empty() {
        out.push_str(&format!("<del aria-label=\"删去\">{}</del>", escape(gone)));
    }
    if !added.is_empty() {
        out.push_str(&format!("<ins aria-label=\"加入\">{}</ins>", escape(added)));
    }
    out.push_str(&cut(tail, false));
    out.push_str("</span>");
    out
}

/// The change list's parts: a little unchanged text on each side, and what was removed
/// and added.
fn context(old: &str, new: &str) -> [String; 4] {
    let (head, gone, added, tail) = split_change(old, new);
    let n = head.chars().count();
    let before: String = head.chars().skip(n.saturating_sub(12)).collect();
    let after: String = tail.chars().take(12).collect();
    [
        format!("{}{before}", if n > 12 { "…" } else { "" }),
        shorten(gone, 80),
        shorten(added, 80),
        format!(
            "{after}{}",
            if tail.chars().count() > 12 { "…" } else { "" }
        ),
    ]
}

/// The new version's forms with changed cells highlighted against the old version.
pub fn diff(old: &[Form], new: &[Form]) -> DiffView {
    let matched = match_forms(old, new);
    let mut removed = Vec::new();
    let mut changes = Vec::new();
    let mut forms = Vec::new();
    for (k, form) in new.iter().enumerate() {
        let t = table(form);
        let now = texts(&t);
        let new_json = serde_json::to_value(form).unwrap_or(Value::Null);
        // The old form's cells and fields under the new version's paths.
        let before: Option<(HashMap<String, String>, HashMap<String, String>)> =
            matched[k].map(|o| {
                let old_json = serde_json::to_value(&old[o]).unwrap_or(Value::Null);
                let rows = align(&old_json, &new_json);
                for (list, fields) in LISTS {
                    let gone = rows[list].iter().enumerate().filter(|(_, j)| j.is_none());
                    for (i, _) in gone {
                        let what = row_key(&old_json[*list][i], fields)
                            .split('\u{1f}')
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" / ");
                        removed.push((
                            form.display_name(),
                            format!("{}（整行）", field_label(&format!("{list}[{i}]"))),
                            what,
                        ));
                    }
                }
                let cells = texts(&table(&old[o]))
                    .into_iter()
                    .filter_map(|(f, text)| remap(&f, &rows).map(|f| (f, text)))
                    .collect();
                let mut all = HashMap::new();
                leaves(&old_json, "", &mut all);
                let fields = all
                    .into_iter()
                    .filter_map(|(f, text)| remap(&f, &rows).map(|f| (f, text)))
                    .collect();
                (cells, fields)
            });
        if let Some((cells, _)) = &before {
            let mut gone: Vec<(&String, &String)> = cells
                .iter()
                .filter(|(f, text)| !now.contains_key(*f) && !text.trim().is_empty())
                // Cells of whole rows that are gone are listed once, above.
                .filter(|(f, _)| !f.contains('['))
                .collect();
            gone.sort();
            for (f, text) in gone {
                removed.push((form.display_name(), field_label(f), text.clone()));
            }
        }
        let old_cell = |field: &str| -> Option<Option<&String>> {
            before.as_ref().map(|(cells, _)| cells.get(field))
        };
        let note = |cell: &OutCell| -> CellNote {
            let Some(field) = cell.field.as_deref() else {
                return CellNote::default();
            };
            let anchor = format!(
                "<span class=\"anchor\" id=\"{}\"></span>",
                cell_id(k, field)
            );
            match old_cell(field) {
                Some(Some(o)) if o.trim() == cell.text.trim() => CellNote::default(),
                Some(None) if cell.text.trim().is_empty() => CellNote::default(),
                Some(Some(o)) => CellNote {
                    class: "diff-changed".into(),
                    after: format!("{anchor}{}", marked(o.trim(), cell.text.trim())),
                    ..CellNote::default()
                },
                _ => CellNote {
                    class: "diff-added".into(),
                    after: anchor,
                    ..CellNote::default()
                },
            }
        };
        let html = table_html(&t, &note);
        for cell in t.rows.iter().flatten() {
            let Some(f) = &cell.field else { continue };
            let [before, old, new, after] = match old_cell(f) {
                Some(Some(o)) if o.trim() == cell.text.trim() => continue,
                Some(None) if cell.text.trim().is_empty() => continue,
                Some(Some(o)) => context(o.trim(), cell.text.trim()),
                _ => context("", cell.text.trim()),
            };
            changes.push(ChangeView {
                form: form.display_name(),
                field: field_label(f),
                before,
                old,
                new,
                after,
                anchor: cell_id(k, f),
            });
        }
        // Fields the table does not draw as cells of their own.
        if let Some((_, fields)) = &before {
            let mut now_fields = HashMap::new();
            leaves(&new_json, "", &mut now_fields);
            let drawn = |p: &str| {
                let mut q = p;
                loop {
                    if now.contains_key(q) {
                        return true;
                    }
                    match q.rfind(['.', '[']) {
                        Some(i) => q = &q[..i],
                        None => return false,
                    }
                }
            };
            let mut keys: Vec<&String> = now_fields.keys().chain(fields.keys()).collect();
            keys.sort_by_key(|p| jixiao_domain::labels::field_order(p));
            keys.dedup();
            for p in keys {
                if drawn(p) {
                    continue;
                }
                let (o, n) = (
                    fields.get(p).map_or("", |s| s.trim()),
                    now_fields.get(p).map_or("", |s| s.trim()),
                );
                if o == n {
                    continue;
                }
                let [before, old, new, after] = context(o, n);
                changes.push(ChangeView {
                    form: form.display_name(),
                    field: field_label(p),
                    before,
                    old,
                    new,
                    after,
                    anchor: String::new(),
                });
            }
        }
        forms.push(FormView {
            index: k,
            name: form.display_name(),
            html,
            loose: vec![],
            errors: 0,
            warnings: 0,
        });
    }
    let matched: HashSet<usize> = matched.into_iter().flatten().collect();
    for (o, form) in old.iter().enumerate() {
        if !matched.contains(&o) {
            removed.push((
                form.display_name(),
                "整张表".into(),
                form.title().to_string(),
            ));
        }
    }
    DiffView {
        forms,
        changes,
        removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_character_fix_marks_one_character() {
        assert_eq!(
            split_change("支持民主党派选拨人才", "支持民主党派选拔人才"),
            ("支持民主党派选", "拨", "拔", "人才")
        );
        let m = marked("选拨培养", "选拔培养");
        assert!(
            m.contains("<del aria-label=\"删去\">拨</del>")
                && m.contains("<ins aria-label=\"加入\">拔</ins>"),
            "{m}"
        );
        assert_eq!(split_change("abc", "abc"), ("abc", "", "", ""));
        assert_eq!(split_change("", "新"), ("", "", "新", ""));
        // Repeated characters at the seam are not counted twice.
        assert_eq!(split_change("aa", "a"), ("a", "a", "", ""));
    }

    #[test]
    fn rows_pair_by_identity() {
        let ind = |l2: &str, name: &str| serde_json::json!({ "level1": "产出指标", "level2": l2, "name": name });
        let old = serde_json::json!({ "indicators": [ind("数量指标", "a"), ind("数量指标", "b"), ind("质量指标", "c")] });
        let new = serde_json::json!({ "indicators": [ind("数量指标", "a"), ind("质量指标", "c")] });
        let rows = align(&old, &new);
        assert_eq!(rows["indicators"], vec![Some(0), None, Some(1)]);
        assert_eq!(
            remap("indicators[2].value", &rows).as_deref(),
            Some("indicators[1].value")
        );
        assert_eq!(remap("indicators[1].value", &rows), None);
        assert_eq!(
            remap("signoff.head", &rows).as_deref(),
            Some("signoff.head")
        );
        // A renamed row is a change of that row, not a deletion and an addition.
        let renamed = serde_json::json!({ "indicators": [ind("数量指标", "a"), ind("数量指标", "b2"), ind("质量指标", "c")] });
        assert_eq!(
            align(&old, &renamed)["indicators"],
            vec![Some(0), Some(1), Some(2)]
        );
    }
}
