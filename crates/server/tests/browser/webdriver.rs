//! Just enough of the W3C WebDriver protocol to drive Chromium the way a person would: open a
//! page, type, click, upload a file, read text, wait for something to appear, take a screenshot.
//! It talks JSON over HTTP to Debian's `chromedriver`, which this module starts and stops.

use base64::Engine;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key WebDriver names an element reference by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a wait for something on the page lasts before the test fails.
const WAIT: Duration = Duration::from_secs(15);

/// A running `chromedriver`, killed on drop.
pub struct Driver {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts `chromedriver` on a free port and waits until it answers.
    pub async fn start(chromedriver: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let started = Instant::now();
        loop {
            let ready = driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .ok();
            if let Some(r) = ready {
                let body: Value = r.json().await.unwrap_or_default();
                if body["value"]["ready"] == true {
                    return driver;
                }
            }
            assert!(started.elapsed() < WAIT, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless Chromium window with a `width`×`height` screen (CSS pixels) and its own
    /// cookies and storage: a phone's screen by device emulation, a desktop's (1000 px wide or
    /// more) as the window itself, so clicks land where the page lays things out.
    pub async fn window(&self, chromium: &Path, width: u32, height: u32) -> Window {
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
        ];
        let mut options = json!({"binary": chromium});
        if width >= 1000 {
            args.push(format!("--window-size={width},{height}"));
        } else {
            // Headless windows are at least 500 px wide; a phone's screen needs device emulation.
            args.push("--window-size=800,1000".into());
            options["mobileEmulation"] = json!({"deviceMetrics": {
                "width": width, "height": height, "pixelRatio": 1.0, "touch": false
            }});
        }
        options["args"] = json!(args);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options
        }}});
        let r = self
            .http
            .post(format!("{}/session", self.url))
            .json(&caps)
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        let id = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {body}"))
            .to_string();
        Window {
            base: format!("{}/session/{id}", self.url),
            http: self.http.clone(),
        }
    }
}

/// One browser window (a WebDriver session).
pub struct Window {
    base: String,
    http: reqwest::Client,
}

/// An element on the page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Window {
    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let r = request.send().await.unwrap();
        let body: Value = r.json().await.unwrap_or_default();
        body["value"].clone()
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.command("POST", "/url", json!({"url": url})).await;
    }

    /// The first element matching the CSS `selector` that is there now.
    pub async fn find_now(&self, selector: &str) -> Option<Element> {
        let found = self
            .command(
                "POST",
                "/element",
                json!({"using": "css selector", "value": selector}),
            )
            .await;
        found[ELEMENT].as_str().map(|id| Element(id.to_string()))
    }

    /// Waits for an element matching `selector` that is displayed.
    pub async fn find(&self, selector: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(e) = self.find_now(selector).await
                && self.displayed(&e).await
            {
                return e;
            }
            if started.elapsed() > WAIT {
                let text = self.page_text().await;
                panic!("`{selector}` did not appear; the page shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn displayed(&self, e: &Element) -> bool {
        self.command("GET", &format!("/element/{}/displayed", e.0), Value::Null)
            .await
            == true
    }

    /// Clears the input `selector` and types `text` into it.
    pub async fn fill(&self, selector: &str, text: &str) {
        let e = self.find(selector).await;
        self.command("POST", &format!("/element/{}/clear", e.0), json!({}))
            .await;
        self.command(
            "POST",
            &format!("/element/{}/value", e.0),
            json!({"text": text}),
        )
        .await;
    }

    /// Hands the file at `path` to the file input `selector`, as choosing it in the dialog would.
    pub async fn upload(&self, selector: &str, path: &Path) {
        let e = self
            .find_now(selector)
            .await
            .unwrap_or_else(|| panic!("no file input `{selector}`"));
        self.command(
            "POST",
            &format!("/element/{}/value", e.0),
            json!({"text": path.to_str().unwrap()}),
        )
        .await;
    }

    /// Clicks the element `selector` once it is displayed.
    pub async fn click(&self, selector: &str) {
        let e = self.find(selector).await;
        // Centred, so the sticky top bar cannot be the one that takes the click.
        self.run(
            "arguments[0].scrollIntoView({block: 'center'})",
            json!([{ELEMENT: e.0}]),
        )
        .await;
        let r = self
            .command("POST", &format!("/element/{}/click", e.0), json!({}))
            .await;
        assert!(r.get("error").is_none(), "clicking `{selector}`: {r}");
    }

    /// The visible text of `selector`.
    pub async fn text(&self, selector: &str) -> String {
        let e = self.find(selector).await;
        self.command("GET", &format!("/element/{}/text", e.0), Value::Null)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The value of the form field `selector`.
    pub async fn value(&self, selector: &str) -> String {
        let e = self.find(selector).await;
        self.command(
            "GET",
            &format!("/element/{}/property/value", e.0),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Waits until `selector`'s text satisfies `ok`; returns it.
    pub async fn wait_text(&self, selector: &str, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Some(e) = self.find_now(selector).await {
                let text = self
                    .command("GET", &format!("/element/{}/text", e.0), Value::Null)
                    .await;
                let text = text.as_str().unwrap_or_default();
                if ok(text) {
                    return text.to_string();
                }
            }
            if started.elapsed() > WAIT {
                let page = self.page_text().await;
                panic!("`{selector}` never showed the expected text; the page shows:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `selector`'s text contains `part`.
    pub async fn wait_for_text(&self, selector: &str, part: &str) -> String {
        self.wait_text(selector, |t| t.contains(part)).await
    }

    /// Runs `script` in the page (as a function body) and returns what it returns.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
        .await
    }

    /// Sets a cookie for the site shown now (HttpOnly ones too, as the server would).
    pub async fn add_cookie(&self, name: &str, value: &str) {
        let r = self
            .command(
                "POST",
                "/cookie",
                json!({"cookie": {"name": name, "value": value, "path": "/", "httpOnly": true}}),
            )
            .await;
        assert!(r.get("error").is_none(), "setting cookie `{name}`: {r}");
    }

    /// Runs `script` in the page (as a function body) that answers by calling its last argument,
    /// and returns what it was called with.
    pub async fn run_async(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/async",
            json!({"script": script, "args": args}),
        )
        .await
    }

    /// The text of the whole page, for failure messages.
    pub async fn page_text(&self) -> String {
        self.run(
            "return document.body ? document.body.innerText : ''",
            json!([]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// A PNG of what the window shows.
    pub async fn screenshot(&self) -> Vec<u8> {
        let b64 = self.command("GET", "/screenshot", Value::Null).await;
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .unwrap()
    }

    /// A PNG of the element `selector` alone (a QR code on a till's screen, say).
    pub async fn element_screenshot(&self, selector: &str) -> Vec<u8> {
        let e = self.find(selector).await;
        self.run(
            "arguments[0].scrollIntoView({block: 'center'})",
            json!([{ELEMENT: e.0}]),
        )
        .await;
        let b64 = self
            .command("GET", &format!("/element/{}/screenshot", e.0), Value::Null)
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .unwrap()
    }

    /// Closes the window.
    pub async fn close(self) {
        self.command("DELETE", "", Value::Null).await;
    }
}
