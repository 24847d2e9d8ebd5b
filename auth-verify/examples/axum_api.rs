//! An axum API behind a Cognito user pool: `/orders` accepts only access tokens of one app
//! client with the `orders/read` scope, and its handler reads the verified claims;
//! `/health` is open.
//!
//! ```sh
//! USER_POOL_ID=eu-west-1_AbCdEf123 CLIENT_ID=1example23456789 \
//!     cargo run -p auth-verify --features tower --example axum_api
//! curl -i localhost:3000/orders                                  # 401, WWW-Authenticate: Bearer
//! curl -i -H "Authorization: Bearer $ACCESS_TOKEN" localhost:3000/orders
//! ```

use auth_providers::ReqwestHttpClient;
use auth_verify::{CognitoClaims, CognitoPool, CognitoVerifier, JwksCache, TokenUse, VerifyLayer};
use axum::routing::get;
use axum::{Extension, Router};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool_id = std::env::var("USER_POOL_ID")?;
    let client_id = std::env::var("CLIENT_ID")?;

    // One key cache per process, shared by every verifier (clones share the keys).
    let keys = JwksCache::new(ReqwestHttpClient::builder().build()?);
    let verifier = CognitoVerifier::builder(keys)
        .pool(
            CognitoPool::new(pool_id, TokenUse::Access)?
                .client_id(client_id)
                .scope("orders/read"),
        )
        .build()?;
    // Fetch the pool's keys before the first request (a failure is not fatal: the first
    // request fetches again, at the cache's bounded rate).
    if let Err(error) = verifier.hydrate().await {
        eprintln!("the user pool's keys could not be fetched yet: {error}");
    }

    let app = Router::new()
        .route("/orders", get(orders))
        // Routes added before `layer` are behind it; `/health` below is not.
        .layer(VerifyLayer::new(verifier))
        .route("/health", get(|| async { "ok" }));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Runs only for a verified token: the layer put its claims in the request's extensions.
async fn orders(Extension(claims): Extension<CognitoClaims>) -> String {
    format!(
        "orders of {} (user {}, client {}, scopes: {})\n",
        claims.sub(),
        claims.username().unwrap_or("?"),
        claims.client_id().unwrap_or("?"),
        claims.scopes().collect::<Vec<_>>().join(" "),
    )
}
