//! The audit chain: each record's hash covers the previous record's hash and its own
//! fields, so changing, removing or reordering a record breaks every link after it.
//!
//! `hash = hex(SHA-256(prev_hash ‖ "\n" ‖ canonical))` where `canonical` is the compact
//! JSON array `[seq, at, actor, action, target, address|null, detail]` (serde_json
//! escaping, UTF-8, `detail` as the stored JSON text inside a string). The first record's
//! `prev_hash` is [`GENESIS`].

use sha2::{Digest, Sha256};

use crate::model::{AuditBreak, AuditRecord};

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
