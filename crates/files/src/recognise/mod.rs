//! Recognisers: a [`Sheet`] (rows of cells from any reader) → forms with a source map.
//!
//! Forms are found by their titles and read by their labels, not by fixed positions: the
//! same form arrives with different merges, column orders and glyphs. Tables inside a form
//! (indicators, expenditure details, summary lines) are read by their header row, and each
//! data row is aligned to the header by what its cells look like, which copes with merged
//! cells that a flattened copy drops. Every guess is reported as a `parse-warning`.

mod forms;
mod grid;
mod table;

use jixiao_domain::model::{Form, Origin};
use jixiao_domain::Profile;

use crate::sheet::Sheet;

pub use grid::Grid;

/// What a sheet held.
#[derive(Debug, Default)]
pub struct Recognised {
    pub forms: Vec<Form>,
    /// Assumptions and unmapped cells, in Chinese, with the cell when there is one.
    pub warnings: Vec<(String, Option<Origin>, Option<usize>)>,
    /// Titles of self-evaluation forms found (not yet supported).
    pub self_evaluations: Vec<String>,
    /// Titles of monitoring forms found (not yet supported).
    pub monitoring: Vec<String>,
}

/// Recognise every form in a sheet.
pub fn recognise(sheet: &Sheet, profile: &Profile) -> Recognised {
    let grid = Grid::new(sheet, profile);
    let mut out = Recognised::default();
    for note in &sheet.notes {
        out.warnings.push((note.clone(), None, None));
    }
    let segments = grid.segments();
    for seg in segments {
        match seg.kind {
            grid::SegKind::SelfEvaluation => out.self_evaluations.push(seg.title.clone()),
            grid::SegKind::Monitoring => out.monitoring.push(seg.title.clone()),
            _ => {
                for (form, warnings) in forms::extract(&grid, &seg, profile) {
                    let index = out.forms.len();
                    for (w, o) in warnings {
                        out.warnings.push((w, o, Some(index)));
                    }
                    out.forms.push(form);
                }
            }
        }
    }
    drop_repeated_headings(&mut out);
    out
}

/// A web page often repeats the form's title as the page heading; the empty form read
/// from that heading is dropped when a form of the same kind follows with content.
fn drop_repeated_headings(out: &mut Recognised) {
    let keep: Vec<bool> = out
        .forms
        .iter()
        .map(|f| {
            !forms::is_empty_form(f)
                || !out
                    .forms
                    .iter()
                    .any(|g| g.kind() == f.kind() && !forms::is_empty_form(g))
        })
        .collect();
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut new_index = Vec::with_capacity(keep.len());
    let mut n = 0;
    for k in &keep {
        new_index.push(k.then_some(n));
        if *k {
            n += 1;
        }
    }
    let mut i = 0;
    out.forms.retain(|_| {
        let k = keep[i];
        i += 1;
        k
    });
    out.warnings.retain_mut(|(_, _, form)| match form {
        Some(f) => match new_index[*f] {
            Some(nf) => {
                *form = Some(nf);
                true
            }
            None => false,
        },
        None => true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_print_seed() {
        let path = std::env::var("JIXIAO_DEBUG_FILE").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../examples/seed-2023-shifeng-tongzhanbu.txt"
            )
            .into()
        });
        let bytes = std::fs::read(path).unwrap();
        let sheet = crate::read::text::read_text(&bytes).unwrap();
        let rec = recognise(&sheet, &Profile::builtin("hunan-zhuzhou").unwrap());
        for f in &rec.forms {
            let mut v = serde_json::to_value(f).unwrap();
            if std::env::var("JIXIAO_DEBUG_SOURCES").is_err() {
                v.as_object_mut().unwrap().remove("sources");
            }
            println!("{}", serde_json::to_string_pretty(&v).unwrap());
        }
        for w in &rec.warnings {
            println!("WARN {}", w.0);
        }
    }
}
