//! Accessibility as a test: axe-core (from the npm registry; `scripts/test.sh` installs it under
//! `target/axe`) runs inside the page on every screen a browser journey shows, and any serious or
//! critical violation fails the journey that showed it. At a phone's width every visible tap
//! target must also be at least 44×44 CSS pixels (the size Apple and Android ask for; WCAG 2.5.5):
//! links inside running text are exempt, as WCAG exempts them, and a checkbox or radio is measured
//! by its label, which is what a finger presses.

use crate::webdriver::Window;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The version `scripts/test.sh` installs; the rules it knows are the rules the pages meet.
pub const AXE_VERSION: &str = "4.10.3";

/// axe-core's script, read once; `None` when it is not installed and not required.
fn axe_source() -> Option<&'static str> {
    static SOURCE: OnceLock<Option<String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = std::env::var_os("QIANBAO_AXE").map(PathBuf::from).unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target/axe/node_modules/axe-core/axe.min.js")
            });
            match std::fs::read_to_string(&path) {
                Ok(source) => {
                    let banner: String = source.chars().take(120).collect();
                    assert!(
                        banner.contains(&format!("axe v{AXE_VERSION}")),
                        "{} is not axe-core {AXE_VERSION}: {banner}",
                        path.display()
                    );
                    Some(source)
                }
                Err(_) if std::env::var("QIANBAO_REQUIRE_BROWSER").as_deref() == Ok("1") => panic!(
                    "QIANBAO_REQUIRE_BROWSER=1 but axe-core is not at {} (scripts/test.sh installs it)",
                    path.display()
                ),
                Err(_) => {
                    eprintln!(
                        "note: axe-core is not installed ({}); accessibility not checked (scripts/test.sh installs it)",
                        path.display()
                    );
                    None
                }
            }
        })
        .as_deref()
}

/// The check that runs in the page: axe's serious and critical violations, then tap targets
/// under 44 px when the window is a phone's. Each finding is one line.
const AUDIT: &str = r#"
const done = arguments[arguments.length - 1];
const shown = (e) => {
  if (e.closest('[hidden], [inert]')) return false;
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  // Visually hidden helpers (1 px, or moved off screen until focused) are not targets.
  return r.width > 2 && r.height > 2 && r.right > 0 && r.left < innerWidth && s.visibility !== 'hidden';
};
const name = (e) => e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '');
axe.run(document, { resultTypes: ['violations'] }).then((result) => {
  const found = [];
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const n of v.nodes) found.push(`${v.impact} ${v.id} at ${n.target.join(' ')}: ${v.help} — ${n.failureSummary.replace(/\s+/g, ' ')}`);
  }
  if (innerWidth <= 480) {
    const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab]';
    for (const e of document.querySelectorAll(targets)) {
      if (!shown(e)) continue;
      if (e.tagName === 'A' && getComputedStyle(e).display === 'inline' && e.closest('p, li, dd, td')) continue;
      let target = e;
      if (e.matches('input[type=checkbox], input[type=radio]')) target = e.closest('label') || (e.id && document.querySelector(`label[for="${e.id}"]`)) || e;
      const r = target.getBoundingClientRect();
      if (r.width < 43.5 || r.height < 43.5) found.push(`tap target ${name(e)} is ${Math.round(r.width)}×${Math.round(r.height)} px (at least 44×44)`);
    }
  }
  done(found);
}, (e) => done(['axe failed: ' + e]));
"#;

/// Runs the audit on what `w` shows now, naming `screen` in the failure.
pub async fn audit(w: &Window, screen: &str) {
    let Some(axe) = axe_source() else {
        return;
    };
    if w.run("return typeof window.axe", json!([])).await != "object" {
        w.run(axe, json!([])).await;
    }
    let found = w.run_async(AUDIT, json!([])).await;
    let found: Vec<String> = match found {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        other => vec![format!("the audit did not run: {other}")],
    };
    // While fixing many at once, `QIANBAO_A11Y_LOG=<file>` collects the findings instead of stopping.
    if let Some(log) = std::env::var_os("QIANBAO_A11Y_LOG") {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        for line in &found {
            writeln!(file, "{screen}\t{line}").unwrap();
        }
        return;
    }
    assert!(
        found.is_empty(),
        "accessibility on {screen}: {} finding(s)\n{}",
        found.len(),
        found.join("\n")
    );
}
