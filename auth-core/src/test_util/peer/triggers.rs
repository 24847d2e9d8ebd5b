//! The pool's Lambda triggers: the events Cognito sends, and what it does with the answers.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::{Flow, Reply, ScriptedPeer, Trigger, err};
use crate::wire;

type Failure = (u16, &'static str, String);

/// A metadata map as a trigger receives it: `null` when the client sent none, as real events
/// carry it.
fn metadata(map: &std::collections::BTreeMap<String, String>) -> Value {
    if map.is_empty() {
        Value::Null
    } else {
        json!(map)
    }
}

fn attributes(list: &[wire::AttributeType]) -> Value {
    if list.is_empty() {
        return Value::Null;
    }
    let map: Map<String, Value> = list
        .iter()
        .map(|a| (a.name.clone(), json!(a.value)))
        .collect();
    Value::Object(map)
}

/// A `claimsToAddOrOverride` / `claimsToSuppress` pair applied to a token's claims.
fn apply_claims(claims: &mut Value, generation: Option<&Value>) {
    let Some(generation) = generation else {
        return;
    };
    if let Some(add) = generation["claimsToAddOrOverride"].as_object() {
        for (name, value) in add {
            claims[name] = value.clone();
        }
    }
    if let (Some(suppress), Some(claims)) = (
        generation["claimsToSuppress"].as_array(),
        claims.as_object_mut(),
    ) {
        for name in suppress.iter().filter_map(Value::as_str) {
            claims.remove(name);
        }
    }
}

impl ScriptedPeer {
    /// Invokes the function attached to `trigger`: `Ok(None)` when there is none, else the
    /// `response` it returned. Its error becomes Cognito's `UserLambdaValidationException`.
    fn invoke(
        &mut self,
        trigger: Trigger,
        source: &str,
        user_name: &str,
        request: Value,
    ) -> Result<Option<Value>, Failure> {
        if !self.lambdas.contains_key(&trigger) {
            return Ok(None);
        }
        let region = self
            .scenario
            .pool_id
            .split_once('_')
            .map_or("", |(region, _)| region);
        let version = if trigger == Trigger::PreTokenGeneration {
            "2"
        } else {
            "1"
        };
        let mut event = json!({
            "version": version,
            "triggerSource": source,
            "region": region,
            "userPoolId": self.scenario.pool_id,
            "userName": user_name,
            "callerContext": {"awsSdkVersion": "aws-sdk-rust-scripted", "clientId": self.scenario.client_id},
            "response": {},
        });
        event["request"] = request;
        self.trigger_events.push(event.clone());
        let function =
            self.lambdas
                .get_mut(&trigger)
                .ok_or((500, "InternalErrorException", String::new()))?;
        match function.invoke(event) {
            Ok(out) => Ok(Some(out.get("response").cloned().unwrap_or(Value::Null))),
            Err(message) => Err((
                400,
                "UserLambdaValidationException",
                format!("{} failed with error {message}.", trigger.name()),
            )),
        }
    }

    /// The attributes a trigger sees for a user.
    fn user_attributes(&self, user: usize) -> Value {
        let spec = self.user(user);
        let mut attributes = json!({
            "sub": spec.sub,
            "cognito:user_status": if spec.confirmed { "CONFIRMED" } else { "UNCONFIRMED" },
        });
        if let Some(alias) = spec.alias.as_deref().filter(|a| a.contains('@')) {
            attributes["email"] = json!(alias);
        }
        attributes
    }

    /// Pre authentication at InitiateAuth: its `ClientMetadata` arrives as `validationData`.
    pub(super) fn pre_authentication(
        &mut self,
        user: usize,
        client_metadata: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), Failure> {
        let request = json!({
            "userAttributes": self.user_attributes(user),
            "validationData": metadata(client_metadata),
        });
        let name = self.user(user).username.clone();
        self.invoke(
            Trigger::PreAuthentication,
            "PreAuthentication_Authentication",
            &name,
            request,
        )
        .map(drop)
    }

    /// Pre sign-up at SignUp; returns whether the user is confirmed (`autoConfirmUser`).
    pub(super) fn pre_sign_up(&mut self, input: &wire::SignUpInput) -> Result<bool, Failure> {
        let request = json!({
            "userAttributes": attributes(&input.user_attributes),
            "validationData": attributes(&input.validation_data),
            "clientMetadata": metadata(&input.client_metadata),
        });
        let response = self.invoke(
            Trigger::PreSignUp,
            "PreSignUp_SignUp",
            &input.username,
            request,
        )?;
        Ok(response.is_some_and(|r| r["autoConfirmUser"] == json!(true)))
    }

    /// CUSTOM_AUTH: asks the define-auth-challenge function what comes next and does it. With
    /// `srp_a` (InitiateAuth with `CHALLENGE_NAME` = `SRP_A`) the function may ask for
    /// PASSWORD_VERIFIER.
    pub(super) fn define_auth_challenge(
        &mut self,
        mut flow: Flow,
        srp_a: Option<&str>,
        now: SystemTime,
    ) -> Reply {
        let name = self.user(flow.user).username.clone();
        let request = json!({
            "userAttributes": self.user_attributes(flow.user),
            "session": flow.challenges,
            "clientMetadata": self.client_metadata,
        });
        let response = self
            .invoke(
                Trigger::DefineAuthChallenge,
                "DefineAuthChallenge_Authentication",
                &name,
                request,
            )?
            .unwrap_or(Value::Null);
        let issue = response["issueTokens"] == json!(true);
        let fail = response["failAuthentication"] == json!(true);
        match (issue, fail, response["challengeName"].as_str()) {
            (true, true, _) => err(
                "InvalidLambdaResponseException",
                "Invalid lambda response: issueTokens and failAuthentication are both true.",
            ),
            (true, false, _) => {
                flow.custom_done = true;
                self.after_password_ok(flow, now)
            }
            (false, true, _) => err("NotAuthorizedException", "Incorrect username or password."),
            (false, false, Some("PASSWORD_VERIFIER")) => match srp_a {
                Some(srp_a) => self.srp_challenge(flow, srp_a, now),
                None => err(
                    "InvalidLambdaResponseException",
                    "Invalid lambda response: PASSWORD_VERIFIER without SRP_A.",
                ),
            },
            (false, false, Some("CUSTOM_CHALLENGE")) => self.create_auth_challenge(flow, now),
            _ => err(
                "InvalidLambdaResponseException",
                "Invalid lambda response: no challenge, tokens or failure.",
            ),
        }
    }

    /// Asks the create-auth-challenge function for the challenge and presents it.
    fn create_auth_challenge(&mut self, mut flow: Flow, now: SystemTime) -> Reply {
        let name = self.user(flow.user).username.clone();
        let request = json!({
            "userAttributes": self.user_attributes(flow.user),
            "challengeName": "CUSTOM_CHALLENGE",
            "session": flow.challenges,
            "clientMetadata": self.client_metadata,
        });
        let response = self
            .invoke(
                Trigger::CreateAuthChallenge,
                "CreateAuthChallenge_Authentication",
                &name,
                request,
            )?
            .unwrap_or(Value::Null);
        flow.private = response["privateChallengeParameters"].clone();
        flow.challenge_metadata = response["challengeMetadata"].as_str().map(str::to_owned);
        let public = match &response["publicChallengeParameters"] {
            Value::Object(map) => Value::Object(map.clone()),
            _ => json!({}),
        };
        self.challenge(flow, "CUSTOM_CHALLENGE", public, now)
    }

    /// The answer of a CUSTOM_CHALLENGE: the verify function judges it, then the define
    /// function decides what comes next.
    pub(super) fn verify_auth_challenge_response(
        &mut self,
        mut flow: Flow,
        answer: &str,
        now: SystemTime,
    ) -> Reply {
        let name = self.user(flow.user).username.clone();
        let request = json!({
            "userAttributes": self.user_attributes(flow.user),
            "privateChallengeParameters": flow.private,
            "challengeAnswer": answer,
            "clientMetadata": self.client_metadata,
        });
        let response = self
            .invoke(
                Trigger::VerifyAuthChallengeResponse,
                "VerifyAuthChallengeResponse_Authentication",
                &name,
                request,
            )?
            .unwrap_or(Value::Null);
        flow.challenges.push(json!({
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": response["answerCorrect"] == json!(true),
            "challengeMetadata": flow.challenge_metadata.take(),
        }));
        self.define_auth_challenge(flow, None, now)
    }

    /// Pre token generation (event version 2) before tokens are issued: applies the claims
    /// the function adds or suppresses.
    pub(super) fn pre_token_generation(
        &mut self,
        user: usize,
        source: &str,
        id: &mut Value,
        access: &mut Value,
    ) -> Result<(), Failure> {
        let name = self.user(user).username.clone();
        let request = json!({
            "userAttributes": self.user_attributes(user),
            "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
            "scopes": ["aws.cognito.signin.user.admin"],
            "clientMetadata": self.client_metadata,
        });
        let Some(response) = self.invoke(Trigger::PreTokenGeneration, source, &name, request)?
        else {
            return Ok(());
        };
        let v2 = &response["claimsAndScopeOverrideDetails"];
        apply_claims(id, v2.get("idTokenGeneration"));
        apply_claims(access, v2.get("accessTokenGeneration"));
        apply_claims(id, response.get("claimsOverrideDetails"));
        Ok(())
    }
}
