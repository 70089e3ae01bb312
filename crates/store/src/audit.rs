//! The audit chain: each record's hash covers the previous record's hash and its own
//! fields, so changing, removing or reordering a record breaks every link after it.
//!
//! `hash = hex(SHA-256(prev_hash ‖ "\n" ‖ canonical))` where `canonical` is the compact
//! JSON array `[seq, at, actor, action, target, address|null, detail]` (serde_json
//! escaping, UTF-8, `detail` as the stored JSON text inside a string). The first record's
//! `prev_hash` is [`GENESIS`].

use sha2::{Digest, Sha256};

use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::Result;
use crate::model::{Actor, AuditBreak, AuditRecord, AuditReport, DossierEvent};
use crate::rows::AUDIT_COLUMNS;

/// `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// The canonical serialisation of a record's content (everything but the hashes).
pub fn canonical(r: &AuditRecord) -> String {
    serde_json::json!([r.seq, r.at, r.actor, r.action, r.target, r.address, r.detail]).to_string()
}

/// The hash a record must carry given its `prev_hash` and content.
pub fn record_hash(r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    h.update(r.prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical(r).as_bytes());
    hex(&h.finalize())
}

/// Builds the next record of the chain after (`prev_seq`, `prev_hash`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn next_record(
    prev_seq: i64,
    prev_hash: String,
    at: i64,
    actor: &str,
    action: &str,
    target: &str,
    address: Option<&str>,
    detail: String,
) -> AuditRecord {
    let mut r = AuditRecord {
        seq: prev_seq + 1,
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        address: address.map(str::to_string),
        detail,
        prev_hash,
        hash: String::new(),
    };
    r.hash = record_hash(&r);
    r
}

/// Walks records in `seq` order and stops at the first one that breaks the chain.
pub(crate) struct ChainWalker {
    pub(crate) checked: i64,
    pub(crate) head: String,
}

impl ChainWalker {
    pub(crate) fn new() -> Self {
        ChainWalker {
            checked: 0,
            head: GENESIS.to_string(),
        }
    }

    pub(crate) fn step(&mut self, r: &AuditRecord) -> Result<(), AuditBreak> {
        let expected = self.checked + 1;
        if r.seq != expected {
            return Err(AuditBreak {
                seq: expected,
                problem: format!("第{expected}条审计记录缺失（下一条为第{}条）", r.seq),
            });
        }
        if r.prev_hash != self.head {
            return Err(AuditBreak {
                seq: r.seq,
                problem: format!("第{}条审计记录与前一条记录的链接不符", r.seq),
            });
        }
        if record_hash(r) != r.hash {
            return Err(AuditBreak {
                seq: r.seq,
                problem: format!("第{}条审计记录的内容已被改动", r.seq),
            });
        }
        self.checked = r.seq;
        self.head = r.hash.clone();
        Ok(())
    }

    pub(crate) fn report(self, broken: Option<AuditBreak>) -> AuditReport {
        AuditReport {
            checked: self.checked,
            head: self.head,
            broken,
        }
    }
}

// ---------------------------------------------------------------- the stored log

