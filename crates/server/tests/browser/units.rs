//! The pages' own modules, checked where they run: `units.js` imports the served `money.js`
//! (yuan text ⇄ integer fen) and the strings of both languages into a real page in Chromium and
//! checks them case by case; and every script in `web/` is served, as JavaScript, as it is on disk.

use crate::helpers::spawn_app;
use crate::journeys::ready;
use crate::webdriver::Driver;
use serde_json::{Value, json};
use std::path::Path;

/// The checks, a plain script defining `qianbaoUnitTests(base)`.
const UNITS: &str = include_str!("units.js");

#[tokio::test]
async fn the_money_parser_and_formatter_and_the_strings_pass_their_checks_in_chromium() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, 360, 800).await;
    // In the holder's page, so the modules load under its Content-Security-Policy.
    w.goto(&format!("{}/", app.address)).await;
    ready(&w).await;
    let script = format!(
        "{UNITS}\nconst done = arguments[arguments.length - 1];\n\
         qianbaoUnitTests(location.origin).then(done, \
         (e) => done([{{name: 'the checks ran', ok: false, got: String(e), want: 'no error'}}]));"
    );
    let results = w.run_async(&script, json!([])).await;
    let results = results
        .as_array()
        .unwrap_or_else(|| panic!("the checks did not answer a list: {results}"));
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r["ok"] != Value::Bool(true))
        .map(|r| format!("{}: got {}, want {}", r["name"], r["got"], r["want"]))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} checks failed:\n{}",
        failed.len(),
        results.len(),
        failed.join("\n")
    );
    assert!(results.len() > 80, "only {} checks ran", results.len());
    w.close().await;
}

#[tokio::test]
async fn every_script_of_the_pages_is_served_as_javascript() {
    let app = spawn_app().await;
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let mut served = 0;
    for entry in std::fs::read_dir(&web).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.ends_with(".js") {
            continue;
        }
        let r = app.get(&format!("/assets/{name}")).await;
        assert_eq!(
            r.status(),
            200,
            "{name} is not in the server's list of assets"
        );
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/javascript"), "{name}: {kind}");
        let body = r.text().await.unwrap();
        assert_eq!(
            body,
            std::fs::read_to_string(&path).unwrap(),
            "{name} is served as it is on disk"
        );
        served += 1;
    }
    assert!(served > 20, "only {served} scripts");
    // Both pages load their script as a module (the modules import one another).
    for page in ["/", "/merchant", "/console"] {
        let html = app.get(page).await.text().await.unwrap();
        assert!(html.contains("<script type=\"module\""), "{page}");
    }
}
