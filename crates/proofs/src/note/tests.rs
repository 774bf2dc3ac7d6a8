//! Signed notes against published examples, round trips and tampering.

use super::*;

/// The example of c2sp.org/signed-note at C2SP/C2SP commit d4c16da5e7687a016619074e78dad84b2c7238cc
/// (the spec's "Example" section; later revisions show a note without its key). Verbatim.
const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

/// The example of the Go reference, golang.org/x/mod/sumdb/note (package doc and note_test.go):
/// its private key, verifier key, text and signature line. Verbatim.
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

/// The example checkpoint of c2sp.org/tlog-checkpoint. Verbatim; its key is not published.
const SPEC_CHECKPOINT: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

fn go_signing_key() -> SigningKey {
    let raw = B64.decode(GO_SKEY.splitn(5, '+').nth(4).unwrap()).unwrap();
    assert_eq!(raw[0], ED25519);
    SigningKey::from_bytes(&raw[1..].try_into().unwrap())
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn checkpoint() -> Checkpoint {
    Checkpoint {
        origin: "wallet.example/journal".into(),
        size: 1_234_567,
        root: [9; 32],
    }
}

#[test]
fn the_spec_example_verifies_and_its_vkey_round_trips() {
    let vkey = VerifierKey::parse(SPEC_VKEY).unwrap();
    assert_eq!(vkey.to_string(), SPEC_VKEY);
    assert_eq!(
        open_note(SPEC_NOTE, "example.com/foo", &vkey.key),
        Ok("This is an example message.\n")
    );
    // It is a signed note, not a checkpoint.
    assert!(matches!(
        verify_note(SPEC_NOTE, "example.com/foo", &vkey.key),
        Err(NoteError::NotACheckpoint(_))
    ));
}

#[test]
fn the_go_example_is_reproduced_byte_for_byte() {
    let skey = go_signing_key();
    let vkey = VerifierKey::parse(GO_VKEY).unwrap();
    assert_eq!(vkey.key, skey.verifying_key());
    assert_eq!(
        VerifierKey {
            name: "PeterNeumann".into(),
            key: skey.verifying_key()
        }
        .to_string(),
        GO_VKEY
    );
    // Ed25519 is deterministic, so signing the same text with the same key gives the same line.
    let note = sign_note(GO_TEXT, "PeterNeumann", &skey).unwrap();
    assert_eq!(note, format!("{GO_TEXT}\n{GO_SIG}"));
    assert_eq!(open_note(&note, "PeterNeumann", &vkey.key), Ok(GO_TEXT));
}

#[test]
fn the_tlog_checkpoint_example_parses() {
    let sigs = signatures(SPEC_CHECKPOINT).unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].name, "example.com/behind-the-sofa");
    assert_eq!(sigs[0].signature.len(), 64);
    let text = &SPEC_CHECKPOINT[..SPEC_CHECKPOINT.find("\n\n").unwrap() + 1];
    let c = Checkpoint::parse_body(text).unwrap();
    assert_eq!(
        (c.origin.as_str(), c.size),
        ("example.com/behind-the-sofa", 20_852_163)
    );
    assert_eq!(c.body(), text);
}

#[test]
fn a_signed_checkpoint_round_trips() {
    let log = key(1);
    let note = sign_note(&checkpoint().body(), "wallet.example/journal", &log).unwrap();
    assert_eq!(
        verify_note(&note, "wallet.example/journal", &log.verifying_key()),
        Ok(checkpoint())
    );
}

#[test]
fn a_witness_cosigns_and_both_verify() {
    let (log, witness) = (key(1), key(2));
    let note = sign_note(&checkpoint().body(), "wallet.example/journal", &log).unwrap();
    let both = add_signature(&note, "witness.example", &witness).unwrap();
    assert_eq!(
        verify_note(&both, "wallet.example/journal", &log.verifying_key()),
        Ok(checkpoint())
    );
    assert_eq!(
        verify_note(&both, "witness.example", &witness.verifying_key()),
        Ok(checkpoint())
    );
    let sigs = signatures(&both).unwrap();
    assert_eq!(
        sigs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["wallet.example/journal", "witness.example"]
    );
    assert_eq!(
        sigs[1].key_hash,
        key_hash("witness.example", &witness.verifying_key())
    );
    assert_eq!(
        add_signature(&both, "witness.example", &witness),
        Err(NoteError::AlreadySigned("witness.example".into()))
    );
}

#[test]
fn tampering_is_refused() {
    let (log, other) = (key(1), key(2));
    let name = "wallet.example/journal";
    let note = sign_note(&checkpoint().body(), name, &log).unwrap();
    let vk = log.verifying_key();
    // A changed body: one more leaf.
    let changed = note.replacen("1234567", "1234568", 1);
    assert_eq!(
        verify_note(&changed, name, &vk),
        Err(NoteError::BadSignature(name.into()))
    );
    // The wrong key, and the right key under the wrong name: no line names them.
    assert_eq!(
        verify_note(&note, name, &other.verifying_key()),
        Err(NoteError::NotSignedBy(name.into()))
    );
    assert_eq!(
        verify_note(&note, "other.example", &vk),
        Err(NoteError::NotSignedBy("other.example".into()))
    );
    // A truncated signature.
    let cut = format!("{}\n", &note[..note.len() - 6]);
    assert!(verify_note(&cut, name, &vk).is_err());
    // A forged line that carries the right key hash but another key's signature.
    let forged = sign_note(&checkpoint().body(), name, &other).unwrap();
    let mut raw = B64
        .decode(forged.rsplit(' ').next().unwrap().trim_end())
        .unwrap();
    raw[..4].copy_from_slice(&key_hash(name, &vk));
    let forged = format!(
        "{}\n\u{2014} {name} {}\n",
        checkpoint().body(),
        B64.encode(raw)
    );
    assert_eq!(
        verify_note(&forged, name, &vk),
        Err(NoteError::BadSignature(name.into()))
    );
    // No signature block at all.
    assert_eq!(
        verify_note(&checkpoint().body(), name, &vk),
        Err(NoteError::NoSignatures)
    );
}

#[test]
fn malformed_inputs_are_refused() {
    let log = key(1);
    assert_eq!(
        sign_note("no newline", "a", &log),
        Err(NoteError::MalformedText)
    );
    assert_eq!(
        sign_note("tab\there\n", "a", &log),
        Err(NoteError::MalformedText)
    );
    assert_eq!(
        sign_note("x\n", "a+b", &log),
        Err(NoteError::BadKeyName("a+b".into()))
    );
    assert_eq!(
        sign_note("x\n", "a b", &log),
        Err(NoteError::BadKeyName("a b".into()))
    );
    assert!(matches!(
        signatures("x\n\n-- a AAAA\n"),
        Err(NoteError::MalformedSignature(1))
    ));
    for body in [
        "o\n1\n\n",
        "o\n01\nAAAA\n",
        "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n1\nAAAA\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next\n",
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    ] {
        assert!(Checkpoint::parse_body(body).is_err(), "{body:?}");
    }
    assert!(
        VerifierKey::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
    assert!(
        VerifierKey::parse("PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
    assert!(VerifierKey::parse("PeterNeumann+c74f20a3").is_err());
    let zero = Checkpoint {
        origin: "o".into(),
        size: 0,
        root: [0; 32],
    };
    assert_eq!(Checkpoint::parse_body(&zero.body()), Ok(zero));
}
