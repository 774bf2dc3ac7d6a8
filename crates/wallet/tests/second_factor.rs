//! The second factors as the risk rules call them, without HTTP: the TOTP check on `Kyc` (each
//! code once, the lock with its exact end, the drift window) and the step-up SMS code on
//! `Opening` (its tries, its expiry, used once), over a real SQLite store and a clock the test
//! moves by hand.
#![allow(clippy::unwrap_used)]

use qianbao_connectors::{SandboxBank, SandboxIdentity};
use qianbao_secrets::KeyRing;
use qianbao_store::{Location, Storage};
use qianbao_wallet::Clock;
use qianbao_wallet::domain::totp;
use qianbao_wallet::kyc::{Kyc, KycError};
use qianbao_wallet::opening::{Opening, OpeningError, OpeningPolicy};
use qianbao_wallet::records::HolderRecord;
use qianbao_wallet::storage::RecordStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const PASSWORD: &str = "Corr3ct-Horse-Battery";
const LOCK_MS: i64 = 3 * 3_600_000;

struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct World {
    store: Storage,
    opening: Opening,
    kyc: Kyc,
    clock: Arc<TestClock>,
    dir: std::path::PathBuf,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl World {
    async fn new() -> World {
        let dir = std::env::temp_dir().join(format!(
            "qianbao-wallet-second-factor-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Storage::open(&Location::SqliteDir(dir.clone()))
            .await
            .unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(1_800_000_000_000)));
        let ctx = qianbao_wallet::context::Context::new(
            Arc::new(KeyRing::generate(&qianbao_wallet::OsRandomness).unwrap()),
            clock.clone(),
            Arc::new(qianbao_wallet::OsRandomness),
        );
        let opening = Opening {
            ctx: ctx.clone(),
            policy: OpeningPolicy {
                otp_per_ip_hourly_max: None,
                otp_resend_ms: 0,
                keep_codes_in_outbox: true,
                ..OpeningPolicy::default()
            },
        };
        let kyc = Kyc {
            ctx,
            opening: opening.clone(),
            verifier: Arc::new(SandboxIdentity::new()),
            bank: Arc::new(SandboxBank::new([7; 32])),
            pin_tries_max: 5,
            pin_lock_ms: LOCK_MS,
        };
        World {
            store,
            opening,
            kyc,
            clock,
            dir,
        }
    }

    fn now_s(&self) -> i64 {
        self.clock.now_ms() / 1000
    }

    fn advance_s(&self, seconds: i64) {
        self.clock.0.fetch_add(seconds * 1000, Ordering::SeqCst);
    }

    async fn code_sent(&self, phone: &str, purpose: &str) -> String {
        self.opening
            .request_otp(&self.store, phone, purpose, "127.0.0.1")
            .await
            .unwrap();
        let sent = self.store.outbox(Some(phone.to_string()), 1).await.unwrap();
        sent[0].code.clone().unwrap()
    }

    async fn holder(&self) -> HolderRecord {
        let phone = format!("+86139{:08}", uuid::Uuid::new_v4().as_u128() % 100_000_000);
        let code = self.code_sent(&phone, "signup").await;
        let made = self
            .opening
            .sign_up(&self.store, &phone, &code, PASSWORD, None)
            .await
            .unwrap();
        RecordStore::transact(&self.store, move |r| r.holder(&made.user_id))
            .await
            .unwrap()
            .unwrap()
    }

    /// A holder with TOTP on; the clock is moved to the next step, so the next code is fresh.
    async fn with_totp(&self) -> (HolderRecord, Vec<u8>) {
        let holder = self.holder().await;
        let enrolment = self.kyc.enrol_totp(&self.store, &holder).await.unwrap();
        let secret = decode(&enrolment.secret);
        let code = totp::code_at(&secret, self.now_s(), 6);
        self.kyc
            .confirm_totp(&self.store, &holder, &code)
            .await
            .unwrap();
        self.advance_s(30);
        (holder, secret)
    }
}

fn decode(base32: &str) -> Vec<u8> {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in base32.chars() {
        buffer = (buffer << 5) | u32::try_from(alphabet.find(c).unwrap()).unwrap();
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).unwrap());
        }
    }
    out
}

