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

use super::view::{cell_id, shorten, split_field, FormView, PageComment};
use jixiao_store::Comment;

/// One change: where, and the text as runs of kept, removed and inserted characters (long
/// kept runs shortened to a little context), and its id on the page (empty for a field
/// the table does not draw).
#[derive(Serialize, Default)]
pub struct ChangeView {
    pub form: String,
    pub field: String,
    /// The field was empty before.
    pub added: bool,
    pub pieces: Vec<Piece>,
    pub anchor: String,
}

/// A run of a changed text: `same`, `del` (removed) or `ins` (inserted).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub kind: &'static str,
    pub text: String,
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

/// Kept runs shorter than this between two changes count as changed: a character-level
/// diff of two different sentences otherwise shows confetti (a shared 的 kept between
/// rewritten words).
const MIN_KEPT: usize = 3;

/// The new text as runs of kept, removed and inserted characters. Two edits far apart in
/// one paragraph are two small changes, not one struck-out paragraph. The diff between the
/// common beginning and end is bounded in time (it approximates past the deadline).
pub fn pieces(old: &str, new: &str) -> Vec<Piece> {
    use similar::{ChangeTag, TextDiff};
    let (head, o, n, tail) = split_change(old, new);
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    let push =
        |tag: ChangeTag, text: &str, runs: &mut Vec<(ChangeTag, String)>| match runs.last_mut() {
            Some((t, s)) if *t == tag => s.push_str(text),
            _ if text.is_empty() => {}
            _ => runs.push((tag, text.to_string())),
        };
    push(ChangeTag::Equal, head, &mut runs);
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(20))
        .diff_chars(o, n);
    for c in diff.iter_all_changes() {
        push(c.tag(), c.value(), &mut runs);
    }
    push(ChangeTag::Equal, tail, &mut runs);
    // Fold short kept runs between changes into both sides, then merge each stretch of
    // changes into one removed and one inserted run.
    let last = runs.len().saturating_sub(1);
    let mut out: Vec<Piece> = Vec::new();
    let (mut del, mut ins) = (String::new(), String::new());
    let flush = |del: &mut String, ins: &mut String, out: &mut Vec<Piece>| {
        for (kind, text) in [("del", del), ("ins", ins)] {
            if !text.is_empty() {
                out.push(Piece {
                    kind,
                    text: std::mem::take(text),
                });
            }
        }
    };
    for (i, (tag, text)) in runs.iter().enumerate() {
        match tag {
            ChangeTag::Delete => del.push_str(text),
            ChangeTag::Insert => ins.push_str(text),
            ChangeTag::Equal if i > 0 && i < last && text.chars().count() < MIN_KEPT => {
                del.push_str(text);
                ins.push_str(text);
            }
            ChangeTag::Equal => {
                flush(&mut del, &mut ins, &mut out);
                out.push(Piece {
                    kind: "same",
                    text: text.clone(),
                });
            }
        }
    }
    flush(&mut del, &mut ins, &mut out);
    out
}

/// `pieces` with each kept run cut to `keep` characters of context (at the start only its
/// end, at the end only its start, between changes both ends).
fn shortened(pieces: Vec<Piece>, keep: usize) -> Vec<Piece> {
    let n = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            if p.kind != "same" {
                return p;
            }
            let chars: Vec<char> = p.text.chars().collect();
            let len = chars.len();
            let text = if i == 0 && len > keep {
                format!("…{}", chars[len - keep..].iter().collect::<String>())
            } else if i + 1 == n && i > 0 && len > keep {
                format!("{}…", chars[..keep].iter().collect::<String>())
            } else if i > 0 && i + 1 < n && len > 2 * keep {
                format!(
                    "{}…{}",
                    chars[..keep].iter().collect::<String>(),
                    chars[len - keep..].iter().collect::<String>()
                )
            } else {
                p.text
            };
            Piece { kind: "same", text }
        })
        .collect()
}

/// The cell's change marked in place: what was removed struck out, what was inserted
/// underlined, the rest as it was (long unchanged stretches shortened).
fn marked(old: &str, new: &str) -> String {
    let mut out = String::from("<span class=\"diff-text\" aria-label=\"改动\">");
    for p in shortened(pieces(old, new), 30) {
        match p.kind {
            "del" => out.push_str(&format!(
                "<del aria-label=\"删去\">{}</del>",
                escape(&p.text)
            )),
            "ins" => out.push_str(&format!(
                "<ins aria-label=\"加入\">{}</ins>",
                escape(&p.text)
            )),
            _ => out.push_str(&escape(&p.text)),
        }
    }
    out.push_str("</span>");
    out
}

/// The change list's entry for a field: a little unchanged text around each change, long
/// removed or inserted texts cut.
fn change(form: String, field: String, old: &str, new: &str, anchor: String) -> ChangeView {
    let pieces = shortened(pieces(old, new), 12)
        .into_iter()
        .map(|p| match p.kind {
            "same" => p,
            kind => Piece {
                kind,
                text: shorten(&p.text, 80),
            },
        })
        .collect();
    ChangeView {
        form,
        field,
        added: old.is_empty(),
        pieces,
        anchor,
    }
}

