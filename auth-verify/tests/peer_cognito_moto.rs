//! Tokens issued by a user pool of moto (`cargo xtask peers up`), verified end to end with
//! [`CognitoVerifier`]: the keys fetched from moto's JWKS endpoint over HTTP, the ID and
//! access tokens accepted with typed claims, and the same tokens altered refused with the
//! kind a server maps to its answer.
//!
//! What moto fakes, and what that means here:
//! - its `iss` is the real-shaped `https://cognito-idp.us-east-1.amazonaws.com/<pool id>`
//!   (the region of the request's credential scope), but its JWKS is served at
//!   `<moto>/<pool id>/.well-known/jwks.json`: the pool is configured with
//!   [`CognitoPool::endpoint`] (the issuer as Cognito's, the JWKS URL moto's);
//! - **every pool of every moto signs with one key** (kid `dummy`, whose private half ships
//!   in moto's package): a token of another pool verifies with this pool's key, so only the
//!   issuer check refuses it (tested below);
//! - tokens last one hour and carry no `event_id`; the access token's scope is always
//!   `aws.cognito.signin.user.admin`.
//!
//! Each test creates its own pool, app clients and user with moto's API (unique names).

#[path = "support/forge.rs"]
mod forge;
#[path = "../../tests/support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use auth_providers::{HttpClient, ReqwestHttpClient};
use auth_verify::{
    CognitoPool, CognitoVerifier, JwksCache, TokenUse, VerifyErrorKind, peek_unverified,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use forge::{Key, Signers};
use serde_json::{Value, json};

const PASSWORD: &str = "Moto-passw0rd!";

fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}{}x{nanos}x{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// One call to moto's Cognito API (AWS JSON 1.1), as the admin.
async fn idp(moto: &str, operation: &str, body: &Value) -> Value {
    let request = http::Request::post(format!("{moto}/"))
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
        // moto routes by the service and takes the region of the credential scope.
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body.to_string().into_bytes())
        .unwrap();
    let response = ReqwestHttpClient::builder()
        .build()
        .unwrap()
        .send(request)
        .await
        .unwrap();
    let status = response.status();
    let text = String::from_utf8_lossy(response.body()).into_owned();
    assert!(status.is_success(), "{operation}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A pool with a custom attribute and a group, two app clients, and a user in the group.
struct Pool {
    moto: String,
    id: String,
    client: String,
    other_client: String,
    username: String,
}

impl Pool {
    async fn create(moto: &str) -> Self {
        let pool = idp(
            moto,
            "CreateUserPool",
            &json!({"PoolName": unique("verify"),
                    "Schema": [{"Name": "tenant", "AttributeDataType": "String", "Mutable": true}]}),
        )
        .await;
        let id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
        let client = |name| {
            let id = id.clone();
            async move {
                let client = idp(
                    moto,
                    "CreateUserPoolClient",
                    &json!({"UserPoolId": id, "ClientName": unique(name),
                            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
                )
                .await;
                client["UserPoolClient"]["ClientId"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let (client, other_client) = (client("api").await, client("other-app").await);
        let username = unique("user");
        idp(
            moto,
            "AdminCreateUser",
            &json!({"UserPoolId": id, "Username": username, "TemporaryPassword": "Temp-passw0rd!",
                    "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": "custom:tenant", "Value": "acme"},
                                       {"Name": "email", "Value": "user@example.com"}]}),
        )
        .await;
        idp(
            moto,
            "AdminSetUserPassword",
            &json!({"UserPoolId": id, "Username": username, "Password": PASSWORD, "Permanent": true}),
        )
        .await;
        idp(
            moto,
            "CreateGroup",
            &json!({"UserPoolId": id, "GroupName": "admins"}),
        )
        .await;
        idp(
            moto,
            "AdminAddUserToGroup",
            &json!({"UserPoolId": id, "Username": username, "GroupName": "admins"}),
        )
        .await;
        Self {
            moto: moto.to_owned(),
            id,
            client,
            other_client,
            username,
        }
    }

    /// `(id token, access token)` of the user, signed in with USER_PASSWORD_AUTH at `client`.
    async fn sign_in(&self, client: &str) -> (String, String) {
        let answer = idp(
            &self.moto,
            "InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                    "AuthParameters": {"USERNAME": self.username, "PASSWORD": PASSWORD}}),
        )
        .await;
        let result = &answer["AuthenticationResult"];
        (
            result["IdToken"].as_str().unwrap().to_owned(),
            result["AccessToken"].as_str().unwrap().to_owned(),
        )
    }

    /// moto's JWKS URL for this pool.
    fn jwks_uri(&self) -> String {
        format!("{}/{}/.well-known/jwks.json", self.moto, self.id)
    }

    /// The pool as a verifier trusts it: Cognito's issuer, moto's JWKS URL.
    fn trusted(&self, token_use: TokenUse) -> CognitoPool {
        let pool = CognitoPool::new(&self.id, token_use).unwrap();
        let issuer = pool.issuer().to_owned();
        pool.endpoint(issuer, self.jwks_uri())
            .client_id(&self.client)
    }
}

fn verifier(keys: &JwksCache, pool: CognitoPool) -> CognitoVerifier {
    CognitoVerifier::builder(keys.clone())
        .pool(pool)
        .build()
        .unwrap()
}

fn keys() -> JwksCache {
    JwksCache::new(ReqwestHttpClient::builder().build().unwrap())
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn moto_serves_the_pools_jwks_at_the_pool_path_and_its_issuer_is_cognitos() {
    let moto = peers::moto();
    let pool = Pool::create(&moto).await;
    let keys = keys();
    let jwks = keys.hydrate(&pool.jwks_uri()).await.unwrap();
    assert_eq!(jwks.len(), 1, "moto publishes one RSA key");
    assert_eq!(jwks.keys()[0].kid(), Some("dummy"));
    let (id_token, _) = pool.sign_in(&pool.client).await;
    let unverified = peek_unverified(&id_token).unwrap();
    assert_eq!(
        unverified.claim("iss").and_then(Value::as_str),
        Some(format!("https://cognito-idp.us-east-1.amazonaws.com/{}", pool.id).as_str()),
        "moto's issuer is the real-shaped one, not its own URL"
    );
    assert_eq!(
        CognitoPool::new(&pool.id, TokenUse::Id).unwrap().issuer(),
        unverified.claim("iss").and_then(Value::as_str).unwrap()
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn moto_id_and_access_tokens_verify_with_typed_claims() {
    let moto = peers::moto();
    let pool = Pool::create(&moto).await;
    let (id_token, access_token) = pool.sign_in(&pool.client).await;
    let keys = keys();

    let ids = verifier(&keys, pool.trusted(TokenUse::Id).group("admins"));
    let id = ids.verify(&id_token).await.unwrap();
    assert_eq!(id.token_use(), TokenUse::Id);
    assert_eq!(id.user_pool_id(), pool.id);
    assert_eq!(id.username(), Some(pool.username.as_str()));
    assert_eq!(id.client_id(), Some(pool.client.as_str()));
    assert_eq!(id.groups(), ["admins"]);
    assert_eq!(id.custom_attribute("tenant"), Some("acme"));
    assert!(!id.sub().is_empty());
    assert!(id.origin_jti().is_some());
    assert!(id.auth_time().is_some());

    let access_verifier = verifier(
        &keys,
        pool.trusted(TokenUse::Access)
            .scope("aws.cognito.signin.user.admin"),
    );
    let access = access_verifier.verify(&access_token).await.unwrap();
    assert_eq!(access.token_use(), TokenUse::Access);
    assert_eq!(access.sub(), id.sub(), "one user, one sub");
    assert_eq!(access.username(), Some(pool.username.as_str()));
    assert_eq!(access.client_id(), Some(pool.client.as_str()));
    assert_eq!(access.origin_jti(), id.origin_jti());
    assert_eq!(
        access.scopes().collect::<Vec<_>>(),
        ["aws.cognito.signin.user.admin"]
    );

    // Either accepts both; and once fetched the keys serve verify_sync without I/O.
    let either = verifier(&keys, pool.trusted(TokenUse::Either));
    assert_eq!(
        either.verify_sync(&id_token).unwrap().token_use(),
        TokenUse::Id
    );
    assert_eq!(
        either.verify_sync(&access_token).unwrap().token_use(),
        TokenUse::Access
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn moto_tokens_altered_are_refused_with_the_right_kind() {
    let moto = peers::moto();
    let pool = Pool::create(&moto).await;
    let (id_token, access_token) = pool.sign_in(&pool.client).await;
    let (other_id, other_access) = pool.sign_in(&pool.other_client).await;
    let keys = keys();
    let ids = verifier(&keys, pool.trusted(TokenUse::Id));
    let accesses = verifier(&keys, pool.trusted(TokenUse::Access));
    ids.hydrate().await.unwrap();

    let kind =
        |verifier: &CognitoVerifier, token: &str| verifier.verify_sync(token).unwrap_err().kind();

    // A byte of the payload flipped (inside the sub), the signature kept.
    for token in [&id_token, &access_token] {
        let verifier = if token == &id_token { &ids } else { &accesses };
        assert_eq!(
            kind(verifier, &forge::flip_payload_byte(token, 0)),
            VerifyErrorKind::BadSignature
        );
        assert_eq!(
            kind(verifier, &forge::flip_signature(token, 7)),
            VerifyErrorKind::BadSignature
        );
    }

    // The same claims signed by another key under moto's kid.
    let signers = Signers::new();
    let payload = |token: &str| {
        String::from_utf8(
            URL_SAFE_NO_PAD
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    let header = r#"{"kid":"dummy","alg":"RS256"}"#;
    let resigned = signers.sign(Key::Attacker, header, &payload(&id_token));
    assert_eq!(kind(&ids, &resigned), VerifyErrorKind::BadSignature);
    // ... and under a kid moto never published (the refetch is rate-limited: no new key).
    let unknown = signers.sign(
        Key::Attacker,
        r#"{"kid":"attacker-key-1","alg":"RS256"}"#,
        &payload(&access_token),
    );
    assert_eq!(
        accesses.verify(&unknown).await.unwrap_err().kind(),
        VerifyErrorKind::UnknownKey
    );

    // Genuine tokens of another app client of the pool.
    assert_eq!(kind(&ids, &other_id), VerifyErrorKind::Audience);
    assert_eq!(kind(&accesses, &other_access), VerifyErrorKind::Audience);

    // The access token presented as an ID token, and the reverse.
    assert_eq!(kind(&ids, &access_token), VerifyErrorKind::TokenUse);
    assert_eq!(kind(&accesses, &id_token), VerifyErrorKind::TokenUse);

    // Expired: moto's tokens last an hour.
    let later = SystemTime::now() + Duration::from_secs(2 * 3600);
    assert_eq!(
        ids.verify_sync_at(&id_token, later).unwrap_err().kind(),
        VerifyErrorKind::Expired
    );

    // Missing group and scope.
    let admins_only = verifier(&keys, pool.trusted(TokenUse::Access).group("auditors"));
    assert_eq!(
        kind(&admins_only, &access_token),
        VerifyErrorKind::MissingGroup
    );
    let scoped = verifier(&keys, pool.trusted(TokenUse::Access).scope("orders/write"));
    assert_eq!(kind(&scoped, &access_token), VerifyErrorKind::MissingScope);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_token_of_another_moto_pool_is_refused_by_its_issuer_although_moto_signs_it_with_the_same_key()
 {
    let moto = peers::moto();
    let (pool, other) = (Pool::create(&moto).await, Pool::create(&moto).await);
    let (_, foreign) = other.sign_in(&other.client).await;
    let keys = keys();
    // The other pool's token verifies under the other pool's configuration...
    let theirs = CognitoPool::new(&other.id, TokenUse::Access).unwrap();
    let theirs = theirs
        .clone()
        .endpoint(theirs.issuer().to_owned(), other.jwks_uri())
        .client_id(&other.client);
    verifier(&keys, theirs).verify(&foreign).await.unwrap();
    // ... but not here, even with a client id list that contains its client: iss differs.
    let ours = verifier(
        &keys,
        pool.trusted(TokenUse::Access).client_id(&other.client),
    );
    assert_eq!(
        ours.verify(&foreign).await.unwrap_err().kind(),
        VerifyErrorKind::Issuer
    );
}
