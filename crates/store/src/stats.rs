//! 统计汇总: the statistics desk's numbers for a year, every one of them a SQL aggregate
//! over the dossiers (not deleted) of the units asked for. What it counts inside a
//! version (findings per rule, indicators per 一级/二级) is kept per dossier in
//! `dossier_rules` and `dossier_categories`, refreshed for dossiers whose current version
//! changed before each answer, so the desk never parses the versions' JSON on the way.

use std::collections::BTreeMap;

use jixiao_domain::{Finding, Form};
use serde::Serialize;

use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::error::Result;

/// A dossier's quality index: 100, less 10 per error and 2 per warning of its current
/// version, never below 0 (docs/ui.md, "统计汇总").
pub const QUALITY_SQL: &str = "CASE WHEN 100 - 10 * d.error_count - 2 * d.warning_count < 0 \
     THEN 0 ELSE 100 - 10 * d.error_count - 2 * d.warning_count END";

/// The quality index of a version with these counts (the same as [`QUALITY_SQL`]).
pub fn quality(errors: i64, warnings: i64) -> i64 {
    (100 - 10 * errors - 2 * warnings).max(0)
}

/// Years the trend reaches back, the year asked for included.
pub const TREND_YEARS: i64 = 5;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub year: i64,
    /// Dossiers per status code.
    pub by_status: Vec<(String, i64)>,
    /// Dossiers per grade (`""`: not graded).
    pub by_grade: Vec<(String, i64)>,
    /// One row per dossier of the year: its unit, money and quality.
    pub units: Vec<UnitStat>,
    /// Per 主管部门 (`""`: units without one).
    pub parents: Vec<ParentStat>,
    pub categories: Vec<CategoryStat>,
    pub rules: Vec<RuleStat>,
    /// Units that had a rule's findings this year and the year before (at most
    /// [`MAX_REPEATS`]).
    pub repeats: Vec<RepeatStat>,
    /// Quality of each unit's dossiers over the last [`TREND_YEARS`] years.
    pub trend: Vec<TrendPoint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitStat {
    pub unit_id: i64,
    pub unit_name: String,
    pub parent_name: Option<String>,
    pub dossier_id: i64,
    pub status: String,
    pub grade: Option<String>,
    /// 部门整体支出 资金总额 in 分 (`None`: no department form or no total).
    pub total_fen: Option<i64>,
    pub errors: i64,
    pub warnings: i64,
    pub quality: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParentStat {
    pub parent_name: String,
    pub dossiers: i64,
    /// Dossiers with a 资金总额, and their sum in 分.
    pub with_total: i64,
    pub total_fen: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryStat {
    pub level1: String,
    pub level2: String,
    pub indicators: i64,
    pub dossiers: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleStat {
    pub rule: String,
    pub severity: String,
    pub findings: i64,
    pub dossiers: i64,
    pub units: i64,
}

/// A unit whose dossiers of the year and of the year before both had a rule's findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepeatStat {
    pub rule: String,
    pub unit_id: i64,
    pub unit_name: String,
}

/// Most rows of [`Statistics::repeats`].
pub const MAX_REPEATS: i64 = 1000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub quality: i64,
}

/// Label of a blank 一级/二级 in the counts.
pub const BLANK_LEVEL: &str = "（未填）";

/// Counts per pair of names: (rule, severity) or (一级, 二级).
pub type Counts = BTreeMap<(String, String), i64>;

/// What the desk counts in one version: findings per (rule, severity) and indicators per
/// (一级, 二级).
pub fn facts(forms: &[Form], findings: &[Finding]) -> (Counts, Counts) {
    let mut rules = BTreeMap::new();
    for f in findings {
        *rules
            .entry((f.rule.clone(), f.severity.code().to_string()))
            .or_insert(0) += 1;
    }
    let level = |s: &str| {
        let s = s.trim();
        if s.is_empty() {
            BLANK_LEVEL.to_string()
        } else {
            s.to_string()
        }
    };
    let mut categories = BTreeMap::new();
    for i in forms.iter().flat_map(Form::indicators) {
        *categories
            .entry((level(&i.level1), level(&i.level2)))
            .or_insert(0) += 1;
    }
    (rules, categories)
}

/// Counts again the dossiers whose current version changed since they were counted (all
/// of them after an upgrade), in batches, with multi-row statements. Answers how many were
/// counted. Two instances counting at once write the same rows (upserts), so neither fails.
pub(crate) async fn refresh<B: Backend>(b: &B) -> Result<usize> {
    const BATCH: i64 = 200;
    let mut done = 0;
    loop {
        let q = Sql::new(
            "SELECT d.id, d.unit_id, d.year, d.current_version, v.forms, v.findings \
             FROM dossiers d \
             JOIN versions v ON v.dossier_id = d.id AND v.version = d.current_version \
             WHERE d.kind = 'targets' \
             AND (d.facts_version IS NULL OR d.facts_version <> d.current_version) \
             ORDER BY d.id LIMIT $1",
        )
        .bind(BATCH);
        let rows = b.read().await?.fetch_all(&q).await?;
        if rows.is_empty() {
            return Ok(done);
        }
        // Stored by this program, so readable; an unreadable one counts as empty rather
        // than stopping the desk (and is marked counted, so it is not retried forever).
        let mut ids = Vec::with_capacity(rows.len());
        let mut versions = Vec::with_capacity(rows.len());
        let mut rule_rows: Vec<[Fact; 6]> = Vec::new();
        let mut category_rows: Vec<[Fact; 6]> = Vec::new();
        for r in rows {
            let forms: Vec<Form> = serde_json::from_str(&r.text("forms")?).unwrap_or_default();
            let findings: Vec<Finding> =
                serde_json::from_str(&r.text("findings")?).unwrap_or_default();
            let (id, unit, year) = (r.int("id")?, r.int("unit_id")?, r.int("year")?);
            let (rules, categories) = facts(&forms, &findings);
            for ((a, b), n) in rules {
                rule_rows.push(row(id, unit, year, a, b, n));
            }
            for ((a, b), n) in categories {
                category_rows.push(row(id, unit, year, a, b, n));
            }
            ids.push(id);
            versions.push((id, r.int("current_version")?));
        }
        let mut tx = b.begin().await?;
        for table in ["dossier_rules", "dossier_categories"] {
            let mut q = Sql::new(format!("DELETE FROM {table} WHERE dossier_id IN "));
            q.push_list(ids.iter().copied());
            tx.execute(&q).await?;
        }
        for (table, cols, rows) in [
            ("dossier_rules", "rule, severity", rule_rows),
            ("dossier_categories", "level1, level2", category_rows),
        ] {
            // 6 values a row; 500 rows stay far below either backend's limit on them.
            for chunk in rows.chunks(500) {
                let mut q = Sql::new(format!(
                    "INSERT INTO {table} (dossier_id, unit_id, year, {cols}, n) VALUES "
                ));
                for (i, r) in chunk.iter().enumerate() {
                    q.push(if i == 0 { "(" } else { ", (" });
                    for (j, v) in r.iter().enumerate() {
                        if j > 0 {
                            q.push(", ");
                        }
                        match v {
                            Fact::Int(n) => q.push_bind(*n),
                            Fact::Text(t) => q.push_bind(t.clone()),
                        };
                    }
                    q.push(")");
                }
                q.push(&format!(
                    " ON CONFLICT (dossier_id, {cols}) DO UPDATE SET n = excluded.n"
                ));
                tx.execute(&q).await?;
            }
        }
        for (id, version) in versions {
            tx.execute(
                &Sql::new("UPDATE dossiers SET facts_version = $1 WHERE id = $2")
                    .bind(version)
                    .bind(id),
            )
            .await?;
            done += 1;
        }
        tx.commit().await?;
    }
}

/// A value of a facts row.
enum Fact {
    Int(i64),
    Text(String),
}

fn row(id: i64, unit: i64, year: i64, a: String, b: String, n: i64) -> [Fact; 6] {
    [
        Fact::Int(id),
        Fact::Int(unit),
        Fact::Int(year),
        Fact::Text(a),
        Fact::Text(b),
        Fact::Int(n),
    ]
}

/// `WHERE` for the facts rows of `year` of `units` (all when `None`), of dossiers not
/// deleted.
fn facts_scope<'a>(q: &mut Sql<'a>, year: i64, units: Option<&'a [i64]>) {
    q.push(" WHERE f.year = ")
        .push_bind(year)
        .push(" AND f.dossier_id NOT IN (SELECT id FROM dossiers WHERE deleted_at IS NOT NULL)");
    if let Some(u) = units {
        q.push(" AND f.unit_id IN ").push_list(u.iter().copied());
    }
}

