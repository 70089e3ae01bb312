//! View models for the pages: forms laid out like the paper forms (through the export
//! table model) with findings, comments or changes attached to the cells they concern.

use std::collections::{BTreeMap, HashMap, HashSet};

use jixiao_domain::finding::Severity;
use jixiao_domain::{Finding, Form};
use jixiao_files::export::html::{escape, table_html, CellNote};
use jixiao_files::export::table::{table, OutCell, Table};
use jixiao_store::Comment;
use serde::Serialize;

pub use super::diff::diff;

/// `2026-11-27 09:30` in China Standard Time (UTC+8, no daylight saving) from epoch ms.
pub fn datetime(ms: i64) -> String {
    let ((year, month, day), rem) = crate::services::china_time(ms);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// The HTML id of a cell, from its form and field path (`c0-indicators-3-value`).
pub fn cell_id(form: usize, field: &str) -> String {
    let mut id = format!("c{form}-");
    for ch in field.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            id.push(ch);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

/// The cells of one table by field path, to find the cell a finding points at with a few
/// hash lookups instead of a scan of every cell: a dossier with a finding on each of its
/// cells is matched in time linear in cells and findings.
struct CellIndex<'a> {
    /// Every cell's field path.
    cells: HashSet<&'a str>,
    /// Each enclosing path of a cell (`indicators[3]`, `indicators` for
    /// `indicators[3].value`) → the first cell inside it, in reading order.
    first_inside: HashMap<&'a str, &'a str>,
    /// Hash lookups made, for the test that matching stays linear.
    probes: std::cell::Cell<usize>,
}

/// The paths enclosing `field`, longest first: each prefix that ends where a `.` or `[`
/// begins (`a[1].b` → `a[1]`, `a`).
fn enclosing(field: &str) -> impl Iterator<Item = &str> {
    field
        .char_indices()
        .rev()
        .filter(|&(i, c)| i > 0 && (c == '.' || c == '['))
        .map(move |(i, _)| &field[..i])
}

impl<'a> CellIndex<'a> {
    fn new(t: &'a Table) -> CellIndex<'a> {
        CellIndex::of(t.rows.iter().flatten().filter_map(|c| c.field.as_deref()))
    }

    /// Field paths in reading order.
    fn of(fields: impl IntoIterator<Item = &'a str>) -> CellIndex<'a> {
        let mut cells = HashSet::new();
        let mut first_inside = HashMap::new();
        for f in fields {
            cells.insert(f);
            for outer in enclosing(f) {
                first_inside.entry(outer).or_insert(f);
            }
        }
        CellIndex {
            cells,
            first_inside,
            probes: std::cell::Cell::new(0),
        }
    }

    fn probe(&self) {
        self.probes.set(self.probes.get() + 1);
    }

    /// The cell a finding's field points at: the same field, else the first cell inside
    /// it (`indicators[3]` → `indicators[3].name`), else the nearest enclosing one.
    fn target(&self, field: &str) -> Option<&'a str> {
        self.probe();
        if let Some(f) = self.cells.get(field) {
            return Some(f);
        }
        self.probe();
        if let Some(f) = self.first_inside.get(field) {
            return Some(f);
        }
        enclosing(field).find_map(|outer| {
            self.probe();
            self.cells.get(outer).copied()
        })
    }
}

#[derive(Serialize)]
pub struct FindingView {
    /// 1-based number shown on the cell marker and in the list.
    pub n: usize,
    pub rule: String,
    pub severity: &'static str,
    pub severity_label: &'static str,
    /// The message, long quotations cut (the full text is in `full_message`).
    pub message: String,
    pub full_message: String,
    /// Where it is as the page draws it: the table, and the row and column of its cell.
    pub place: String,
    /// Where it was in the uploaded file (`第142行第4格`), for the details toggle.
    pub source: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// The id of the cell it is attached to, when there is one.
    pub anchor: Option<String>,
}

#[derive(Serialize)]
pub struct CommentView {
    pub id: i64,
    pub field: String,
    pub field_label: String,
    pub anchor: Option<String>,
    pub body: String,
    pub author: String,
    pub author_id: i64,
    pub at: i64,
    pub version: i64,
    /// 已解决: when and by whom.
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
    /// Made on an earlier version and carried to the one shown: whether its cell changed
    /// since (已修改), or `None` when not carried.
    pub changed: Option<bool>,
    /// Its row or form is no longer in the version shown.
    pub gone: bool,
}

/// A remark as the page shows it: on `field` of the forms shown (its own field, or where
/// its cell went since the version it was made on).
pub struct PageComment<'a> {
    pub comment: &'a Comment,
    /// Empty when its cell is gone.
    pub field: String,
    /// Carried from an earlier version: whether the cell changed since.
    pub changed: Option<bool>,
}

#[derive(Serialize)]
pub struct FormView {
    pub index: usize,
    pub name: String,
    /// The form drawn as on paper, already escaped.
    pub html: String,
    /// Findings of this form that point at no cell (shown above the table).
    pub loose: Vec<usize>,
    pub errors: usize,
    pub warnings: usize,
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// At most `max` characters, with an ellipsis when cut.
pub(super) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// The comment's field path `f0:indicators[3].value` split into form and field.
pub fn split_field(field: &str) -> (Option<usize>, &str) {
    match field.split_once(':') {
        Some((f, rest)) if f.starts_with('f') => match f[1..].parse() {
            Ok(i) => (Some(i), rest),
            Err(_) => (None, field),
        },
        _ => (None, field),
    }
}

/// A finding's place in the user's terms: the table's name, and for a cell its row and
/// column as drawn on the page and what the cell holds (`三级指标（第4行第5列）`).
fn on_screen(
    forms: &[Form],
    drawn: &[HashMap<&str, (usize, usize)>],
    form: Option<usize>,
    cell: Option<&str>,
    f: &Finding,
) -> String {
    let label = f
        .location
        .field
        .as_deref()
        .map(jixiao_domain::rules::field_label);
    let Some(k) = form else {
        return label.unwrap_or_default();
    };
    let mut s = forms[k].display_name();
    if let Some(l) = label {
        s.push(' ');
        s.push_str(&l);
    }
    if let Some((r, c)) = cell.and_then(|c| drawn[k].get(c)) {
        s.push_str(&format!("（表中第{r}行第{c}列）"));
    }
    s
}

/// The forms with findings and comments on their cells, plus the finding and comment lists.
pub fn annotated(
    forms: &[Form],
    findings: &[Finding],
    comments: &[PageComment],
) -> (Vec<FormView>, Vec<FindingView>, Vec<CommentView>) {
    let tables: Vec<Table> = forms.iter().map(table).collect();
    let fields: Vec<CellIndex> = tables.iter().map(CellIndex::new).collect();
    // Where each cell is drawn: (row, grid column), 1-based, as the user sees the table.
    let drawn: Vec<HashMap<&str, (usize, usize)>> = tables
        .iter()
        .map(|t| {
            t.placed()
                .into_iter()
                .enumerate()
                .flat_map(|(r, row)| {
                    row.into_iter().filter_map(move |(c, cell)| {
                        cell.field.as_deref().map(|f| (f, (r + 1, c + 1)))
                    })
                })
                .collect()
        })
        .collect();
    let mut views: Vec<FindingView> = Vec::with_capacity(findings.len());
    // (form, cell field) → finding numbers.
    let mut on_cell: HashMap<(usize, String), Vec<usize>> = HashMap::new();
    let mut loose: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        let n = i + 1;
        let form = f.location.form.filter(|&k| k < tables.len());
        let cell = match (form, f.location.field.as_deref()) {
            (Some(k), Some(field)) => fields[k].target(field),
            _ => None,
        };
        let anchor = match (form, cell) {
            (Some(k), Some(c)) => {
                on_cell.entry((k, c.to_string())).or_default().push(n);
                Some(cell_id(k, c))
            }
            (Some(k), None) => {
                loose.entry(k).or_default().push(n);
                Some(format!("form-{k}"))
            }
            _ => None,
        };
        views.push(FindingView {
            n,
            rule: f.rule.clone(),
            severity: severity_code(f.severity),
            severity_label: f.severity.label(),
            message: shorten(&f.message, 200),
            full_message: f.message.clone(),
            place: on_screen(forms, &drawn, form, cell, f),
            source: f.location.cell.as_ref().map(|c| {
                format!("{} {}", f.location.file, c.describe())
                    .trim()
                    .to_string()
            }),
            expected: f.expected.clone(),
            actual: f.actual.clone(),
            anchor,
        });
    }
    // (errors, warnings) of each form, in one pass over the findings.
    let mut counts = vec![(0usize, 0usize); tables.len()];
    for f in findings {
        if let Some(c) = f.location.form.and_then(|k| counts.get_mut(k)) {
            match f.severity {
                Severity::Error => c.0 += 1,
                Severity::Warning => c.1 += 1,
                Severity::Info => {}
            }
        }
    }
    // Open remarks per cell, and whether one of them was carried to a changed cell.
    let mut comment_count: HashMap<(usize, String), (usize, bool)> = HashMap::new();
    let comment_views = comments
        .iter()
        .map(|p| {
            let c = p.comment;
            let gone = p.field.is_empty() && !c.field.is_empty();
            let (form, field) = split_field(&p.field);
            let anchor = form.filter(|&k| k < tables.len()).map(|k| {
                if c.resolved_at.is_none() {
                    let e = comment_count.entry((k, field.to_string())).or_default();
                    e.0 += 1;
                    e.1 |= p.changed == Some(true);
                }
                cell_id(k, field)
            });
            CommentView {
                id: c.id,
                field: p.field.clone(),
                field_label: if gone {
                    "（所在的行已删除）".to_string()
                } else {
                    comment_place(forms, &p.field)
                },
                anchor,
                body: c.body.clone(),
                author: c.author_name.clone(),
                author_id: c.author_id,
                at: c.created_at,
                version: c.version,
                resolved_at: c.resolved_at,
                resolved_by: c.resolved_by_name.clone(),
                changed: p.changed,
                gone,
            }
        })
        .collect();
    let form_views = tables
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let note = |cell: &OutCell| -> CellNote {
                let Some(field) = cell.field.as_deref() else {
                    return CellNote::default();
                };
                let key = (k, field.to_string());
                let mut after = format!("<span class=\"anchor\" id=\"{}\"></span>", cell_id(k, field));
                let mut class = String::new();
                if let Some(ns) = on_cell.get(&key) {
                    let worst = ns
                        .iter()
                        .map(|&n| findings[n - 1].severity)
                        .min()
                        .unwrap_or(Severity::Info);
                    class = format!("sev-{}", severity_code(worst));
                    for &n in ns {
                        let f = &findings[n - 1];
                        after.push_str(&format!(
                            "<a class=\"fmark sev-{}\" href=\"#finding-{n}\" title=\"{}\" aria-label=\"{}{n}：{}\">{n}</a>",
                            severity_code(f.severity),
                            escape(&shorten(&f.message, 200)),
                            f.severity.label(),
                            escape(&shorten(&f.message, 200)),
                        ));
                    }
                }
                if let Some((c, changed)) = comment_count.get(&key) {
                    let (class, note) = if *changed {
                        (" changed", "，已修改")
                    } else {
                        ("", "")
                    };
                    after.push_str(&format!(
                        "<span class=\"cmark{class}\" title=\"{c} 条意见{note}\" aria-label=\"{c} 条意见{note}\">意见{c}</span>"
                    ));
                }
                CellNote {
                    class,
                    after,
                    ..CellNote::default()
                }
            };
            let (errors, warnings) = counts[k];
            FormView {
                index: k,
                name: forms[k].display_name(),
                html: table_html(t, &note),
                loose: loose.remove(&k).unwrap_or_default(),
                errors,
                warnings,
            }
        })
        .collect();
    (form_views, views, comment_views)
}

