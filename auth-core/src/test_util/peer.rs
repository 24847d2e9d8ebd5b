//! [`ScriptedPeer`]: the server side of the user-pool operations the machines use.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::srp_server::{ServerSrp, verifier_from_base64};
use super::{FaultResponse, LambdaFunction, Scenario, Trigger, UserSpec};
use crate::machine::{Error, Machine, SESSION_LIFETIME};
use crate::srp::group::Fe;
use crate::srp::{DeviceVerifier, secret_hash};
use crate::wire::{self, Parameters};

mod cognito;
mod triggers;

/// A request the peer received: the operation and the JSON body (secrets included: this is a
/// test peer).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `InitiateAuth`, `RespondToAuthChallenge`, …
    pub operation: String,
    /// The body.
    pub body: Value,
}

#[derive(Debug, Clone)]
struct Flow {
    user: usize,
    expect: &'static str,
    srp: Option<ServerSrp>,
    device_key: Option<String>,
    custom: bool,
    round: usize,
    wrong_codes: u8,
    expires_at: SystemTime,
    /// The second factor (or a remembered device) is done.
    mfa_done: bool,
    device_done: bool,
    /// CUSTOM_AUTH with a define-auth-challenge function: the `session` of its events (one
    /// `{challengeName, challengeResult, challengeMetadata}` per challenge so far).
    challenges: Vec<Value>,
    /// The private parameters and metadata of the custom challenge being answered.
    private: Value,
    challenge_metadata: Option<String>,
    /// The define-auth-challenge function said to issue tokens.
    custom_done: bool,
}

#[derive(Clone)]
struct Device {
    user: usize,
    group: String,
    salt: Vec<u8>,
    v: Fe,
}

/// A scripted Cognito user pool. See the [module documentation](super).
pub struct ScriptedPeer {
    scenario: Scenario,
    flows: HashMap<String, Flow>,
    devices: HashMap<String, Device>,
    refresh_tokens: HashMap<String, usize>,
    sign_up_sessions: HashMap<String, usize>,
    counter: u64,
    op_counts: HashMap<String, usize>,
    log: Vec<RecordedRequest>,
    next_fault: Option<FaultResponse>,
    tokens_issued: usize,
    lambdas: HashMap<Trigger, LambdaFunction>,
    trigger_events: Vec<Value>,
    /// The `ClientMetadata` the current request passes to the challenge and token triggers
    /// (none from InitiateAuth: it reaches only pre authentication, as `validationData`).
    client_metadata: Value,
    /// The `triggerSource` of the next token generation, when not `..._Authentication`.
    token_source: Option<&'static str>,
}

