//! The journal's Merkle log (issue 23): every journal line a money call writes is a leaf appended
//! in the same transaction, and `qianbao verify` rebuilds the log from the journal and names a
//! stored subtree hash that differs, one that is missing, or a bent right edge.

use crate::helpers::{spawn_app, tamper, verify};
use crate::money_helpers::{funded, transfer};

#[tokio::test]
async fn every_journal_line_is_logged_and_verify_names_a_bent_or_dropped_node() {
    let app = spawn_app().await;
    let a = funded(&app, "甲", 10_000).await;
    let b = funded(&app, "乙", 0).await;
    for _ in 0..5 {
        assert_eq!(transfer(&app, &a, &b, 100).await.status(), 201);
    }
    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");

    // Two leaves' hashes swapped: the first leaf's node no longer matches its journal line.
    tamper(
        &app,
        "UPDATE log_nodes SET hash = (SELECT hash FROM log_nodes WHERE level = 0 AND idx = 1)
         WHERE level = 0 AND idx = 0",
    )
    .await;
    let (code, out) = verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("Merkle log's node at level 0 index 0"),
        "{out}"
    );

    // A dropped subtree is named too.
    tamper(&app, "DELETE FROM log_nodes WHERE level = 1 AND idx = 0").await;
    let (code, out) = verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("no node at level 1 index 0"), "{out}");
}

#[tokio::test]
async fn lines_the_log_has_not_reached_are_logged_by_the_next_write() {
    let app = spawn_app().await;
    let a = funded(&app, "丙", 10_000).await;
    let b = funded(&app, "丁", 0).await;
    assert_eq!(transfer(&app, &a, &b, 100).await.status(), 201);
    // As after the log's migration on a journal that already had lines: an empty log.
    tamper(&app, "DELETE FROM log_nodes").await;
    tamper(
        &app,
        "UPDATE journal_head SET log_size = 0, log_lines = 0, log_frontier = substr(log_frontier, 1, 0)",
    )
    .await;
    // The next write logs the earlier lines before its own: every node is back.
    assert_eq!(transfer(&app, &a, &b, 100).await.status(), 201);
    let (code, out) = verify(&app);
    assert_eq!(code, Some(0), "{out}");
}
