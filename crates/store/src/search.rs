//! Dossier search: the per-dossier search document and the query forms each backend
//! runs (docs/storage.md, "Search").
//!
//! The document is the unit's name plus [`Form::search_text`] of every form of the
//! current version, one normalised line per field ([`search_fold`]: full-width folded,
//! simplified script, lower case, no whitespace), each line once. A query is normalised
//! the same way, so on both backends a match is a plain substring test on already folded
//! text: SQLite's `LIKE` (ASCII case-insensitive), its FTS5 trigram phrase match
//! (`case_sensitive 1`) and PostgreSQL's `LIKE` all agree on such text. (PostgreSQL's
//! `ILIKE` would too, but lower-casing every character of every candidate again makes
//! its recheck 3–5 times slower on Chinese text, for nothing.)

use std::collections::HashSet;

use jixiao_domain::text::search_fold;
use jixiao_domain::Form;

use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::error::Result;

/// Queries of at least this many characters (after folding) can use a trigram index;
/// shorter ones (two-character words such as 教育 are common) are matched with `LIKE`.
pub(crate) const TRIGRAM: usize = 3;

/// The escape character of every `LIKE` pattern built here (not a backslash, so the SQL
/// does not depend on PostgreSQL's `standard_conforming_strings`).
pub(crate) const LIKE_ESCAPE: char = '!';

/// The lines of the forms' search texts, each once (computed outside the write lock).
pub(crate) fn forms_text(forms: &[Form]) -> String {
    let texts: Vec<String> = forms.iter().map(Form::search_text).collect();
    let mut seen = HashSet::new();
    let mut out = String::new();
    for line in texts.iter().flat_map(|t| t.split('\n')) {
        if !line.is_empty() && seen.insert(line) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

/// The stored document: the unit's name, then the forms' lines.
pub(crate) fn document(unit_name: &str, forms_text: &str) -> String {
    let unit = search_fold(unit_name);
    let rest = forms_text
        .split('\n')
        .filter(|l| !l.is_empty() && *l != unit)
        .collect::<Vec<_>>()
        .join("\n");
    match (unit.is_empty(), rest.is_empty()) {
        (true, _) => rest,
        (false, true) => unit,
        (false, false) => format!("{unit}\n{rest}"),
    }
}

/// A normalised, non-empty search query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Needle(String);

impl Needle {
    /// `None` when nothing is left after folding (no search).
    pub(crate) fn new(query: Option<&str>) -> Option<Needle> {
        let folded = search_fold(query?);
        (!folded.is_empty()).then_some(Needle(folded))
    }

    /// Long enough for a trigram index.
    pub(crate) fn indexed(&self) -> bool {
        self.0.chars().count() >= TRIGRAM
    }

    /// `%text%` with `%`, `_` and the escape character escaped, for
    /// `LIKE $n ESCAPE '!'`.
    pub(crate) fn like_pattern(&self) -> String {
        let mut p = String::with_capacity(self.0.len() + 2);
        p.push('%');
        for c in self.0.chars() {
            if matches!(c, '%' | '_') || c == LIKE_ESCAPE {
                p.push(LIKE_ESCAPE);
            }
            p.push(c);
        }
        p.push('%');
        p
    }

    /// An FTS5 string (a phrase of trigrams: a substring match) with `"` doubled; every
    /// other character is literal inside the quotes.
    pub(crate) fn fts_phrase(&self) -> String {
        format!("\"{}\"", self.0.replace('"', "\"\""))
    }
}

/// Most words of one query that are searched for (each is one more condition).
pub(crate) const MAX_WORDS: usize = 5;

/// A search as people type it into the queue: several words (`石峰 统战`, each must occur)
/// and a year written any usual way (`2023`, `2023年`, `2023年度`, `二〇二三年`), which
/// selects the dossiers of that year instead of being searched for as text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Query {
    pub words: Vec<Needle>,
    pub year: Option<i64>,
}

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let mut out = Query::default();
        let Some(q) = query else {
            return out;
        };
        for raw in
            q.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        {
            if out.year.is_none() {
                if let Some(y) = year_of(raw) {
                    out.year = Some(y);
                    continue;
                }
            }
            if out.words.len() < MAX_WORDS {
                if let Some(n) = Needle::new(Some(raw)) {
                    if !out.words.contains(&n) {
                        out.words.push(n);
                    }
                }
            }
        }
        out
    }
}

/// `2023`, `2023年`, `2023年度`, `二〇二三`, `二零二三年`: a budget year.
fn year_of(word: &str) -> Option<i64> {
    let folded = jixiao_domain::text::fold_width(word.trim());
    let bare = folded
        .strip_suffix("年度")
        .or_else(|| folded.strip_suffix('年'))
        .unwrap_or(&folded);
    let digits: Option<String> = bare
        .chars()
        .map(|c| match c {
            '0'..='9' => Some(c),
            '〇' | '零' | 'O' | 'o' => Some('0'),
            _ => "一二三四五六七八九"
                .chars()
                .position(|d| d == c)
                .and_then(|i| char::from_digit(i as u32 + 1, 10)),
        })
        .collect();
    let digits = digits?;
    if digits.len() != 4 || bare.chars().count() != 4 {
        return None;
    }
    let y: i64 = digits.parse().ok()?;
    (1990..=2100).contains(&y).then_some(y)
}

