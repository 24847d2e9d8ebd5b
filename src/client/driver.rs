//! The async driver: one loop for every sans-IO machine of `auth-core`, and single Cognito
//! calls.
//!
//! The machines never send anything; this module does: it takes each request from
//! [`Machine::poll_request`], sends it with the configured [`HttpClient`], and hands the response back
//! with the time of the configured clock, until the machine has nothing left to send.

use std::time::SystemTime;

use auth_core::config::UserPoolConfig;
use auth_core::machine::Machine;
use auth_core::wire::{self, Operation, OperationInput};
use auth_providers::{HttpClient, SharedHttpClient};

use super::AuthError;

/// Drives `machine` until it has no request left: poll, send, hand the response back with
/// `now()`. A request without a response is [`AuthError::Transport`], after the machine was
/// told ([`Machine::transport_failed`]: it is back at the user's step, or holds the request
/// for a resend, and keeps what the user holds); a response the machine refuses is
/// [`AuthError::Flow`] (the machine's state says what may happen next).
pub(crate) async fn drive<M: Machine + Send>(
    http: &SharedHttpClient,
    now: impl Fn() -> SystemTime,
    machine: &mut M,
    operation: &'static str,
) -> Result<(), AuthError> {
    while let Some(request) = machine.poll_request() {
        let target = target(&request);
        tracing::debug!(target = %target, "sending");
        let response = match http.send(request).await {
            Ok(response) => response,
            Err(source) => {
                // Cannot fail: the request just taken is the one in flight.
                let _ = machine.transport_failed(now());
                return Err(AuthError::Transport { operation, source });
            }
        };
        tracing::debug!(status = response.status().as_u16(), "response");
        machine
            .handle_response(response, now())
            .map_err(|source| AuthError::Flow { operation, source })?;
    }
    Ok(())
}

/// One Cognito user-pool call: encode, send, decode.
pub(crate) async fn call<I>(
    http: &SharedHttpClient,
    config: &UserPoolConfig,
    input: &I,
) -> Result<<I::Operation as Operation>::Output, AuthError>
where
    I: OperationInput,
{
    let operation = <I::Operation as Operation>::NAME;
    let request = wire::encode(config.endpoint(), input);
    let response = http
        .send(request)
        .await
        .map_err(|source| AuthError::Transport { operation, source })?;
    wire::decode::<I::Operation, _>(response)
        .map_err(|source| AuthError::Service { operation, source })
}

fn target(request: &http::Request<Vec<u8>>) -> String {
    request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("?")
        .to_owned()
}