fn wrong(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn a_right_totp_code_works_once_and_a_holder_without_totp_is_told_so() {
    let w = World::new().await;
    let stranger = w.holder().await;
    assert!(matches!(
        w.kyc.check_totp(&w.store, &stranger.id, "123456").await,
        Err(KycError::TotpNotEnabled)
    ));
    assert!(!w.kyc.totp_enabled(&w.store, &stranger.id).await.unwrap());
    // Enrolled but unconfirmed is not on either.
    w.kyc.enrol_totp(&w.store, &stranger).await.unwrap();
    assert!(matches!(
        w.kyc.check_totp(&w.store, &stranger.id, "123456").await,
        Err(KycError::TotpNotEnabled)
    ));

    let (holder, secret) = w.with_totp().await;
    assert!(w.kyc.totp_enabled(&w.store, &holder.id).await.unwrap());
    let code = totp::code_at(&secret, w.now_s(), 6);
    w.kyc.check_totp(&w.store, &holder.id, &code).await.unwrap();
    assert!(matches!(
        w.kyc.check_totp(&w.store, &holder.id, &code).await,
        Err(KycError::TotpInvalid { attempts_left: 4 })
    ));
}

#[tokio::test]
async fn five_wrong_totp_codes_lock_until_the_pin_lock_time_has_passed() {
    let w = World::new().await;
    let (holder, secret) = w.with_totp().await;
    let code = totp::code_at(&secret, w.now_s(), 6);
    for left in (1..5).rev() {
        assert!(matches!(
            w.kyc.check_totp(&w.store, &holder.id, &wrong(&code)).await,
            Err(KycError::TotpInvalid { attempts_left }) if attempts_left == left
        ));
    }
    assert!(matches!(
        w.kyc.check_totp(&w.store, &holder.id, &wrong(&code)).await,
        Err(KycError::TotpLocked {
            retry_after_s: 10_800
        })
    ));
    // One second before the end, the right code is still refused, with the time left.
    w.advance_s(LOCK_MS / 1000 - 1);
    let code = totp::code_at(&secret, w.now_s(), 6);
    assert!(matches!(
        w.kyc.check_totp(&w.store, &holder.id, &code).await,
        Err(KycError::TotpLocked { retry_after_s: 1 })
    ));
    w.advance_s(1);
    w.kyc.check_totp(&w.store, &holder.id, &code).await.unwrap();
}

#[tokio::test]
async fn a_totp_code_one_step_off_is_accepted_and_two_steps_off_is_not() {
    let w = World::new().await;
    let (holder, secret) = w.with_totp().await;
    w.advance_s(600);
    let now = w.now_s();
    for off in [-60, 60] {
        let code = totp::code_at(&secret, now + off, 6);
        assert!(
            matches!(
                w.kyc.check_totp(&w.store, &holder.id, &code).await,
                Err(KycError::TotpInvalid { .. })
            ),
            "{off} s off"
        );
    }
    let slow = totp::code_at(&secret, now - 30, 6);
    w.kyc.check_totp(&w.store, &holder.id, &slow).await.unwrap();
    let fast = totp::code_at(&secret, now + 30, 6);
    w.kyc.check_totp(&w.store, &holder.id, &fast).await.unwrap();
}

#[tokio::test]
async fn a_step_up_sms_code_counts_wrong_tries_and_works_once() {
    let w = World::new().await;
    let holder = w.holder().await;
    // No code asked for: nothing to match.
    assert!(matches!(
        w.opening
            .check_step_up_otp(&w.store, &holder, "123456")
            .await,
        Err(OpeningError::OtpInvalid {
            attempts_left: None
        })
    ));
    let code = w.code_sent(&holder.phone, "step_up").await;
    assert!(matches!(
        w.opening
            .check_step_up_otp(&w.store, &holder, &wrong(&code))
            .await,
        Err(OpeningError::OtpInvalid {
            attempts_left: Some(4)
        })
    ));
    // A code of another purpose is not a step-up code.
    let login = w.code_sent(&holder.phone, "login").await;
    assert!(
        w.opening
            .check_step_up_otp(&w.store, &holder, &login)
            .await
            .is_err()
    );
    w.opening
        .check_step_up_otp(&w.store, &holder, &code)
        .await
        .unwrap();
    assert!(matches!(
        w.opening.check_step_up_otp(&w.store, &holder, &code).await,
        Err(OpeningError::OtpInvalid {
            attempts_left: None
        })
    ));
}

#[tokio::test]
async fn a_step_up_sms_code_expires_and_dies_with_its_last_wrong_try() {
    let w = World::new().await;
    let holder = w.holder().await;
    let code = w.code_sent(&holder.phone, "step_up").await;
    w.advance_s(5 * 60);
    assert!(matches!(
        w.opening.check_step_up_otp(&w.store, &holder, &code).await,
        Err(OpeningError::OtpExpired)
    ));

    let code = w.code_sent(&holder.phone, "step_up").await;
    for _ in 0..5 {
        assert!(
            w.opening
                .check_step_up_otp(&w.store, &holder, &wrong(&code))
                .await
                .is_err()
        );
    }
    assert!(matches!(
        w.opening.check_step_up_otp(&w.store, &holder, &code).await,
        Err(OpeningError::OtpInvalid {
            attempts_left: None
        })
    ));
}
