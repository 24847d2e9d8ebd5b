//! The differential: awslabs' `aws-jwt-verify` (5.2.1, from the npm registry, installed under
//! `target/peers/node/` by `cargo xtask peers up`) and our [`CognitoVerifier`] give their
//! verdicts on one corpus of Cognito-shaped tokens, valid and forged, generated here.
//!
//! Both sides verify with the same JWKS and no network: aws-jwt-verify through
//! `cacheJwks(jwks)`, ours through [`JwksCache::insert`] and `verify_sync`, on a cache whose
//! HTTP client fails the test if it is ever asked. The pool id is real-shaped
//! (`us-east-1_Differ3nt`), so both derive the issuer themselves; one verifier per token use
//! (`id`, `access`), both for one app client. aws-jwt-verify reads the real clock, so times
//! are relative to now with margins of minutes.
//!
//! Each class of tokens is either one where the two must agree on every token, or a known
//! divergence where we are stricter by design: then every disagreement must be ours
//! rejecting what aws-jwt-verify accepts, never the reverse. The table of counts per class is
//! printed (`--nocapture`) and reproduced in `docs/testing.md`.

#[path = "support/forge.rs"]
mod forge;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use auth_providers::{HttpClient, HttpFuture};
use auth_verify::{CognitoPool, CognitoVerifier, JwksCache, KeySet, TokenUse, VerifyErrorKind};
use forge::{Key, Signers};
use serde_json::{Value, json};

const POOL_ID: &str = "us-east-1_Differ3nt";
const CLIENT_ID: &str = "2differentialclient0000000";
const OTHER_CLIENT_ID: &str = "7anotherappclient000000000";
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Differ3nt";
/// Tokens per class (the 10 MB class has fewer).
const PER_CLASS: usize = 80;

/// An HTTP client that fails the test if the verifier ever tries to fetch.
#[derive(Debug)]
struct NoNetwork;

impl HttpClient for NoNetwork {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        panic!(
            "the differential runs offline, yet {} was fetched",
            request.uri()
        );
    }
}

/// How our verdict on a class relates to aws-jwt-verify's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    /// Same verdict on every token.
    Agree,
    /// We reject by design what aws-jwt-verify may accept (the reason is printed).
    Stricter(&'static str),
}

/// What our verifier must say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ours {
    Accept,
    Reject(VerifyErrorKind),
}

struct Case {
    class: &'static str,
    token_use: &'static str,
    token: String,
}