/// Remarks on cells of an earlier version followed into a later one: each form's rows
/// matched by identity, as the comparison matches them.
pub struct Carry {
    /// Old form index → (new form index, row matches, old cell texts, new cell texts).
    forms: HashMap<usize, CarriedForm>,
}

type CarriedForm = (
    usize,
    HashMap<&'static str, Vec<Option<usize>>>,
    HashMap<String, String>,
    HashMap<String, String>,
);

impl Carry {
    pub fn new(old: &[Form], new: &[Form]) -> Carry {
        let forms = match_forms(old, new)
            .into_iter()
            .enumerate()
            .filter_map(|(k, o)| {
                let o = o?;
                let json = |f: &Form| serde_json::to_value(f).unwrap_or(Value::Null);
                let rows = align(&json(&old[o]), &json(&new[k]));
                Some((o, (k, rows, texts(&table(&old[o])), texts(&table(&new[k])))))
            })
            .collect();
        Carry { forms }
    }

    /// `f0:indicators[5].value` of the old version on the new one, and whether the cell's
    /// text changed since; `None` when its form or row is gone.
    pub fn field(&self, field: &str) -> Option<(String, bool)> {
        let (Some(k), path) = split_field(field) else {
            return Some((field.to_string(), false));
        };
        let (j, rows, before, after) = self.forms.get(&k)?;
        let now = remap(path, rows)?;
        let changed = before.get(path) != after.get(&now);
        Some((format!("f{j}:{now}"), changed))
    }
}

/// The remarks a page shows on `forms` (version `shown`): that version's own, and the open
/// remarks on cells of the `earlier` versions followed to where their cells are now
/// (已修改 when the cell's text changed, gone when its row or form is).
pub fn page_comments<'a>(
    comments: &'a [Comment],
    earlier: &[jixiao_store::Version],
    shown: i64,
    forms: &[Form],
) -> Vec<PageComment<'a>> {
    let carries: Vec<(i64, Carry)> = earlier
        .iter()
        .map(|v| (v.info.version, Carry::new(&v.forms, forms)))
        .collect();
    comments
        .iter()
        .filter_map(|c| {
            if c.version == shown {
                return Some(PageComment {
                    comment: c,
                    field: c.field.clone(),
                    changed: None,
                });
            }
            if c.field.is_empty() || c.resolved_at.is_some() {
                return None;
            }
            let (_, carry) = carries.iter().find(|(v, _)| *v == c.version)?;
            let (field, changed) = carry.field(&c.field).unwrap_or((String::new(), true));
            Some(PageComment {
                comment: c,
                field,
                changed: Some(changed),
            })
        })
        .collect()
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
            let was = match old_cell(f) {
                Some(Some(o)) if o.trim() == cell.text.trim() => continue,
                Some(None) if cell.text.trim().is_empty() => continue,
                Some(Some(o)) => o.trim(),
                _ => "",
            };
            changes.push(change(
                form.display_name(),
                field_label(f),
                was,
                cell.text.trim(),
                cell_id(k, f),
            ));
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
                changes.push(change(
                    form.display_name(),
                    field_label(p),
                    o,
                    n,
                    String::new(),
                ));
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

    fn shown(p: &[Piece]) -> String {
        p.iter()
            .map(|p| match p.kind {
                "del" => format!("[-{}]", p.text),
                "ins" => format!("[+{}]", p.text),
                _ => p.text.clone(),
            })
            .collect()
    }

    #[test]
    fn two_edits_far_apart_are_two_small_changes() {
        let old = "选拨培养推荐新一代代表人物，协助有关部门做好考察、选拨、推荐工作";
        let new = old.replace("选拨", "选拔");
        assert_eq!(
            shown(&pieces(old, &new)),
            "选[-拨][+拔]培养推荐新一代代表人物，协助有关部门做好考察、选[-拨][+拔]、推荐工作"
        );
        // A rewritten phrase is one change, not confetti around shared characters.
        assert_eq!(
            shown(&pieces("完成率达到百分之九十", "验收合格的项目比例")),
            "[-完成率达到百分之九十][+验收合格的项目比例]"
        );
        assert_eq!(shown(&pieces("", "新")), "[+新]");
        assert_eq!(shown(&pieces("旧", "")), "[-旧]");
        // Context in the list: long kept runs shortened on both sides of a change.
        let long = format!("{}改{}", "甲".repeat(40), "乙".repeat(40));
        let list = change(
            "表".into(),
            "字段".into(),
            &long,
            &long.replace('改', "变"),
            String::new(),
        );
        assert_eq!(
            shown(&list.pieces),
            format!("…{}[-改][+变]{}…", "甲".repeat(12), "乙".repeat(12))
        );
        assert!(!list.added);
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
