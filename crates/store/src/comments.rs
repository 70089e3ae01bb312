//! Comments on fields of a version, and the review records of a dossier.

use serde_json::json;

use crate::audit;
use crate::backend::{Backend, Exec, Sql, SqlRow, WriteTx};
use crate::clock::now_ms;
use crate::error::{Result, StoreError};
use crate::model::{Actor, Comment, ReviewRecord};
use crate::rows::{parse_decision, parse_grade, COMMENT_SELECT, REVIEW_SELECT};

fn comment_of(r: &impl SqlRow) -> Result<Comment> {
    Ok(Comment {
        id: r.int("id")?,
        dossier_id: r.int("dossier_id")?,
        version: r.int("version")?,
        field: r.text("field")?,
        body: r.text("body")?,
        author_id: r.int("author_id")?,
        author_name: r.text("author_name")?,
        created_at: r.int("created_at")?,
        resolved_at: r.opt_int("resolved_at")?,
        resolved_by_name: r.opt_text("resolved_by_name")?,
    })
}

fn review_of(r: &impl SqlRow) -> Result<ReviewRecord> {
    Ok(ReviewRecord {
        id: r.int("id")?,
        dossier_id: r.int("dossier_id")?,
        version: r.int("version")?,
        reviewer_id: r.int("reviewer_id")?,
        reviewer_name: r.text("reviewer_name")?,
        decision: parse_decision(&r.text("decision")?)?,
        grade: parse_grade(r.opt_text("grade")?)?,
        opinions: serde_json::from_str(&r.text("opinions")?)?,
        created_at: r.int("created_at")?,
    })
}

/// A remark by `actor` (a user) on `field` of an existing version.
pub(crate) async fn add<B: Backend>(
    b: &B,
    dossier_id: i64,
    version: i64,
    field: &str,
    body: &str,
    actor: &Actor,
) -> Result<Comment> {
    let author = actor
        .user_id
        .ok_or_else(|| StoreError::refused("评论必须由登录用户发表"))?;
    let body = body.trim();
    if body.is_empty() {
        return Err(StoreError::refused("评论内容不能为空"));
    }
    let mut tx = b.begin().await?;
    tx.fetch_one(
        &Sql::new("SELECT version FROM versions WHERE dossier_id = $1 AND version = $2")
            .bind(dossier_id)
            .bind(version),
    )
    .await?;
    let id = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO comments (dossier_id, version, field, body, author_id, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(dossier_id)
            .bind(version)
            .bind(field.trim())
            .bind(body)
            .bind(author)
            .bind(now_ms()),
        )
        .await?
        .int("id")?;
    let q = Sql::new(format!("{COMMENT_SELECT} WHERE c.id = $1")).bind(id);
    let comment = comment_of(&tx.fetch_one(&q).await?)?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        "comment.add",
        &format!("dossier:{dossier_id}"),
        &json!({ "comment": id, "version": version, "field": field.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(comment)
}

/// Marks a comment of the dossier 已解决 (`resolved`) or open again, by `actor` (a user);
/// audited. An unknown comment, or one of another dossier, is `NotFound`.
pub(crate) async fn resolve<B: Backend>(
    b: &B,
    dossier_id: i64,
    comment_id: i64,
    resolved: bool,
    actor: &Actor,
) -> Result<Comment> {
    let by = actor
        .user_id
        .ok_or_else(|| StoreError::refused("只有登录用户可以标记意见"))?;
    let mut tx = b.begin().await?;
    let (at, by) = if resolved {
        (Some(now_ms()), Some(by))
    } else {
        (None, None)
    };
    let changed = tx
        .execute(
            &Sql::new(
                "UPDATE comments SET resolved_at = $1, resolved_by = $2 \
                 WHERE id = $3 AND dossier_id = $4",
            )
            .bind(at)
            .bind(by)
            .bind(comment_id)
            .bind(dossier_id),
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    let q = Sql::new(format!("{COMMENT_SELECT} WHERE c.id = $1")).bind(comment_id);
    let comment = comment_of(&tx.fetch_one(&q).await?)?;
    audit::append_tx::<B>(
        &mut tx,
        actor,
        if resolved {
            "comment.resolve"
        } else {
            "comment.reopen"
        },
        &format!("dossier:{dossier_id}"),
        &json!({ "comment": comment_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(comment)
}

/// Oldest first.
pub(crate) async fn list<B: Backend>(b: &B, dossier_id: i64) -> Result<Vec<Comment>> {
    let q = Sql::new(format!(
        "{COMMENT_SELECT} WHERE c.dossier_id = $1 ORDER BY c.id"
    ))
    .bind(dossier_id);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(comment_of).collect()
}

/// Oldest first.
pub(crate) async fn reviews<B: Backend>(b: &B, dossier_id: i64) -> Result<Vec<ReviewRecord>> {
    let q = Sql::new(format!(
        "{REVIEW_SELECT} WHERE r.dossier_id = $1 ORDER BY r.id"
    ))
    .bind(dossier_id);
    let rows = b.read().await?.fetch_all(&q).await?;
    rows.iter().map(review_of).collect()
}