struct Class {
    name: &'static str,
    relation: Relation,
    ours: Ours,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A Cognito access token's claims (the members and order Cognito uses), for user `i`.
fn access_claims(i: usize, now: u64) -> Value {
    json!({
        "sub": format!("{:08x}-7c1b-4e8a-9d3f-{:012x}", i, i * 7919),
        "cognito:groups": ["readers"],
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": format!("origin-{i}"),
        "event_id": format!("event-{i}"),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now - 60,
        "exp": now + 3600,
        "iat": now - 60,
        "jti": format!("jti-{i}"),
        "username": format!("user-{i}"),
    })
}

/// A Cognito ID token's claims, for user `i`.
fn id_claims(i: usize, now: u64) -> Value {
    json!({
        "sub": format!("{:08x}-7c1b-4e8a-9d3f-{:012x}", i, i * 7919),
        "email_verified": true,
        "iss": ISSUER,
        "cognito:username": format!("user-{i}"),
        "origin_jti": format!("origin-{i}"),
        "aud": CLIENT_ID,
        "event_id": format!("event-{i}"),
        "token_use": "id",
        "auth_time": now - 60,
        "exp": now + 3600,
        "iat": now - 60,
        "jti": format!("jti-{i}"),
        "email": format!("user-{i}@example.com"),
        "custom:tenant": "acme",
    })
}

fn with(mut claims: Value, name: &str, value: Value) -> String {
    claims[name] = value;
    claims.to_string()
}

fn without(mut claims: Value, name: &str) -> String {
    claims.as_object_mut().unwrap().remove(name);
    claims.to_string()
}

fn header(kid: &str) -> String {
    json!({"kid": kid, "alg": "RS256"}).to_string()
}

/// The corpus and the classes it is made of.
fn corpus(signers: &Signers, now: u64) -> (Vec<Class>, Vec<Case>) {
    use Ours::{Accept, Reject};
    use Relation::{Agree, Stricter};
    use VerifyErrorKind as K;
    let mut classes = Vec::new();
    let mut cases = Vec::new();
    let mut class = |name: &'static str,
                     relation: Relation,
                     ours: Ours,
                     n: usize,
                     make: &mut dyn FnMut(usize) -> (&'static str, String)| {
        classes.push(Class {
            name,
            relation,
            ours,
        });
        for i in 0..n {
            let (token_use, token) = make(i);
            cases.push(Case {
                class: name,
                token_use,
                token,
            });
        }
    };
    let pool = header("pool-key-1");
    let attacker_jwk = forge::jwk("attacker");
    let pool_jwk = forge::jwk("pool");
    let public_pem = forge::fixture("rsa_pool.pub.pem");
    let public_der = forge::pem_der(&public_pem);
    // Alternates ID and access tokens: (token use, claims).
    let either = |i: usize| {
        if i.is_multiple_of(2) {
            ("access", access_claims(i, now))
        } else {
            ("id", id_claims(i, now))
        }
    };

    class("valid access token", Agree, Accept, PER_CLASS, &mut |i| {
        (
            "access",
            signers.sign(Key::Pool, &pool, &access_claims(i, now).to_string()),
        )
    });
    class("valid ID token", Agree, Accept, PER_CLASS, &mut |i| {
        (
            "id",
            signers.sign(Key::Pool, &pool, &id_claims(i, now).to_string()),
        )
    });
    class(
        "valid, by the pool's second key",
        Agree,
        Accept,
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            (
                u,
                signers.sign(Key::Pool2, &header("pool-key-2"), &c.to_string()),
            )
        },
    );
    class(
        "alg none (none/None/NONE/nOnE)",
        Agree,
        Reject(K::Algorithm),
        PER_CLASS,
        &mut |i| {
            let alg = ["none", "None", "NONE", "nOnE"][i % 4];
            let (u, c) = either(i);
            let h = json!({"kid": "pool-key-1", "alg": alg}).to_string();
            let input = forge::signing_input(&h, &c.to_string());
            // With an empty signature, and with the pool's RS256 signature.
            let sig = if i % 8 < 4 {
                String::new()
            } else {
                signers
                    .sign(Key::Pool, &pool, &c.to_string())
                    .rsplit_once('.')
                    .unwrap()
                    .1
                    .to_owned()
            };
            (u, format!("{input}.{sig}"))
        },
    );
    class(
        "HS256 keyed with the pool's public key",
        Agree,
        Reject(K::Algorithm),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let h = json!({"kid": "pool-key-1", "alg": "HS256"}).to_string();
            let secret: &[u8] = match i % 3 {
                0 => public_pem.as_bytes(),
                1 => &public_der,
                _ => pool_jwk["n"].as_str().unwrap().as_bytes(),
            };
            (u, forge::hs256(secret, &h, &c.to_string()))
        },
    );
    class(
        "RS256 token with alg rs256 or RS384",
        Agree,
        Reject(K::Algorithm),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let alg = ["rs256", "RS384", "RS512", "PS256"][i % 4];
            let h = json!({"kid": "pool-key-1", "alg": alg}).to_string();
            (u, signers.sign(Key::Pool, &h, &c.to_string()))
        },
    );
    let attacker_header = |member: &str, i: usize| {
        let kid = if i.is_multiple_of(2) {
            "attacker-key-1"
        } else {
            "pool-key-1"
        };
        let value = match member {
            "jwk" => attacker_jwk.clone(),
            "jku" => json!("https://attacker.example/.well-known/jwks.json"),
            _ => json!("https://attacker.example/cert.pem"),
        };
        json!({"kid": kid, "alg": "RS256", member: value}).to_string()
    };
    for (name, member) in [
        ("embedded jwk, attacker-signed", "jwk"),
        ("jku header, attacker-signed", "jku"),
        ("x5u header, attacker-signed", "x5u"),
    ] {
        class(name, Agree, Reject(K::Malformed), PER_CLASS, &mut |i| {
            let (u, c) = either(i);
            (
                u,
                signers.sign(Key::Attacker, &attacker_header(member, i), &c.to_string()),
            )
        });
    }
    for (name, member, value) in [
        (
            "embedded jwk (the pool's own), pool-signed",
            "jwk",
            pool_jwk.clone(),
        ),
        (
            "jku header, pool-signed",
            "jku",
            json!(format!("{ISSUER}/.well-known/jwks.json")),
        ),
        (
            "x5u header, pool-signed",
            "x5u",
            json!("https://attacker.example/cert.pem"),
        ),
    ] {
        class(
            name,
            Stricter("a header naming keys elsewhere is refused even with a valid signature"),
            Reject(K::Malformed),
            PER_CLASS,
            &mut |i| {
                let (u, c) = either(i);
                let h = json!({"kid": "pool-key-1", "alg": "RS256", member: value.clone()});
                (u, signers.sign(Key::Pool, &h.to_string(), &c.to_string()))
            },
        );
    }
    class(
        "unknown crit, pool-signed",
        Stricter("crit names extensions we do not implement (RFC 7515 §4.1.11)"),
        Reject(K::Malformed),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let h = json!({"kid": "pool-key-1", "alg": "RS256",
                           "crit": ["urn:example:unknown"], "urn:example:unknown": true});
            (u, signers.sign(Key::Pool, &h.to_string(), &c.to_string()))
        },
    );
    class(
        "ID token presented as access token",
        Agree,
        Reject(K::TokenUse),
        PER_CLASS,
        &mut |i| {
            (
                "access",
                signers.sign(Key::Pool, &pool, &id_claims(i, now).to_string()),
            )
        },
    );
    class(
        "access token presented as ID token",
        Agree,
        Reject(K::TokenUse),
        PER_CLASS,
        &mut |i| {
            (
                "id",
                signers.sign(Key::Pool, &pool, &access_claims(i, now).to_string()),
            )
        },
    );
    class(
        "token_use missing or neither id nor access",
        Agree,
        Reject(K::TokenUse),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let payload = match i % 3 {
                0 => without(c, "token_use"),
                1 => with(c, "token_use", json!("refresh")),
                _ => with(c, "token_use", json!("ID")),
            };
            (u, signers.sign(Key::Pool, &pool, &payload))
        },
    );
    class(
        "client id of another app",
        Agree,
        Reject(K::Audience),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let member = if u == "id" { "aud" } else { "client_id" };
            (
                u,
                signers.sign(Key::Pool, &pool, &with(c, member, json!(OTHER_CLIENT_ID))),
            )
        },
    );
    class(
        "another pool's issuer",
        Agree,
        Reject(K::Issuer),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let iss = [
                "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_An0therP00l",
                "https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_Differ3nt",
                "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Differ3nt/",
                "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_Differ3nt",
            ][i % 4];
            (
                u,
                signers.sign(Key::Pool, &pool, &with(c, "iss", json!(iss))),
            )
        },
    );
    class(
        "valid, Cognito's updated issuer format (issuer-cognito-idp)",
        Agree,
        Accept,
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let iss = format!("https://issuer-cognito-idp.us-east-1.amazonaws.com/{POOL_ID}");
            (
                u,
                signers.sign(Key::Pool, &pool, &with(c, "iss", json!(iss))),
            )
        },
    );
    class("expired", Agree, Reject(K::Expired), PER_CLASS, &mut |i| {
        let (u, c) = either(i);
        let exp = [now - 600, now - 86_400, 1_000_000_000][i % 3];
        (
            u,
            signers.sign(Key::Pool, &pool, &with(c, "exp", json!(exp))),
        )
    });
    class(
        "nbf in the future",
        Agree,
        Reject(K::NotYetValid),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let nbf = [now + 600, now + 86_400][i % 2];
            (
                u,
                signers.sign(Key::Pool, &pool, &with(c, "nbf", json!(nbf))),
            )
        },
    );
    class(
        "no exp",
        Stricter("exp is required; aws-jwt-verify checks it only when present"),
        Reject(K::Expired),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            (u, signers.sign(Key::Pool, &pool, &without(c, "exp")))
        },
    );
    class(
        "10 MB token, pool-signed",
        Stricter("refused by size (16 KiB) before any decoding"),
        Reject(K::Malformed),
        2,
        &mut |i| {
            let (u, c) = either(i);
            let padding = "A".repeat(10 * 1024 * 1024);
            (
                u,
                signers.sign(Key::Pool, &pool, &with(c, "padding", json!(padding))),
            )
        },
    );
    class(
        "duplicate claim keys, pool-signed",
        Stricter("a member twice is ambiguous (parsers disagree on which wins)"),
        Reject(K::Malformed),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let payload = c.to_string();
            // JSON.parse keeps the last: the genuine values come last, the decoys first.
            let decoy = match i % 4 {
                0 => r#""sub":"admin","#.to_owned(),
                1 => r#""token_use":"refresh","#.to_owned(),
                2 => format!(r#""iss":"https://attacker.example","exp":{},"#, now - 10),
                _ => format!(r#""client_id":"{OTHER_CLIENT_ID}","aud":"{OTHER_CLIENT_ID}","#),
            };
            let payload = format!("{{{decoy}{}", &payload[1..]);
            (u, signers.sign(Key::Pool, &pool, &payload))
        },
    );
    class(
        "bad signature (a bit flipped)",
        Agree,
        Reject(K::BadSignature),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let token = signers.sign(Key::Pool, &pool, &c.to_string());
            (u, forge::flip_signature(&token, i * 13))
        },
    );
    class(
        "payload byte flipped",
        Agree,
        Reject(K::BadSignature),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let token = signers.sign(Key::Pool, &pool, &c.to_string());
            (u, forge::flip_payload_byte(&token, i))
        },
    );
    class(
        "attacker-signed, pool's kid",
        Agree,
        Reject(K::BadSignature),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            (u, signers.sign(Key::Attacker, &pool, &c.to_string()))
        },
    );
    class(
        "unknown kid",
        Agree,
        Reject(K::UnknownKey),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let (key, kid) = if i.is_multiple_of(2) {
                (Key::Attacker, "attacker-key-1".to_owned())
            } else {
                (Key::Pool, format!("rotated-away-{i}"))
            };
            (u, signers.sign(key, &header(&kid), &c.to_string()))
        },
    );
    class(
        "no kid (the JWKS has two keys)",
        Agree,
        Reject(K::UnknownKey),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let h = json!({"alg": "RS256"}).to_string();
            (u, signers.sign(Key::Pool, &h, &c.to_string()))
        },
    );
    class(
        "not a JWS (parts, base64, JSON)",
        Agree,
        Reject(K::Malformed),
        PER_CLASS,
        &mut |i| {
            let (u, c) = either(i);
            let token = signers.sign(Key::Pool, &pool, &c.to_string());
            let forged = match i % 5 {
                0 => token.rsplit_once('.').unwrap().0.to_owned(),
                1 => format!("{token}.extra"),
                2 => token.replacen('.', ".!", 1),
                3 => {
                    let sig = token.rsplit_once('.').unwrap().1;
                    format!("{}.{sig}", forge::signing_input(&pool, "[1,2,3]"))
                }
                _ => format!(
                    "{}.{}",
                    forge::signing_input("\"RS256\"", &c.to_string()),
                    "AA"
                ),
            };
            (u, forged)
        },
    );
    (classes, cases)
}