/// `第2张表 三级指标（第4行）` style description of a comment's place.
fn comment_place(forms: &[Form], field: &str) -> String {
    match split_field(field) {
        (Some(k), f) => {
            let form = forms
                .get(k)
                .map(Form::display_name)
                .unwrap_or_else(|| format!("第{}张表", k + 1));
            if f.is_empty() {
                form
            } else {
                format!("{form} {}", jixiao_domain::rules::field_label(f))
            }
        }
        (None, "") => "整个档案".to_string(),
        (None, f) => jixiao_domain::rules::field_label(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_is_china_time() {
        // 2023-01-01T00:00:00Z is 08:00 in Beijing.
        assert_eq!(datetime(1_672_531_200_000), "2023-01-01 08:00");
        assert_eq!(datetime(0), "1970-01-01 08:00");
        // A leap day.
        assert_eq!(datetime(1_709_164_800_000), "2024-02-29 08:00");
    }

    #[test]
    fn findings_attach_to_the_nearest_cell() {
        let cells = CellIndex::of([
            "name",
            "indicators[3].name",
            "indicators[3].value",
            "items[1].children[0].name",
        ]);
        assert_eq!(
            cells.target("indicators[3].value"),
            Some("indicators[3].value")
        );
        assert_eq!(cells.target("indicators[3]"), Some("indicators[3].name"));
        assert_eq!(cells.target("indicators"), Some("indicators[3].name"));
        assert_eq!(
            cells.target("indicators[3].value.unit"),
            Some("indicators[3].value")
        );
        assert_eq!(cells.target("name.first"), Some("name"));
        assert_eq!(
            cells.target("items[1].children"),
            Some("items[1].children[0].name")
        );
        assert_eq!(cells.target("indicators[30]"), None);
        assert_eq!(cells.target("indicators[3]x"), None);
        assert_eq!(cells.target("details"), None);
    }

    /// A finding on every cell of a large form: the lookups do a bounded amount of work
    /// each, so matching n findings to n cells is linear (a scan per finding would
    /// compare about n²/2 fields: 12.5 million for 5 000 cells).
    #[test]
    fn matching_findings_to_cells_is_linear() {
        for n in [500, 5_000] {
            let fields: Vec<String> = (0..n)
                .flat_map(|i| {
                    [
                        format!("indicators[{i}].name"),
                        format!("indicators[{i}].value"),
                    ]
                })
                .collect();
            let cells = CellIndex::of(fields.iter().map(String::as_str));
            for i in 0..n {
                assert!(cells.target(&format!("indicators[{i}].value")).is_some());
                assert!(cells.target(&format!("indicators[{i}]")).is_some());
                assert!(cells
                    .target(&format!("indicators[{i}].value.unit"))
                    .is_some());
            }
            let per_lookup = cells.probes.get() / (3 * n);
            assert!(per_lookup <= 8, "{n} cells: {per_lookup} probes per lookup");
        }
    }

    #[test]
    fn cell_ids_are_safe() {
        assert_eq!(cell_id(2, "indicators[3].value"), "c2-indicators-3-value");
        assert_eq!(
            cell_id(0, "items[1].children[0].name"),
            "c0-items-1-children-0-name"
        );
    }

    #[test]
    fn comment_fields_name_their_form() {
        assert_eq!(
            split_field("f2:indicators[1].value"),
            (Some(2), "indicators[1].value")
        );
        assert_eq!(split_field("indicators[1]"), (None, "indicators[1]"));
        assert_eq!(split_field(""), (None, ""));
    }
}