/// A stamp of everything the desk's numbers depend on: it changes whenever a dossier is
/// made, saved, moved through the workflow, deleted or restored, or a unit is added,
/// renamed or moved under another 主管部门. Equal stamps: equal statistics.
pub(crate) async fn stamp<B: Backend>(b: &B) -> Result<String> {
    let q = Sql::new(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) AS u, \
         CAST(COALESCE(SUM(current_version), 0) AS BIGINT) AS v, \
         CAST(COALESCE(SUM(CASE WHEN deleted_at IS NULL THEN id ELSE 0 END), 0) AS BIGINT) AS live, \
         (SELECT COUNT(*) FROM units) AS units, \
         (SELECT CAST(COALESCE(SUM(LENGTH(name) * 7 + COALESCE(parent_id, 0) * 13 + id), 0) AS BIGINT) \
          FROM units) AS names \
         FROM dossiers",
    );
    let r = b.read().await?.fetch_one(&q).await?;
    Ok(format!(
        "{}/{}/{}/{}/{}/{}",
        r.int("n")?,
        r.int("u")?,
        r.int("v")?,
        r.int("live")?,
        r.int("units")?,
        r.int("names")?
    ))
}

/// `WHERE` for the dossiers of `year` (or of years `from..=year`) of `units` (all when
/// `None`), not deleted.
fn scope<'a>(q: &mut Sql<'a>, from: i64, year: i64, units: Option<&'a [i64]>) {
    q.push(" WHERE d.deleted_at IS NULL AND d.kind = 'targets' AND d.year >= ")
        .push_bind(from)
        .push(" AND d.year <= ")
        .push_bind(year);
    if let Some(u) = units {
        q.push(" AND d.unit_id IN ").push_list(u.iter().copied());
    }
}