/// `target/peers/node`, where `cargo xtask peers up` installs aws-jwt-verify.
fn node_modules_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest
        .ancestors()
        .find(|dir| dir.join(".cargo/config.toml").is_file())
        .unwrap_or(manifest);
    let dir = root.join("target/peers/node");
    assert!(
        dir.join("node_modules/aws-jwt-verify/package.json")
            .is_file(),
        "aws-jwt-verify is not installed in {}: run `cargo xtask peers up`",
        dir.display()
    );
    dir
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn aws_jwt_verify_and_ours_agree_on_a_corpus_except_where_we_are_stricter_by_design() {
    let node_dir = node_modules_dir();
    let signers = Signers::new();
    let now = now();
    let (classes, cases) = corpus(&signers, now);
    assert!(cases.len() >= 2000, "{} tokens", cases.len());

    let jwks = json!({"keys": [forge::jwk("pool"), forge::jwk("pool2")]});
    let dir = std::env::temp_dir().join(format!("auth-verify-differential-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("jwks.json"), jwks.to_string()).unwrap();
    std::fs::write(
        dir.join("config.json"),
        json!({"nodeModules": node_dir, "userPoolId": POOL_ID, "clientId": CLIENT_ID}).to_string(),
    )
    .unwrap();
    let mut corpus_text = String::new();
    for case in &cases {
        corpus_text.push_str(case.token_use);
        corpus_text.push(' ');
        corpus_text.push_str(&case.token);
        corpus_text.push('\n');
    }
    std::fs::write(dir.join("corpus.txt"), corpus_text).unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/verify.mjs");
    let output = Command::new("node")
        .arg(&script)
        .arg(&dir)
        .output()
        .expect("node is on PATH (cargo xtask peers up needs it too)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "verify.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(theirs.len(), cases.len(), "one verdict per token");

    // Ours: offline, on the keys inserted into the cache.
    let cache = JwksCache::new(NoNetwork);
    let verifier = |token_use| {
        CognitoVerifier::builder(cache.clone())
            .pool(
                CognitoPool::new(POOL_ID, token_use)
                    .unwrap()
                    .client_id(CLIENT_ID),
            )
            .build()
            .unwrap()
    };
    let (id, access) = (verifier(TokenUse::Id), verifier(TokenUse::Access));
    let pool = CognitoPool::new(POOL_ID, TokenUse::Id).unwrap();
    assert_eq!(pool.issuer(), ISSUER);
    // The same keys at the JWKS URL of both issuer formats (cacheJwks does the same).
    for (_, jwks_uri) in pool.issuers() {
        cache.insert(
            jwks_uri,
            KeySet::from_json(jwks.to_string().as_bytes()).unwrap(),
        );
    }
    let at = SystemTime::now();

    #[derive(Default)]
    struct Tally {
        n: usize,
        both_accept: usize,
        both_reject: usize,
        ours_only_reject: usize,
        theirs_only_reject: usize,
        their_errors: BTreeMap<String, usize>,
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for (case, their) in cases.iter().zip(&theirs) {
        let class = classes.iter().find(|c| c.name == case.class).unwrap();
        let verifier = if case.token_use == "id" { &id } else { &access };
        let ours = match verifier.verify_sync_at(&case.token, at) {
            Ok(claims) => {
                assert_eq!(claims.user_pool_id(), POOL_ID);
                assert_eq!(claims.client_id(), Some(CLIENT_ID));
                assert!(claims.username().is_some_and(|u| u.starts_with("user-")));
                Ours::Accept
            }
            Err(e) => Ours::Reject(e.kind()),
        };
        if ours != class.ours {
            failures.push(format!(
                "{}: ours {ours:?}, expected {:?}",
                class.name, class.ours
            ));
        }
        let they_accept = their == "accept";
        let tally = tallies.entry(class.name).or_default();
        tally.n += 1;
        match (ours == Ours::Accept, they_accept) {
            (true, true) => tally.both_accept += 1,
            (false, false) => tally.both_reject += 1,
            (false, true) => tally.ours_only_reject += 1,
            (true, false) => tally.theirs_only_reject += 1,
        }
        if let Some(error) = their.strip_prefix("reject ") {
            *tally.their_errors.entry(error.to_owned()).or_default() += 1;
        }
    }

    let mut table = String::from(
        "| class | tokens | both accept | both reject | only we reject | only they reject | relation | aws-jwt-verify's errors |\n|---|---|---|---|---|---|---|---|\n",
    );
    for class in &classes {
        let t = &tallies[class.name];
        let errors: Vec<String> = t
            .their_errors
            .iter()
            .map(|(e, n)| format!("{e} {n}"))
            .collect();
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            class.name,
            t.n,
            t.both_accept,
            t.both_reject,
            t.ours_only_reject,
            t.theirs_only_reject,
            match class.relation {
                Relation::Agree => "agree".to_owned(),
                Relation::Stricter(why) => format!("we are stricter: {why}"),
            },
            errors.join(", ")
        ));
        match class.relation {
            Relation::Agree => {
                if t.ours_only_reject + t.theirs_only_reject > 0 {
                    failures.push(format!("{}: the verdicts differ", class.name));
                }
            }
            Relation::Stricter(_) => {
                if t.theirs_only_reject > 0 {
                    failures.push(format!(
                        "{}: aws-jwt-verify rejects what we accept",
                        class.name
                    ));
                }
            }
        }
    }
    let total_agree: usize = tallies
        .values()
        .map(|t| t.both_accept + t.both_reject)
        .sum();
    eprintln!(
        "{} tokens, {} classes; same verdict on {total_agree}\n{table}",
        cases.len(),
        classes.len()
    );
    failures.dedup();
    assert!(failures.is_empty(), "{failures:#?}\n{table}");
}
