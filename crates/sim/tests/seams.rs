//! The seams the simulation relies on, enforced: no code of the ledger, wallet, store,
//! connectors, secrets or server reads the wall clock, the monotonic clock or the operating
//! system's randomness except the reads listed here, each with why it is there. A new read fails
//! this test: route it through the `Clock` port (or a port of its own), or list it with a reason.
//! What is left is the production adapters themselves, real sockets' timeouts and the load
//! generator, a client (docs/simulation.md, "What is deterministic, and what is not").

use std::collections::BTreeMap;
use std::path::Path;

/// What reads time or randomness from the operating system directly.
const READS: [&str; 11] = [
    "SystemTime::now",
    "Instant::now",
    "now_utc",
    "now_local",
    "thread_rng",
    "OsRng",
    "rand::",
    "getrandom::",
    "Uuid::new_v4",
    "Uuid::now_v7",
    "Uuid::new_v7",
];

/// The crates whose sources are scanned.
const SCANNED: [&str; 6] = [
    "crates/ledger/src",
    "crates/wallet/src",
    "crates/store/src",
    "crates/connectors/src",
    "crates/secrets/src",
    "crates/server/src",
];

/// Every read allowed today: (file, read, how many times, why). Everything else reaches time
/// through the `Clock` port and randomness through the `Randomness` port (docs/simulation.md).
const ALLOWED: &[(&str, &str, usize, &str)] = &[
    // The production adapters themselves.
    (
        "crates/wallet/src/ports.rs",
        "SystemTime::now",
        1,
        "SystemClock::now_ms, the Clock port's production adapter",
    ),
    (
        "crates/wallet/src/ports.rs",
        "Instant::now",
        1,
        "SystemClock::monotonic, the Clock port's production reading for durations",
    ),
    (
        "crates/secrets/src/random.rs",
        "getrandom::",
        1,
        "OsRandomness, the Randomness port's production adapter",
    ),
    // The connection loop's timeouts race tokio's timers, which run on real time; the
    // simulation sends requests to the router in process and opens no socket.
    (
        "crates/server/src/serve.rs",
        "Instant::now",
        4,
        "header-read and idle timeouts of real connections",
    ),
    // The load generator (`qianbao bench`), a client, not the server.
    (
        "crates/server/src/bench/load.rs",
        "Instant::now",
        4,
        "load generator timing",
    ),
    (
        "crates/server/src/bench/load.rs",
        "Uuid::new_v4",
        1,
        "load generator keys",
    ),
    (
        "crates/server/src/bench/opening.rs",
        "Instant::now",
        1,
        "load generator timing",
    ),
    (
        "crates/server/src/bench/opening.rs",
        "Uuid::new_v4",
        1,
        "load generator keys",
    ),
    (
        "crates/server/src/bench/rng.rs",
        "Uuid::new_v4",
        1,
        "load generator seed",
    ),
    (
        "crates/server/src/bench/saved.rs",
        "Uuid::new_v4",
        1,
        "load generator folder",
    ),
];

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn nothing_reads_the_clock_or_the_os_randomness_outside_the_listed_seams() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut found: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for dir in SCANNED {
        let mut files = Vec::new();
        sources(&root.join(dir), &mut files);
        assert!(!files.is_empty(), "no sources under {dir}");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            // A file's unit tests (its trailing `mod tests`) may use what they like.
            let code = text
                .find("#[cfg(test)]\nmod tests")
                .map_or(text.as_str(), |at| &text[..at]);
            let name = file
                .strip_prefix(&root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            for read in READS {
                let count = code.matches(read).count();
                if count > 0 {
                    found.insert((name.clone(), read), count);
                }
            }
        }
    }
    let mut unexpected = Vec::new();
    for ((file, read), count) in &found {
        let allowed = ALLOWED
            .iter()
            .find(|(f, r, _, _)| f == file && r == read)
            .map_or(0, |(_, _, n, _)| *n);
        if *count > allowed {
            unexpected.push(format!("{file}: {read} ×{count} (allowed {allowed})"));
        }
    }
    assert!(
        unexpected.is_empty(),
        "direct reads of the clock or OS randomness outside the seams — route them through a \
         port, or list them in crates/sim/tests/seams.rs with why:\n{}",
        unexpected.join("\n")
    );
    // The list shrinks as seams close: an entry nothing matches any more must go.
    let stale: Vec<String> = ALLOWED
        .iter()
        .filter(|(f, r, _, _)| !found.contains_key(&(f.to_string(), *r)))
        .map(|(f, r, _, _)| format!("{f}: {r}"))
        .collect();
    assert!(stale.is_empty(), "listed but no longer read: {stale:?}");
}