/// The desk's numbers for `year` over `units` (all when `None`).
pub(crate) async fn statistics<B: Backend>(
    b: &B,
    year: i64,
    units: Option<&[i64]>,
) -> Result<Statistics> {
    let mut out = Statistics {
        year,
        ..Statistics::default()
    };
    if units.is_some_and(|u| u.is_empty()) {
        return Ok(out);
    }
    refresh(b).await?;
    let mut conn = b.read().await?;

    for (col, into) in [("status", &mut out.by_status), ("grade", &mut out.by_grade)] {
        let mut q = Sql::new(format!(
            "SELECT COALESCE(d.{col}, '') AS k, COUNT(*) AS n FROM dossiers d"
        ));
        scope(&mut q, year, year, units);
        q.push(&format!(" GROUP BY d.{col} ORDER BY n DESC, k"));
        for r in conn.fetch_all(&q).await? {
            into.push((r.text("k")?, r.int("n")?));
        }
    }

    let mut q = Sql::new(format!(
        "SELECT u.id AS unit_id, u.name AS unit_name, p.name AS parent_name, d.id AS dossier_id, \
         d.status, d.grade, d.total_fen, d.error_count, d.warning_count, {QUALITY_SQL} AS quality \
         FROM dossiers d JOIN units u ON u.id = d.unit_id LEFT JOIN units p ON p.id = u.parent_id"
    ));
    scope(&mut q, year, year, units);
    q.push(" ORDER BY COALESCE(d.total_fen, -1) DESC, u.name, u.id");
    for r in conn.fetch_all(&q).await? {
        out.units.push(UnitStat {
            unit_id: r.int("unit_id")?,
            unit_name: r.text("unit_name")?,
            parent_name: r.opt_text("parent_name")?,
            dossier_id: r.int("dossier_id")?,
            status: r.text("status")?,
            grade: r.opt_text("grade")?,
            total_fen: r.opt_int("total_fen")?,
            errors: r.int("error_count")?,
            warnings: r.int("warning_count")?,
            quality: r.int("quality")?,
        });
    }

    let mut q = Sql::new(
        "SELECT COALESCE(p.name, '') AS parent_name, COUNT(*) AS n, \
         COUNT(d.total_fen) AS with_total, CAST(COALESCE(SUM(d.total_fen), 0) AS BIGINT) AS fen \
         FROM dossiers d JOIN units u ON u.id = d.unit_id LEFT JOIN units p ON p.id = u.parent_id",
    );
    scope(&mut q, year, year, units);
    q.push(" GROUP BY p.name ORDER BY fen DESC, parent_name");
    for r in conn.fetch_all(&q).await? {
        out.parents.push(ParentStat {
            parent_name: r.text("parent_name")?,
            dossiers: r.int("n")?,
            with_total: r.int("with_total")?,
            total_fen: r.int("fen")?,
        });
    }

    let mut q = Sql::new(
        "SELECT f.level1, f.level2, CAST(SUM(f.n) AS BIGINT) AS indicators, \
         COUNT(*) AS dossiers FROM dossier_categories f",
    );
    facts_scope(&mut q, year, units);
    q.push(" GROUP BY f.level1, f.level2 ORDER BY indicators DESC, f.level1, f.level2");
    for r in conn.fetch_all(&q).await? {
        out.categories.push(CategoryStat {
            level1: r.text("level1")?,
            level2: r.text("level2")?,
            indicators: r.int("indicators")?,
            dossiers: r.int("dossiers")?,
        });
    }

    // One row per dossier and (rule, severity), one dossier per unit and year: COUNT(*)
    // counts the dossiers, and also the units.
    let mut q = Sql::new(
        "SELECT f.rule, f.severity, CAST(SUM(f.n) AS BIGINT) AS findings, \
         COUNT(*) AS dossiers FROM dossier_rules f",
    );
    facts_scope(&mut q, year, units);
    q.push(" GROUP BY f.rule, f.severity ORDER BY findings DESC, f.rule, f.severity");
    for r in conn.fetch_all(&q).await? {
        let dossiers = r.int("dossiers")?;
        out.rules.push(RuleStat {
            rule: r.text("rule")?,
            severity: r.text("severity")?,
            findings: r.int("findings")?,
            dossiers,
            units: dossiers,
        });
    }

    // Units whose dossiers of this year and of the year before both had the rule's
    // findings (the first MAX_REPEATS by rule and unit name).
    let mut q = Sql::new(
        "SELECT DISTINCT f.rule, f.unit_id, u.name AS unit_name FROM dossier_rules f \
         JOIN units u ON u.id = f.unit_id",
    );
    facts_scope(&mut q, year, units);
    q.push(
        " AND EXISTS (SELECT 1 FROM dossier_rules p WHERE p.rule = f.rule \
         AND p.unit_id = f.unit_id AND p.year = ",
    )
    .push_bind(year - 1)
    .push(
        " AND p.dossier_id NOT IN (SELECT id FROM dossiers WHERE deleted_at IS NOT NULL)) \
         ORDER BY f.rule, unit_name, f.unit_id LIMIT ",
    )
    .push_bind(MAX_REPEATS);
    for r in conn.fetch_all(&q).await? {
        out.repeats.push(RepeatStat {
            rule: r.text("rule")?,
            unit_id: r.int("unit_id")?,
            unit_name: r.text("unit_name")?,
        });
    }

    let mut q = Sql::new(format!(
        "SELECT d.unit_id, u.name AS unit_name, d.year, {QUALITY_SQL} AS quality \
         FROM dossiers d JOIN units u ON u.id = d.unit_id"
    ));
    scope(&mut q, year - (TREND_YEARS - 1), year, units);
    q.push(" ORDER BY u.name, d.unit_id, d.year");
    for r in conn.fetch_all(&q).await? {
        out.trend.push(TrendPoint {
            unit_id: r.int("unit_id")?,
            unit_name: r.text("unit_name")?,
            year: r.int("year")?,
            quality: r.int("quality")?,
        });
    }
    Ok(out)
}