// ---------------------------------------------------------------- stored documents

/// Writes the search document of a dossier whose current version has `forms_text` (from
/// [`forms_text`]), inside the write transaction that makes that version current.
pub(crate) async fn put_tx<B: Backend>(
    tx: &mut B::Tx,
    dossier_id: i64,
    forms_text: &str,
) -> Result<()> {
    let unit = tx
        .fetch_one(
            &Sql::new(
                "SELECT u.name FROM dossiers d JOIN units u ON u.id = d.unit_id WHERE d.id = $1",
            )
            .bind(dossier_id),
        )
        .await?
        .text("name")?;
    tx.execute(
        &Sql::new(
            "INSERT INTO dossier_search (dossier_id, document) VALUES ($1, $2) \
             ON CONFLICT (dossier_id) DO UPDATE SET document = excluded.document",
        )
        .bind(dossier_id)
        .bind(document(&unit, forms_text)),
    )
    .await?;
    Ok(())
}

/// Computes the search documents that are missing (dossiers stored before search
/// existed), in batches; run when the store is opened. Cheap when nothing is missing (one
/// anti-join over primary keys). Concurrent saves and other processes doing the same are
/// harmless: a save writes its own document, and `DO NOTHING` never replaces one.
pub(crate) async fn backfill<B: Backend>(b: &B) -> Result<u64> {
    let mut after = 0_i64;
    let mut done = 0_u64;
    loop {
        let ids = b
            .write()
            .await?
            .fetch_all(
                &Sql::new(
                    "SELECT d.id FROM dossiers d WHERE d.id > $1 AND NOT EXISTS \
                     (SELECT 1 FROM dossier_search s WHERE s.dossier_id = d.id) \
                     ORDER BY d.id LIMIT 100",
                )
                .bind(after),
            )
            .await?
            .iter()
            .map(|r| r.int("id"))
            .collect::<Result<Vec<i64>>>()?;
        let Some(&last) = ids.last() else {
            return Ok(done);
        };
        after = last;
        let mut docs = Vec::with_capacity(ids.len());
        for id in ids {
            let row = b
                .write()
                .await?
                .fetch_one(
                    &Sql::new(
                        "SELECT u.name, v.forms FROM dossiers d \
                         JOIN units u ON u.id = d.unit_id \
                         JOIN versions v ON v.dossier_id = d.id \
                         AND v.version = d.current_version WHERE d.id = $1",
                    )
                    .bind(id),
                )
                .await?;
            // Forms that no longer parse still get a document (the unit name), so a bad
            // row cannot stop the store from opening.
            let text = serde_json::from_str::<Vec<Form>>(&row.text("forms")?)
                .map(|f| forms_text(&f))
                .unwrap_or_default();
            docs.push((id, document(&row.text("name")?, &text)));
        }
        let mut tx = b.begin().await?;
        for (id, doc) in &docs {
            tx.execute(
                &Sql::new(
                    "INSERT INTO dossier_search (dossier_id, document) VALUES ($1, $2) \
                     ON CONFLICT (dossier_id) DO NOTHING",
                )
                .bind(*id)
                .bind(doc),
            )
            .await?;
        }
        tx.commit().await?;
        done += docs.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_as_people_type_them() {
        let q = Query::parse(Some("石峰 统战 2023年"));
        assert_eq!(q.year, Some(2023));
        assert_eq!(q.words.len(), 2);
        for (text, year) in [
            ("二〇二三", Some(2023)),
            ("二零二四年度", Some(2024)),
            ("２０２５年", Some(2025)),
            ("2023", Some(2023)),
            ("12345", None),
            ("三年", None),
            ("1850年", None),
        ] {
            assert_eq!(Query::parse(Some(text)).year, year, "{text}");
        }
        let q = Query::parse(Some("统战，统战、 教育"));
        assert_eq!(q.words.len(), 2, "each word once");
        assert_eq!(Query::parse(Some("a b c d e f g")).words.len(), MAX_WORDS);
        assert_eq!(Query::parse(Some("   ")), Query::default());
    }

    #[test]
    fn needles() {
        assert_eq!(Needle::new(None), None);
        assert_eq!(Needle::new(Some("  \t ")), None);
        let n = Needle::new(Some(" 教 育 ")).unwrap();
        assert!(!n.indexed());
        assert_eq!(n.like_pattern(), "%教育%");
        let n = Needle::new(Some("100%_完成!")).unwrap();
        assert!(n.indexed());
        assert_eq!(n.like_pattern(), "%100!%!_完成!!%");
        assert_eq!(
            Needle::new(Some("say \"hi\"")).unwrap().fts_phrase(),
            "\"say\"\"hi\"\"\""
        );
    }

    #[test]
    fn documents() {
        assert_eq!(document("教育局", "教育局\n目标\n"), "教育局\n目标");
        assert_eq!(document("", "目标"), "目标");
        assert_eq!(document("教育 局", ""), "教育局");
    }
}
