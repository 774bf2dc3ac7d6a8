//! The holders a run opened, kept in a file so the next run against the same server uses them
//! again (`--reuse`): opening a thousand holders takes longer than the run itself, and a server that
//! has seen them already refuses their ID numbers a second time (`identity_taken`). The file holds
//! session tokens of sandbox wallets, so it is written readable by its owner only.

use super::http::{expect, send};
use super::opening::{BenchHolder, PASSWORD, sandbox_code};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::Path;

/// What the file holds.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Saved {
    /// The server the holders were opened on; another server's file is refused.
    pub(super) url: String,
    /// The hot merchant's static code, owned by the first holder.
    pub(super) static_qr: String,
    /// The holders, in the order they were opened.
    pub(super) holders: Vec<BenchHolder>,
}

/// Reads `path`; an error says why it cannot be used.
pub(super) fn load(path: &Path, url: &str) -> Result<Saved, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--reuse: cannot read {}: {e}", path.display()))?;
    let saved: Saved = serde_json::from_str(&text)
        .map_err(|e| format!("--reuse: {} is not a holders file: {e}", path.display()))?;
    if saved.url != url {
        return Err(format!(
            "--reuse: {} holds holders of {}, not of {url}",
            path.display(),
            saved.url
        ));
    }
    Ok(saved)
}

/// Writes `saved` to `path`, readable by its owner only.
pub(super) fn store(path: &Path, saved: &Saved) -> Result<(), String> {
    let text = serde_json::to_string_pretty(saved).map_err(|e| e.to_string())?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| e.to_string())
}

/// `holder` with a session that works now: its saved token when the server still takes it, else
/// a new sign-in with its password from the device it opened on (and, for a file without one, the
/// SMS code the server asks of a device it does not know).
pub(super) async fn signed_in(
    client: &reqwest::Client,
    base: &str,
    holder: BenchHolder,
) -> Result<BenchHolder, String> {
    let (status, _) = send(
        client,
        reqwest::Method::GET,
        format!("{base}/v1/me"),
        Some(&holder.token),
        None,
        None,
    )
    .await?;
    if status == 200 {
        return Ok(holder);
    }
    let sign_in = |otp: Option<String>| {
        let mut body = json!({"phone": holder.phone, "password": PASSWORD, "device_name": "bench"});
        if let Some(device) = &holder.device_id {
            body["device_id"] = json!(device);
        }
        if let Some(otp) = otp {
            body["otp"] = json!(otp);
        }
        send(
            client,
            reqwest::Method::POST,
            format!("{base}/v1/sessions"),
            None,
            None,
            Some(body),
        )
    };
    let mut answer = sign_in(None).await?;
    if answer.0 == 401 && answer.1["code"] == "step_up_required" {
        expect(
            "otp",
            send(
                client,
                reqwest::Method::POST,
                format!("{base}/v1/otp"),
                None,
                None,
                Some(json!({"phone": holder.phone, "purpose": "login"})),
            )
            .await?,
            202,
        )?;
        let code = sandbox_code(client, base, &holder.phone).await?;
        answer = sign_in(Some(code)).await?;
    }
    let session = expect("sign-in again", answer, 201)?;
    Ok(BenchHolder {
        token: session["token"].as_str().unwrap_or_default().to_string(),
        ..holder
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_reads_back_for_its_own_server_only() {
        let dir = std::env::temp_dir().join(format!("qb-bench-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("holders.json");
        let saved = Saved {
            url: "http://127.0.0.1:18100".into(),
            static_qr: "qianbao://m/x".into(),
            holders: vec![BenchHolder {
                token: "t".into(),
                wallet_id: "w".into(),
                phone: "+8613900000000".into(),
                device_id: None,
            }],
        };
        store(&path, &saved).unwrap();
        let back = load(&path, "http://127.0.0.1:18100").unwrap();
        assert_eq!(back.holders.len(), 1);
        assert_eq!(back.holders[0].phone, "+8613900000000");
        assert!(load(&path, "http://127.0.0.1:9").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only its owner reads the tokens");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
