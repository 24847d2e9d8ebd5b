//! Cross-check of SRP against pycognito (`pycognito.aws_srp.AWSSRP`), an independent
//! implementation, on many seeded random inputs.
//!
//! The Python interpreter is the peers' venv (`cargo xtask peers up` installs pycognito there;
//! `AUTH_PYTHON` overrides it). Like every peer test it is ignored by a plain `cargo test` and
//! fails with a message naming `cargo xtask peers up` when run without the peers.

#[path = "../../tests/support/peers.rs"]
mod peers;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use auth_core::srp::{SrpChallenge, SrpClient, SrpIdentity};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::{Rng, RngCore, SeedableRng};

const CASES: usize = 50;

struct Case {
    device: bool,
    a: Vec<u8>,
    pool_name: String,
    user: String,
    password: String,
    salt_hex: String,
    b_hex: String,
    secret_block: String,
    epoch_seconds: u64,
}

fn random_case(rng: &mut impl RngCore, i: usize) -> Case {
    let mut a = vec![0u8; 128];
    rng.fill_bytes(&mut a);
    let mut salt = vec![0u8; rng.gen_range(1..=32)];
    rng.fill_bytes(&mut salt);
    // pycognito hashes the salt hex verbatim; Cognito's salts (hex of a Java BigInteger) have
    // no leading zero byte, so neither do these.
    salt[0] |= 1;
    let mut salt_hex = hex::encode(&salt);
    if i.is_multiple_of(3) {
        salt_hex.remove(0); // odd length
        if salt_hex.starts_with('0') {
            salt_hex.replace_range(0..1, "1");
        }
    }
    let mut b = vec![0u8; rng.gen_range(32..=384)];
    rng.fill_bytes(&mut b);
    b[0] = b[0].clamp(1, 0xfe); // below N, no leading zero
    let mut b_hex = hex::encode(&b);
    if i % 4 == 1 {
        b_hex.remove(0);
        if b_hex.starts_with('0') {
            b_hex.replace_range(0..1, "2");
        }
    }
    let mut block = vec![0u8; rng.gen_range(1..200)];
    rng.fill_bytes(&mut block);
    let user: String = (0..rng.gen_range(1..40))
        .map(|_| char::from(rng.gen_range(b'a'..=b'z')))
        .collect();
    Case {
        device: i % 5 == 4,
        a,
        pool_name: format!("Pool{}", rng.gen_range(0..1_000_000)),
        user,
        password: format!("pässwörd-{}-✓", rng.r#gen::<u32>()),
        salt_hex,
        b_hex,
        secret_block: BASE64.encode(block),
        // Any second between 1970 and 2100, so day 1–9 and every weekday come up.
        epoch_seconds: rng.gen_range(0..4_102_444_800),
    }
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn srp_matches_pycognito_on_random_inputs() {
    let python = PathBuf::from(peers::python());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/pycognito_srp.py");
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5EED_C0DE);
    let cases: Vec<Case> = (0..CASES).map(|i| random_case(&mut rng, i)).collect();

    let mut input = String::new();
    for case in &cases {
        let mut json = serde_json::json!({
            "kind": if case.device { "device" } else { "user" },
            "a_hex": hex::encode(&case.a),
            "pool_id": format!("us-east-1_{}", case.pool_name),
            "username": case.user,
            "password": case.password,
            "salt_hex": case.salt_hex,
            "srp_b_hex": case.b_hex,
            "secret_block_b64": case.secret_block,
            "epoch_seconds": case.epoch_seconds,
        });
        if case.device {
            json["device_group_key"] = case.pool_name.clone().into();
            json["device_key"] = case.user.clone().into();
        } else {
            json["user_id_for_srp"] = case.user.clone().into();
        }
        input.push_str(&json.to_string());
        input.push('\n');
    }

    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (run `cargo xtask peers up`)",
                python.display()
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "pycognito script failed (is pycognito installed? run `cargo xtask peers up`):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), CASES);

    for (i, (case, theirs)) in cases.iter().zip(&lines).enumerate() {
        let client = SrpClient::from_private_bytes(&case.a).unwrap();
        assert_eq!(client.public_a_hex(), theirs["srp_a"], "case {i}: SRP_A");
        let identity = if case.device {
            SrpIdentity::device(&case.pool_name, &case.user, &case.password)
        } else {
            SrpIdentity::user(&case.pool_name, &case.user, &case.password)
        };
        let challenge = SrpChallenge::new(&case.salt_hex, &case.b_hex, &case.secret_block).unwrap();
        let key = client.derive_key(&identity, &challenge).unwrap();
        assert_eq!(
            hex::encode(key.as_bytes()),
            theirs["hkdf_hex"],
            "case {i}: HKDF key"
        );
        let now = UNIX_EPOCH + Duration::from_secs(case.epoch_seconds);
        let claim = client.password_claim(&identity, &challenge, now).unwrap();
        assert_eq!(claim.timestamp, theirs["timestamp"], "case {i}: TIMESTAMP");
        assert_eq!(
            claim.signature.expose(),
            theirs["signature"],
            "case {i}: PASSWORD_CLAIM_SIGNATURE"
        );
    }
    eprintln!(
        "pycognito agreed on {CASES} cases (A, HKDF key, TIMESTAMP, PASSWORD_CLAIM_SIGNATURE)"
    );
}
