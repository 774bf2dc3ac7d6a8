//! The bench's result: one JSON line of the rate, the latency percentiles and the refusals seen.

// Rates and percentiles of latencies are statistics for people, not money: floats are fine here.
#![allow(clippy::float_arithmetic)]

use super::load::Load;
use serde_json::{Value, json};

/// The `p` quantile of `sorted`, latencies in microseconds merged from every worker, in
/// milliseconds.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}

/// The JSON line `qianbao bench` prints last: what ran (`mix`, `concurrency`, `holders`) and what
/// the load saw.
pub(super) fn line(mix: &str, concurrency: usize, holders: usize, load: &Load) -> Value {
    json!({
        "mix": mix,
        "ops": load.ops,
        "ops_per_s": (load.ops as f64 / load.took_s).round(),
        "p50_ms": percentile(&load.latencies, 0.50),
        "p99_ms": percentile(&load.latencies, 0.99),
        "p999_ms": percentile(&load.latencies, 0.999),
        "errors": load.errors,
        "error_codes": load.error_codes.as_ref().map_or(Value::Null, |c| json!(c)),
        "concurrency": concurrency,
        "holders": holders,
        "seconds": (load.took_s * 10.0).round() / 10.0,
    })
}