impl std::fmt::Debug for ScriptedPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedPeer")
            .field("scenario", &self.scenario)
            .field("requests", &self.log.len())
            .field("triggers", &self.lambdas.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

type Reply = Result<Value, (u16, &'static str, String)>;

fn err(code: &'static str, message: impl Into<String>) -> Reply {
    Err((400, code, message.into()))
}

fn jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"scripted"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

fn unix(now: SystemTime) -> i64 {
    now.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

impl ScriptedPeer {
    /// A peer for `scenario`; remembered devices of the users are registered.
    pub fn new(scenario: Scenario) -> Self {
        let mut devices = HashMap::new();
        for (i, user) in scenario.users.iter().enumerate() {
            for device in &user.devices {
                let salt = [7u8; 16];
                let config = DeviceVerifier::from_parts(
                    &device.device_group_key,
                    &device.device_key,
                    device.random_password.clone(),
                    &salt,
                )
                .config();
                let v = verifier_from_base64(&config.password_verifier).unwrap_or(Fe::ONE);
                devices.insert(
                    device.device_key.clone(),
                    Device {
                        user: i,
                        group: device.device_group_key.clone(),
                        salt: salt.to_vec(),
                        v,
                    },
                );
            }
        }
        Self {
            scenario,
            flows: HashMap::new(),
            devices,
            refresh_tokens: HashMap::new(),
            sign_up_sessions: HashMap::new(),
            counter: 0,
            op_counts: HashMap::new(),
            log: Vec::new(),
            next_fault: None,
            tokens_issued: 0,
            lambdas: HashMap::new(),
            trigger_events: Vec::new(),
            client_metadata: Value::Null,
            token_source: None,
        }
    }

    /// Attaches a Lambda function to a trigger: the peer then invokes it where Cognito does,
    /// with the event Cognito sends, and acts on its response. A function's error fails the
    /// call with `UserLambdaValidationException` and Cognito's message
    /// (`PreAuthentication failed with error <message>.`).
    #[must_use]
    pub fn with_trigger(mut self, trigger: Trigger, function: LambdaFunction) -> Self {
        self.lambdas.insert(trigger, function);
        self
    }

    /// Every event the trigger functions were invoked with, in order (the `response` as sent:
    /// empty).
    pub fn trigger_events(&self) -> &[Value] {
        &self.trigger_events
    }

    /// Every request received, in order.
    pub fn requests(&self) -> &[RecordedRequest] {
        &self.log
    }

    /// The operations received, in order.
    pub fn operations(&self) -> Vec<&str> {
        self.log.iter().map(|r| r.operation.as_str()).collect()
    }

    /// Answers the next request with `response` instead (the request is not processed, so a
    /// session it carries stays valid).
    pub fn fail_next(&mut self, response: FaultResponse) {
        self.next_fault = Some(response);
    }

    /// How many times the peer answered with tokens (sign-in or refresh).
    pub fn tokens_issued(&self) -> usize {
        self.tokens_issued
    }

    /// The scenario (users change as the peer runs: sign-up, new passwords, devices).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Answers every request of `machine` until it has none, stopping at the first error.
    ///
    /// # Errors
    ///
    /// The machine's error.
    pub fn drive(&mut self, machine: &mut impl Machine, now: SystemTime) -> Result<(), Error> {
        while let Some(request) = machine.poll_request() {
            let response = self.handle(&request, now);
            machine.handle_response(response, now)?;
        }
        Ok(())
    }

    /// Answers one request.
    pub fn handle(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> http::Response<Vec<u8>> {
        let operation = request
            .headers()
            .get(wire::X_AMZ_TARGET)
            .and_then(|v| v.to_str().ok())
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or_default()
            .to_owned();
        let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
        self.log.push(RecordedRequest {
            operation: operation.clone(),
            body: body.clone(),
        });
        let nth = {
            let count = self.op_counts.entry(operation.clone()).or_default();
            *count += 1;
            *count - 1
        };
        let total = self.log.len() - 1;
        let fault = self
            .scenario
            .faults
            .iter()
            .find(|f| match &f.operation {
                Some(op) => *op == operation && f.nth == nth,
                None => f.nth == total,
            })
            .map(|f| f.response.clone());
        if let Some(fault) = self.next_fault.take().or(fault) {
            return match &fault {
                FaultResponse::Error {
                    code,
                    message,
                    status,
                } => error_response(*status, code, message),
                FaultResponse::Html503 => http::Response::builder()
                    .status(503)
                    .header("content-type", "text/html")
                    .body(b"<html><body>Service Unavailable</body></html>".to_vec())
                    .unwrap_or_default(),
                FaultResponse::EmptyObject => ok_response(&json!({})),
            };
        }
        self.counter += 1;
        self.token_source = None;
        self.client_metadata = match operation.as_str() {
            "RespondToAuthChallenge" | "GetTokensFromRefreshToken" | "ConfirmSignUp" => {
                body.get("ClientMetadata").cloned().unwrap_or(Value::Null)
            }
            _ => Value::Null,
        };
        let reply = match operation.as_str() {
            "InitiateAuth" => parse(&body).and_then(|i| self.initiate(&i, now)),
            "RespondToAuthChallenge" => parse(&body).and_then(|i| self.respond(&i, now)),
            "AssociateSoftwareToken" => parse(&body).and_then(|i| self.associate(&i, now)),
            "VerifySoftwareToken" => parse(&body).and_then(|i| self.verify_totp(&i, now)),
            "ConfirmDevice" => parse(&body).and_then(|i| self.confirm_device(&i)),
            "UpdateDeviceStatus" => Ok(json!({})),
            "SetUserMFAPreference" => {
                parse::<wire::SetUserMfaPreferenceInput>(&body).map(|_| json!({}))
            }
            "GetTokensFromRefreshToken" => parse(&body).and_then(|i| self.refresh(&i, now)),
            "SignUp" => parse(&body).and_then(|i| self.sign_up(&i)),
            "ConfirmSignUp" => parse(&body).and_then(|i| self.confirm_sign_up(&i)),
            "ResendConfirmationCode" | "ForgotPassword" => parse::<wire::ForgotPasswordInput>(&body)
                .and_then(|i| self.find(&i.username).map(|_| ()))
                .map(|()| json!({"CodeDeliveryDetails": {"DeliveryMedium": "EMAIL", "Destination": "a***@e***", "AttributeName": "email"}})),
            "ConfirmForgotPassword" => parse(&body).and_then(|i| self.confirm_forgot(&i)),
            _ => err("UnsupportedOperationException", format!("{operation} is not scripted")),
        };
        match reply {
            Ok(value) => ok_response(&value),
            Err((status, code, message)) => error_response(status, code, &message),
        }
    }

    fn find(&self, name: &str) -> Result<usize, (u16, &'static str, String)> {
        self.scenario
            .users
            .iter()
            .position(|u| u.username == name || u.sub == name || u.alias.as_deref() == Some(name))
            .ok_or((
                400,
                "NotAuthorizedException",
                "Incorrect username or password.".into(),
            ))
    }

    fn user(&self, i: usize) -> &UserSpec {
        &self.scenario.users[i]
    }

    fn check_secret_hash(&self, params: &Parameters) -> Result<(), (u16, &'static str, String)> {
        let Some(secret) = &self.scenario.client_secret else {
            return Ok(());
        };
        let username = params.get("USERNAME").unwrap_or_default();
        let expected = secret_hash(secret, username, &self.scenario.client_id);
        if params.get("SECRET_HASH") != Some(expected.expose()) {
            return Err((
                400,
                "NotAuthorizedException",
                "Client secret hash mismatch".into(),
            ));
        }
        Ok(())
    }

    fn new_session(&mut self, flow: Flow, now: SystemTime) -> String {
        let session = format!("session-{}-{}", self.counter, self.flows.len());
        let mut flow = flow;
        flow.expires_at = now + SESSION_LIFETIME;
        self.flows.insert(session.clone(), flow);
        session
    }

    fn challenge(
        &mut self,
        mut flow: Flow,
        name: &'static str,
        params: Value,
        now: SystemTime,
    ) -> Reply {
        flow.expect = name;
        let user = self.user(flow.user);
        let mut params = params;
        if params.get("USERNAME").is_none() {
            params["USERNAME"] = json!(user.username);
        }
        let session = self.new_session(flow, now);
        Ok(json!({"ChallengeName": name, "Session": session, "ChallengeParameters": params}))
    }

    fn tokens(&mut self, user: usize, device_key: Option<&str>, now: SystemTime) -> Reply {
        let spec = self.user(user).clone();
        let iat = unix(now);
        let mut access = json!({"sub": spec.sub, "username": spec.username, "iat": iat, "exp": iat + 3600,
            "token_use": "access", "client_id": self.scenario.client_id, "origin_jti": format!("jti-{}", self.counter)});
        let mut id = json!({"sub": spec.sub, "cognito:username": spec.username, "iat": iat, "exp": iat + 3600,
            "token_use": "id", "iss": format!("https://cognito-idp.us-east-1.amazonaws.com/{}", self.scenario.pool_id)});
        let source = match (self.token_source, device_key) {
            (_, Some("refresh")) => "TokenGeneration_RefreshTokens",
            (Some(source), _) => source,
            (None, _) => "TokenGeneration_Authentication",
        };
        self.pre_token_generation(user, source, &mut id, &mut access)?;
        let (access, id) = (jwt(&access), jwt(&id));
        let refresh = format!("refresh-{}-{}", spec.sub, self.counter);
        self.refresh_tokens.insert(refresh.clone(), user);
        self.tokens_issued += 1;
        let mut result = json!({"AccessToken": access, "IdToken": id, "RefreshToken": refresh,
            "ExpiresIn": 3600, "TokenType": "Bearer"});
        if self.scenario.track_devices && device_key.is_none() {
            result["NewDeviceMetadata"] = json!({"DeviceKey": format!("us-east-1_dev{}", self.counter),
                "DeviceGroupKey": format!("-grp{}", self.counter)});
        }
        Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
    }

    fn check_state(&self, user: usize) -> Result<(), (u16, &'static str, String)> {
        let spec = self.user(user);
        if !spec.confirmed {
            return Err((
                400,
                "UserNotConfirmedException",
                "User is not confirmed.".into(),
            ));
        }
        if spec.password_reset_required {
            return Err((
                400,
                "PasswordResetRequiredException",
                "Password reset required for the user".into(),
            ));
        }
        Ok(())
    }
}

fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, (u16, &'static str, String)> {
    serde_json::from_value(body.clone()).map_err(|e| (400, "SerializationException", e.to_string()))
}

fn ok_response(value: &Value) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", wire::CONTENT_TYPE_AMZ_JSON)
        .body(value.to_string().into_bytes())
        .unwrap_or_default()
}

fn error_response(status: u16, code: &str, message: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", wire::CONTENT_TYPE_AMZ_JSON)
        .body(
            json!({"__type": code, "message": message})
                .to_string()
                .into_bytes(),
        )
        .unwrap_or_default()
}