fn audit_of(r: &impl SqlRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: r.int("seq")?,
        at: r.int("at")?,
        actor: r.text("actor")?,
        action: r.text("action")?,
        target: r.text("target")?,
        address: r.opt_text("address")?,
        detail: r.text("detail")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// Appends the next audit record inside `tx`. Must be the transaction's last statement:
/// on PostgreSQL it takes the audit lock, which is then held until commit, and a
/// transaction holding it never waits for anything else.
pub(crate) async fn append_tx<B: Backend>(
    tx: &mut B::Tx,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<AuditRecord> {
    B::lock_audit(tx).await?;
    let last = tx
        .fetch_optional(&Sql::new(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        ))
        .await?;
    let (prev_seq, prev_hash) = match last {
        Some(r) => (r.int("seq")?, r.text("hash")?),
        None => (0, GENESIS.to_string()),
    };
    let r = next_record(
        prev_seq,
        prev_hash,
        now_ms(),
        &actor.name,
        action,
        target,
        actor.address.as_deref(),
        detail.to_string(),
    );
    tx.execute(
        &Sql::new(
            "INSERT INTO audit_log (seq, at, actor, action, target, address, detail, \
             prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(r.seq)
        .bind(r.at)
        .bind(&r.actor)
        .bind(&r.action)
        .bind(&r.target)
        .bind(r.address.as_deref())
        .bind(&r.detail)
        .bind(&r.prev_hash)
        .bind(&r.hash),
    )
    .await?;
    Ok(r)
}

/// An event that is not a data change (login, logout, refused access), on its own.
pub(crate) async fn append<B: Backend>(
    b: &B,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<AuditRecord> {
    let mut tx = b.begin().await?;
    let r = append_tx::<B>(&mut tx, actor, action, target, detail).await?;
    tx.commit().await?;
    Ok(r)
}

/// Records with `seq > after_seq`, ascending, at most `limit` (1 to 10,000).
pub(crate) async fn log<B: Backend>(b: &B, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>> {
    let q = Sql::new(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit.clamp(1, 10_000));
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(audit_of).collect()
}

/// How many `action` records about `target` (from `address`, when given) were appended
/// at or after `since`.
pub(crate) async fn count<B: Backend>(
    b: &B,
    action: &str,
    target: &str,
    address: Option<&str>,
    since: i64,
) -> Result<i64> {
    let mut q = Sql::new(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND target = $2 AND at >= $3",
    )
    .bind(action)
    .bind(target)
    .bind(since);
    // `$4 IS NULL` would need a typed NULL on PostgreSQL; the condition is left out instead.
    if let Some(a) = address {
        q.push(" AND address = ").push_bind(a);
    }
    b.read().await?.fetch_one(&q).await?.int("n")
}

/// Walks the whole chain, a page at a time, and reports the first broken record.
pub(crate) async fn verify<B: Backend>(b: &B) -> Result<AuditReport> {
    let mut walker = ChainWalker::new();
    let mut after = 0;
    loop {
        let page = log(b, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in &page {
            if let Err(broken) = walker.step(r) {
                return Ok(walker.report(Some(broken)));
            }
        }
    }
    Ok(walker.report(None))
}

/// The newest record's (seq, hash); (0, [`GENESIS`]) for an empty log.
pub(crate) async fn head<B: Backend>(b: &B) -> Result<(i64, String)> {
    let last = b
        .read()
        .await?
        .fetch_optional(&Sql::new(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        ))
        .await?;
    match last {
        Some(r) => Ok((r.int("seq")?, r.text("hash")?)),
        None => Ok((0, GENESIS.to_string())),
    }
}

/// [`verify`], and the chain must contain `expected` (a head kept earlier): when the log
/// was cut off before it (or its tail rewritten), that is reported as a break after the
/// last intact record.
pub(crate) async fn verify_to<B: Backend>(b: &B, expected: &str) -> Result<AuditReport> {
    let expected = expected.trim().to_ascii_lowercase();
    let mut walker = ChainWalker::new();
    let mut found = expected == GENESIS;
    let mut after = 0;
    loop {
        let page = log(b, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in &page {
            if let Err(broken) = walker.step(r) {
                return Ok(walker.report(Some(broken)));
            }
            found |= r.hash == expected;
        }
    }
    if found {
        return Ok(walker.report(None));
    }
    let short: String = expected.chars().take(16).collect();
    let broken = AuditBreak {
        seq: walker.checked + 1,
        problem: format!(
            "保存的链头 {short}… 不在审计日志中：日志末尾可能已被截断或改写（现有 {} 条完好记录）",
            walker.checked
        ),
    };
    Ok(walker.report(Some(broken)))
}

/// The audit actions on a dossier a user is told about (消息); each record's target is
/// `dossier:ID`, which the notice query casts to the dossier's id.
pub const NOTICE_ACTIONS: &[&str] = &[
    "dossier.submit",
    "dossier.withdraw",
    "dossier.return",
    "dossier.review",
    "dossier.adjust",
    "comment.add",
];

/// 催报: a reminder to a unit (target `unit:ID`), read by that unit as a notice.
pub const REMIND_ACTION: &str = "unit.remind";

/// The latest [`NOTICE_ACTIONS`] on the dossiers of `units` (all units when `None`) that
/// are not deleted, by anyone but `not_by`, newest first; for a set of units also the
/// reminders to them. Scoped, the dossiers' targets are looked up through the (action,
/// target) index; unscoped, the log is read backwards.
pub(crate) async fn events<B: Backend>(
    b: &B,
    units: Option<&[i64]>,
    not_by: &str,
    limit: i64,
) -> Result<Vec<DossierEvent>> {
    if units.is_some_and(|u| u.is_empty()) {
        return Ok(Vec::new());
    }
    let limit = limit.clamp(1, 500);
    let mut q = Sql::new(
        "SELECT a.seq, a.at, a.action, a.detail, d.id AS dossier_id, d.year, \
         u.name AS unit_name, COALESCE(NULLIF(w.display_name, ''), a.actor) AS actor_name \
         FROM audit_log a \
         JOIN dossiers d ON d.id = CAST(substr(a.target, 9) AS BIGINT) \
         JOIN units u ON u.id = d.unit_id \
         LEFT JOIN users w ON w.username = a.actor \
         WHERE a.action IN ",
    );
    q.push_list(NOTICE_ACTIONS.iter().copied());
    q.push(" AND a.actor <> ").push_bind(not_by.to_string());
    q.push(" AND d.deleted_at IS NULL");
    if let Some(units) = units {
        q.push(" AND a.target IN (SELECT 'dossier:' || id FROM dossiers WHERE unit_id IN ")
            .push_list(units.iter().copied())
            .push(")");
    }
    q.push(" ORDER BY a.seq DESC LIMIT ").push_bind(limit);
    let mut conn = b.read().await?;
    let mut out: Vec<DossierEvent> = Vec::new();
    for r in conn.fetch_all(&q).await? {
        let year = r.int("year")?;
        out.push(event_of(&r, Some(r.int("dossier_id")?), year)?);
    }
    // 催报 reminders to these units (there may be no dossier yet).
    if let Some(units) = units {
        let mut q = Sql::new(
            "SELECT a.seq, a.at, a.action, a.detail, u.name AS unit_name, \
             COALESCE(NULLIF(w.display_name, ''), a.actor) AS actor_name \
             FROM audit_log a JOIN units u ON a.target = 'unit:' || u.id \
             LEFT JOIN users w ON w.username = a.actor \
             WHERE a.action = ",
        );
        q.push_bind(REMIND_ACTION).push(" AND a.target IN ");
        q.push_list(units.iter().map(|u| format!("unit:{u}")));
        q.push(" AND a.actor <> ").push_bind(not_by.to_string());
        q.push(" ORDER BY a.seq DESC LIMIT ").push_bind(limit);
        for r in conn.fetch_all(&q).await? {
            let year = serde_json::from_str::<serde_json::Value>(&r.text("detail")?)
                .ok()
                .and_then(|v| v["year"].as_i64())
                .unwrap_or_default();
            out.push(event_of(&r, None, year)?);
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.seq));
        out.truncate(limit as usize);
    }
    Ok(out)
}

/// The workflow steps of one dossier, oldest first (版本历史 shows them beside the saves).
pub const STEP_ACTIONS: &[&str] = &[
    "dossier.create",
    "report.create",
    "dossier.submit",
    "dossier.withdraw",
    "dossier.return",
    "dossier.review",
    "dossier.adjust",
    "dossier.delete",
    "dossier.restore",
];

pub(crate) async fn steps<B: Backend>(b: &B, dossier_id: i64) -> Result<Vec<DossierEvent>> {
    let mut q = Sql::new(
        "SELECT a.seq, a.at, a.action, a.detail, d.year, u.name AS unit_name, \
         COALESCE(NULLIF(w.display_name, ''), a.actor) AS actor_name \
         FROM audit_log a JOIN dossiers d ON d.id = ",
    );
    q.push_bind(dossier_id)
        .push(
            " JOIN units u ON u.id = d.unit_id LEFT JOIN users w ON w.username = a.actor \
             WHERE a.target = ",
        )
        .push_bind(format!("dossier:{dossier_id}"))
        .push(" AND a.action IN ")
        .push_list(STEP_ACTIONS.iter().copied())
        .push(" ORDER BY a.seq LIMIT 1000");
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter()
        .map(|r| event_of(r, Some(dossier_id), r.int("year")?))
        .collect()
}

/// An event row (`seq, at, action, detail, unit_name, actor_name`) with its dossier and year.
fn event_of(r: &impl SqlRow, dossier_id: Option<i64>, year: i64) -> Result<DossierEvent> {
    Ok(DossierEvent {
        seq: r.int("seq")?,
        at: r.int("at")?,
        action: r.text("action")?,
        detail: r.text("detail")?,
        dossier_id,
        year,
        unit_name: r.text("unit_name")?,
        actor: r.text("actor_name")?,
    })
}

/// How far `user_id` has read the notices (an audit seq).
pub(crate) async fn notices_seen<B: Backend>(b: &B, user_id: i64) -> Result<i64> {
    let q = Sql::new("SELECT notices_seen FROM users WHERE id = $1").bind(user_id);
    b.read().await?.fetch_one(&q).await?.int("notices_seen")
}

/// Marks the notices up to `seq` read (never backwards).
pub(crate) async fn mark_notices_seen<B: Backend>(b: &B, user_id: i64, seq: i64) -> Result<()> {
    let mut tx = b.begin().await?;
    tx.execute(
        &Sql::new("UPDATE users SET notices_seen = $1 WHERE id = $2 AND notices_seen < $1")
            .bind(seq)
            .bind(user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let (seq, prev) = out
                .last()
                .map(|r| (r.seq, r.hash.clone()))
                .unwrap_or((0, GENESIS.to_string()));
            out.push(next_record(
                seq,
                prev,
                1_700_000_000_000 + i,
                "张三",
                "dossier.save",
                &format!("dossier:{i}"),
                Some("127.0.0.1"),
                r#"{"version":2}"#.to_string(),
            ));
        }
        out
    }

    fn walk(rs: &[AuditRecord]) -> Result<(), AuditBreak> {
        let mut w = ChainWalker::new();
        rs.iter().try_for_each(|r| w.step(r))
    }

    #[test]
    fn intact_chain_verifies() {
        let rs = chain(5);
        assert_eq!(rs[0].prev_hash, GENESIS);
        assert_eq!(rs[0].hash.len(), 64);
        assert!(walk(&rs).is_ok());
    }

    #[test]
    fn every_kind_of_tampering_is_found() {
        let mut rs = chain(5);
        rs[2].actor = "李四".into();
        assert_eq!(walk(&rs).unwrap_err().seq, 3);

        let mut rs = chain(5);
        rs.remove(1);
        let b = walk(&rs).unwrap_err();
        assert_eq!(b.seq, 2);
        assert!(b.problem.contains("缺失"));

        // Rewriting a record and its own hash still breaks the next link.
        let mut rs = chain(5);
        rs[1].detail = r#"{"version":3}"#.into();
        rs[1].hash = record_hash(&rs[1]);
        assert_eq!(walk(&rs).unwrap_err().seq, 3);
    }

    /// Pinned: changing the format would break every stored chain. The hash was
    /// computed independently (Python `json.dumps(..., ensure_ascii=False,
    /// separators=(",", ":"))` + `hashlib.sha256`), as docs/storage.md describes.
    #[test]
    fn canonical_form_is_stable() {
        let r = &chain(1)[0];
        assert_eq!(
            r.hash,
            "6cc3b7aa8f5bdb794cfcfafe5f42d212f30fd0149a8bb2e25f86c8fd0a8b057d"
        );
        assert_eq!(
            canonical(r),
            r#"[1,1700000000000,"张三","dossier.save","dossier:0","127.0.0.1","{\"version\":2}"]"#
        );
    }
}
