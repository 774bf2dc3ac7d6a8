//! The audit log on both backends: lines appended from many transactions at once form one chain
//! with no fork and no gap, the table refuses `UPDATE` and `DELETE`, and a line edited behind the
//! trigger's back (after dropping it) breaks the chain at that line.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Backend, Db};
use qianbao_store::Storage;
use qianbao_wallet::console::audit::{AuditLine, DONE, check_chain};
use qianbao_wallet::storage::RecordStore;

async fn append(storage: &Storage, i: i64) {
    RecordStore::transact(storage, move |r| {
        qianbao_wallet::console::audit::append(
            r,
            AuditLine {
                actor: "cli".into(),
                action: "test.append".into(),
                entity: format!("thing:{i}"),
                outcome: DONE,
                ..AuditLine::default()
            },
            1_000 + i,
        )
    })
    .await
    .unwrap();
}

async fn chain_holds_and_edits_are_found(db: Db) {
    let storage = Storage::open(&db.location).await.unwrap();
    // Twenty appends racing: each takes the next number or retries, so the chain never forks.
    let mut racing = Vec::new();
    for i in 0..20 {
        let storage = storage.clone();
        racing.push(tokio::spawn(async move { append(&storage, i).await }));
    }
    for task in racing {
        task.await.unwrap();
    }
    let followed = storage.transact_read(|r| check_chain(r)).await.unwrap();
    assert_eq!(followed, Ok(20));

    for edit in [
        "UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 7",
        "DELETE FROM audit_log WHERE seq = 20",
    ] {
        let refused = db.try_execute(edit).await;
        assert!(
            refused.as_ref().is_err_and(|e| e.contains("append-only")),
            "{edit}: {refused:?}"
        );
    }

    let drop = match db.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_append_only_update",
        Backend::Postgres => "DROP TRIGGER audit_log_append_only ON audit_log",
    };
    db.execute(drop).await;
    db.execute("UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 7")
        .await;
    let followed = storage.transact_read(|r| check_chain(r)).await.unwrap();
    assert_eq!(followed.map_err(|b| b.seq), Err(7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_audit_chain() {
    chain_holds_and_edits_are_found(Db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_audit_chain() {
    if let Some(db) = Db::postgres().await {
        chain_holds_and_edits_are_found(db).await;
    }
}
