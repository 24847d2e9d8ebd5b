//! The scripted pool's side of each operation: which challenge comes next, what a right or
//! wrong answer does, sessions, devices, refresh, sign-up and password reset.

use std::time::SystemTime;

use base64::Engine as _;
use serde_json::{Value, json};

use super::super::srp_server::{ServerSrp, verifier, verifier_from_base64};
use super::super::{
    CONFIRMATION_CODE, EMAIL_CODE, Mfa, SMS_CODE, TOTP_CODE, TOTP_SECRET, UserSpec,
};
use super::{Device, Flow, Reply, ScriptedPeer, Trigger, err};
use crate::machine::sign_in::MfaType;
use crate::wire;

impl ScriptedPeer {
    /// After the first factor: device SRP, new password, MFA, custom rounds or tokens.
    pub(super) fn after_first_factor(&mut self, flow: Flow, now: SystemTime) -> Reply {
        self.check_state(flow.user)?;
        if flow
            .device_key
            .as_ref()
            .is_some_and(|k| self.devices.contains_key(k))
            && !flow.device_done
        {
            return self.challenge(flow, "DEVICE_SRP_AUTH", json!({}), now);
        }
        let spec = self.user(flow.user).clone();
        if let Some(missing) = &spec.new_password_required {
            let required: Vec<String> = missing
                .iter()
                .map(|a| format!("userAttributes.{a}"))
                .collect();
            let params = json!({"requiredAttributes": serde_json::to_string(&required).unwrap_or_default(),
                "userAttributes": r#"{"email_verified":"true"}"#});
            return self.challenge(flow, "NEW_PASSWORD_REQUIRED", params, now);
        }
        self.after_password_ok(flow, now)
    }

    pub(super) fn after_password_ok(&mut self, flow: Flow, now: SystemTime) -> Reply {
        let spec = self.user(flow.user).clone();
        if !flow.mfa_done && !flow.device_done {
            match &spec.mfa {
                Mfa::None => {}
                Mfa::Sms => return self.mfa_challenge(flow, MfaType::Sms, now),
                Mfa::Totp => return self.mfa_challenge(flow, MfaType::Totp, now),
                Mfa::Email => return self.mfa_challenge(flow, MfaType::Email, now),
                Mfa::Select(list) => {
                    let names: Vec<&str> = list.iter().map(|m| m.challenge_name()).collect();
                    let params = json!({"MFAS_CAN_CHOOSE": serde_json::to_string(&names).unwrap_or_default()});
                    return self.challenge(flow, "SELECT_MFA_TYPE", params, now);
                }
                Mfa::Setup(list) => {
                    let names: Vec<&str> = list.iter().map(|m| m.challenge_name()).collect();
                    let params = json!({"MFAS_CAN_SETUP": serde_json::to_string(&names).unwrap_or_default()});
                    return self.challenge(flow, "MFA_SETUP", params, now);
                }
            }
        }
        if flow.custom
            && !flow.custom_done
            && self.lambdas.contains_key(&Trigger::DefineAuthChallenge)
        {
            return self.define_auth_challenge(flow, None, now);
        }
        if flow.custom && flow.round < spec.custom_rounds.len() {
            let params = json!({"round": flow.round.to_string(), "question": format!("answer of round {}", flow.round)});
            return self.challenge(flow, "CUSTOM_CHALLENGE", params, now);
        }
        let user = flow.user;
        let device = flow.device_key.filter(|k| self.devices.contains_key(k));
        self.tokens(user, device.as_deref(), now)
    }

    pub(super) fn mfa_challenge(&mut self, flow: Flow, mfa: MfaType, now: SystemTime) -> Reply {
        match mfa {
            MfaType::Sms => self.challenge(flow, "SMS_MFA", json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0100"}), now),
            MfaType::Totp => self.challenge(flow, "SOFTWARE_TOKEN_MFA", json!({}), now),
            MfaType::Email => self.challenge(flow, "EMAIL_OTP", json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***"}), now),
        }
    }

    pub(super) fn srp_challenge(&mut self, mut flow: Flow, srp_a: &str, now: SystemTime) -> Reply {
        let spec = self.user(flow.user).clone();
        let pool_name = self
            .scenario
            .pool_id
            .split_once('_')
            .map_or("", |(_, n)| n)
            .to_owned();
        let salt = [0x5a, 0x17, 0x33, 0x01];
        let v = verifier(&pool_name, &spec.sub, &spec.password, &salt);
        let srp =
            ServerSrp::start(&pool_name, &spec.sub, &salt, v, srp_a, self.counter).ok_or((
                400,
                "InvalidParameterException",
                "SRP_A is invalid".to_owned(),
            ))?;
        let params = json!({"SALT": srp.salt_hex(), "SRP_B": srp.b_hex(), "SECRET_BLOCK": srp.secret_block_base64(),
            "USER_ID_FOR_SRP": spec.sub, "USERNAME": spec.username});
        flow.srp = Some(srp);
        self.challenge(flow, "PASSWORD_VERIFIER", params, now)
    }

    pub(super) fn initiate(&mut self, input: &wire::InitiateAuthInput, now: SystemTime) -> Reply {
        if input.client_id != self.scenario.client_id {
            return err(
                "ResourceNotFoundException",
                "User pool client does not exist.",
            );
        }
        let params = &input.auth_parameters;
        if matches!(
            input.auth_flow,
            wire::AuthFlow::RefreshTokenAuth | wire::AuthFlow::RefreshToken
        ) {
            let token = params.get("REFRESH_TOKEN").unwrap_or_default();
            let user = *self.refresh_tokens.get(token).ok_or((
                400,
                "NotAuthorizedException",
                "Invalid Refresh Token".to_owned(),
            ))?;
            return self.tokens(user, Some("refresh"), now).map(|mut v| {
                if let Some(result) = v
                    .get_mut("AuthenticationResult")
                    .and_then(Value::as_object_mut)
                {
                    result.remove("RefreshToken");
                }
                v
            });
        }
        let user = self.find(params.get("USERNAME").unwrap_or_default())?;
        self.check_secret_hash(params)?;
        self.pre_authentication(user, &input.client_metadata)?;
        let device_key = params.get("DEVICE_KEY").map(str::to_owned);
        if device_key
            .as_ref()
            .is_some_and(|key| !self.devices.contains_key(key))
        {
            return err("ResourceNotFoundException", "Device does not exist.");
        }
        let flow = Flow {
            user,
            expect: "",
            srp: None,
            device_key,
            custom: input.auth_flow == wire::AuthFlow::CustomAuth,
            round: 0,
            wrong_codes: 0,
            expires_at: now,
            mfa_done: false,
            device_done: false,
            challenges: Vec::new(),
            private: Value::Null,
            challenge_metadata: None,
            custom_done: false,
        };
        let password_ok =
            |peer: &Self, password: Option<&str>| -> Result<(), (u16, &'static str, String)> {
                if password != Some(peer.user(user).password.as_str()) {
                    return Err((
                        400,
                        "NotAuthorizedException",
                        "Incorrect username or password.".into(),
                    ));
                }
                Ok(())
            };
        match input.auth_flow {
            wire::AuthFlow::UserPasswordAuth => {
                password_ok(self, params.get("PASSWORD"))?;
                self.after_first_factor(flow, now)
            }
            wire::AuthFlow::UserSrpAuth => {
                self.srp_challenge(flow, params.get("SRP_A").unwrap_or_default(), now)
            }
            wire::AuthFlow::CustomAuth
                if self.lambdas.contains_key(&Trigger::DefineAuthChallenge) =>
            {
                let srp_a = params.get("CHALLENGE_NAME") == Some("SRP_A");
                let mut flow = flow;
                if srp_a {
                    flow.challenges.push(json!({"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null}));
                } else {
                    self.check_state(user)?;
                }
                self.define_auth_challenge(
                    flow,
                    srp_a.then(|| params.get("SRP_A").unwrap_or_default()),
                    now,
                )
            }
            wire::AuthFlow::CustomAuth => {
                if params.get("CHALLENGE_NAME") == Some("SRP_A") {
                    return self.srp_challenge(flow, params.get("SRP_A").unwrap_or_default(), now);
                }
                self.check_state(user)?;
                self.after_password_ok(flow, now)
            }
            wire::AuthFlow::UserAuth => {
                if let Some(session) = input.session.as_ref().map(|s| s.expose().to_owned()) {
                    return match self.sign_up_sessions.remove(&session) {
                        Some(u) if u == user => self.tokens(user, None, now),
                        _ => err("NotAuthorizedException", "Invalid session for the user."),
                    };
                }
                match params.get("PREFERRED_CHALLENGE") {
                    Some("PASSWORD") => {
                        password_ok(self, params.get("PASSWORD"))?;
                        self.after_first_factor(flow, now)
                    }
                    Some("PASSWORD_SRP") => {
                        self.srp_challenge(flow, params.get("SRP_A").unwrap_or_default(), now)
                    }
                    Some("EMAIL_OTP") => self.mfa_challenge(flow, MfaType::Email, now),
                    Some("SMS_OTP") => self.challenge(
                        flow,
                        "SMS_OTP",
                        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS"}),
                        now,
                    ),
                    _ => {
                        let available: Vec<String> = self
                            .user(user)
                            .first_factors
                            .iter()
                            .map(|f| f.as_str().to_owned())
                            .collect();
                        let mut reply = self.challenge(flow, "SELECT_CHALLENGE", json!({}), now)?;
                        reply["AvailableChallenges"] = json!(available);
                        Ok(reply)
                    }
                }
            }
            _ => err("InvalidParameterException", "Unsupported auth flow"),
        }
    }

    pub(super) fn respond(
        &mut self,
        input: &wire::RespondToAuthChallengeInput,
        now: SystemTime,
    ) -> Reply {
        let session = input
            .session
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        // Sessions are single-use: a stale one is refused, as Cognito does.
        let Some(mut flow) = self.flows.remove(&session) else {
            return err(
                "NotAuthorizedException",
                "Invalid session for the user, session is expired.",
            );
        };
        if now >= flow.expires_at {
            return err(
                "NotAuthorizedException",
                "Invalid session for the user, session is expired.",
            );
        }
        let challenge = input.challenge_name.as_str();
        let r = &input.challenge_responses;
        let expected_name = match flow.expect {
            "MFA_SETUP_VERIFIED" => "MFA_SETUP",
            other => other,
        };
        if challenge != expected_name {
            return err(
                "InvalidParameterException",
                format!("Expected challenge {expected_name}"),
            );
        }
        self.check_secret_hash(r)?;
        let keep = |peer: &mut Self, flow: Flow, session: String| {
            peer.flows.insert(session, flow);
        };
        match flow.expect {
            "PASSWORD_VERIFIER" => {
                let srp = flow.srp.take().ok_or((400, "InternalErrorException", String::new()))?;
                let spec = self.user(flow.user);
                if r.get("USERNAME") != Some(spec.username.as_str()) && r.get("USERNAME") != Some(spec.sub.as_str()) {
                    return err("NotAuthorizedException", "Incorrect username or password.");
                }
                let ok = srp.verify(r.get("PASSWORD_CLAIM_SIGNATURE").unwrap_or_default(), r.get("TIMESTAMP").unwrap_or_default());
                if !ok {
                    return err("NotAuthorizedException", "Incorrect username or password.");
                }
                if let Some(key) = r.get("DEVICE_KEY") {
                    if !self.devices.contains_key(key) {
                        return err("ResourceNotFoundException", "Device does not exist.");
                    }
                    flow.device_key = Some(key.to_owned());
                } else {
                    flow.device_key = None;
                }
                if flow.custom {
                    flow.challenges.push(json!({"challengeName": "PASSWORD_VERIFIER", "challengeResult": true, "challengeMetadata": null}));
                }
                self.after_first_factor(flow, now)
            }
            "DEVICE_SRP_AUTH" => {
                let key = r.get("DEVICE_KEY").unwrap_or_default().to_owned();
                let device = self
                    .devices
                    .get(&key)
                    .filter(|d| d.user == flow.user)
                    .ok_or((400, "ResourceNotFoundException", "Device does not exist.".to_owned()))?;
                let srp = ServerSrp::start(&device.group, &key, &device.salt, device.v, r.get("SRP_A").unwrap_or_default(), self.counter)
                    .ok_or((400, "InvalidParameterException", "SRP_A is invalid".to_owned()))?;
                let params = json!({"SALT": srp.salt_hex(), "SRP_B": srp.b_hex(), "SECRET_BLOCK": srp.secret_block_base64(), "DEVICE_KEY": key});
                flow.srp = Some(srp);
                self.challenge(flow, "DEVICE_PASSWORD_VERIFIER", params, now)
            }
            "DEVICE_PASSWORD_VERIFIER" => {
                let srp = flow.srp.take().ok_or((400, "InternalErrorException", String::new()))?;
                if !srp.verify(r.get("PASSWORD_CLAIM_SIGNATURE").unwrap_or_default(), r.get("TIMESTAMP").unwrap_or_default()) {
                    return err("NotAuthorizedException", "Incorrect device password.");
                }
                flow.device_done = true;
                self.token_source = Some("TokenGeneration_AuthenticateDevice");
                self.after_first_factor(flow, now)
            }
            "SMS_MFA" | "SMS_OTP" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP" => {
                let (key, code) = match flow.expect {
                    "SMS_MFA" => ("SMS_MFA_CODE", SMS_CODE),
                    "SMS_OTP" => ("SMS_OTP_CODE", SMS_CODE),
                    "SOFTWARE_TOKEN_MFA" => ("SOFTWARE_TOKEN_MFA_CODE", TOTP_CODE),
                    _ => ("EMAIL_OTP_CODE", EMAIL_CODE),
                };
                if r.get(key) != Some(code) {
                    flow.wrong_codes += 1;
                    if flow.wrong_codes >= 3 {
                        return err("NotAuthorizedException", "Invalid session for the user.");
                    }
                    // The session stays valid for another attempt.
                    keep(self, flow, session);
                    return err("CodeMismatchException", "Invalid code received for user");
                }
                flow.mfa_done = true;
                self.after_password_ok(flow, now)
            }
            "SELECT_MFA_TYPE" => match r.get("ANSWER").and_then(MfaType::parse) {
                Some(mfa) => self.mfa_challenge(flow, mfa, now),
                None => err("InvalidParameterException", "Invalid ANSWER"),
            },
            "MFA_SETUP" | "MFA_SETUP_VERIFIED" => {
                if let Some(email) = r.get("EMAIL") {
                    if !email.contains('@') {
                        return err("InvalidParameterException", "Invalid email");
                    }
                    return self.mfa_challenge(flow, MfaType::Email, now);
                }
                if flow.expect != "MFA_SETUP_VERIFIED" {
                    return err("InvalidParameterException", "Software token not verified");
                }
                flow.mfa_done = true;
                self.after_password_ok(flow, now)
            }
            "NEW_PASSWORD_REQUIRED" => {
                let password = r.get("NEW_PASSWORD").unwrap_or_default().to_owned();
                if password.len() < 8 {
                    keep(self, flow, session);
                    return err("InvalidPasswordException", "Password does not conform to policy: Password not long enough");
                }
                let missing = self.user(flow.user).new_password_required.clone().unwrap_or_default();
                if let Some(absent) = missing.iter().find(|a| r.get(&format!("userAttributes.{a}")).is_none()) {
                    keep(self, flow, session);
                    return err("InvalidParameterException", format!("Missing required attribute {absent}"));
                }
                let spec = &mut self.scenario.users[flow.user];
                spec.password = password;
                spec.new_password_required = None;
                self.token_source = Some("TokenGeneration_NewPasswordChallenge");
                self.after_password_ok(flow, now)
            }
            "CUSTOM_CHALLENGE" if self.lambdas.contains_key(&Trigger::DefineAuthChallenge) => {
                let answer = r.get("ANSWER").unwrap_or_default().to_owned();
                self.verify_auth_challenge_response(flow, &answer, now)
            }
            "CUSTOM_CHALLENGE" => {
                let expected = self.user(flow.user).custom_rounds.get(flow.round).cloned().unwrap_or_default();
                if r.get("ANSWER") != Some(expected.as_str()) {
                    return err("NotAuthorizedException", "Incorrect username or password.");
                }
                flow.round += 1;
                self.after_password_ok(flow, now)
            }
            "SELECT_CHALLENGE" => match r.get("ANSWER") {
                Some("PASSWORD") => {
                    if r.get("PASSWORD") != Some(self.user(flow.user).password.as_str()) {
                        return err("NotAuthorizedException", "Incorrect username or password.");
                    }
                    self.after_first_factor(flow, now)
                }
                Some("PASSWORD_SRP") => {
                    let a = r.get("SRP_A").unwrap_or_default().to_owned();
                    self.srp_challenge(flow, &a, now)
                }
                Some("EMAIL_OTP") => self.mfa_challenge(flow, MfaType::Email, now),
                Some("SMS_OTP") => self.challenge(flow, "SMS_OTP", json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS"}), now),
                Some("WEB_AUTHN") => self.challenge(flow, "WEB_AUTHN", json!({"CREDENTIAL_REQUEST_OPTIONS": r#"{"challenge":"abc","rpId":"example.com"}"#}), now),
                _ => err("InvalidParameterException", "Invalid ANSWER"),
            },
            "WEB_AUTHN" => {
                if r.get("CREDENTIAL") != self.user(flow.user).passkey_credential.as_deref() {
                    return err("NotAuthorizedException", "Invalid credential.");
                }
                let user = flow.user;
                self.tokens(user, None, now)
            }
            _ => err("InvalidParameterException", "Unexpected challenge"),
        }
    }

    pub(super) fn associate(
        &mut self,
        input: &wire::AssociateSoftwareTokenInput,
        now: SystemTime,
    ) -> Reply {
        let session = input
            .session
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        let Some(flow) = self
            .flows
            .remove(&session)
            .filter(|f| f.expect == "MFA_SETUP" && now < f.expires_at)
        else {
            return err("NotAuthorizedException", "Invalid session for the user.");
        };
        let session = self.new_session(flow, now);
        Ok(json!({"SecretCode": TOTP_SECRET, "Session": session}))
    }

    pub(super) fn verify_totp(
        &mut self,
        input: &wire::VerifySoftwareTokenInput,
        now: SystemTime,
    ) -> Reply {
        let session = input
            .session
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        let Some(mut flow) = self
            .flows
            .remove(&session)
            .filter(|f| f.expect == "MFA_SETUP" && now < f.expires_at)
        else {
            return err("NotAuthorizedException", "Invalid session for the user.");
        };
        if input.user_code.expose() != TOTP_CODE {
            self.flows.insert(session, flow);
            return err("CodeMismatchException", "Invalid code received for user");
        }
        flow.expect = "MFA_SETUP_VERIFIED";
        let session = self.new_session(flow, now);
        Ok(json!({"Status": "SUCCESS", "Session": session}))
    }

    pub(super) fn confirm_device(&mut self, input: &wire::ConfirmDeviceInput) -> Reply {
        let config = input
            .device_secret_verifier_config
            .clone()
            .unwrap_or_default();
        let v = verifier_from_base64(&config.password_verifier).ok_or((
            400,
            "InvalidParameterException",
            "bad verifier".to_owned(),
        ))?;
        let salt = base64::engine::general_purpose::STANDARD
            .decode(&config.salt)
            .map_err(|_| (400, "InvalidParameterException", "bad salt".to_owned()))?;
        let claims = crate::tokens::Jwt::decode(input.access_token.expose()).map_err(|_| {
            (
                400,
                "NotAuthorizedException",
                "Invalid access token".to_owned(),
            )
        })?;
        let user = self.find(claims.claims().sub.as_deref().unwrap_or_default())?;
        // The group key is not in the request: the peer issued it as `-grp<n>` with the device.
        let n = input.device_key.trim_start_matches("us-east-1_dev");
        self.devices.insert(
            input.device_key.clone(),
            Device {
                user,
                group: format!("-grp{n}"),
                salt,
                v,
            },
        );
        Ok(json!({"UserConfirmationNecessary": self.scenario.device_confirmation_necessary}))
    }

    pub(super) fn refresh(
        &mut self,
        input: &wire::GetTokensFromRefreshTokenInput,
        now: SystemTime,
    ) -> Reply {
        let token = input.refresh_token.expose().to_owned();
        let user = *self.refresh_tokens.get(&token).ok_or((
            400,
            "NotAuthorizedException",
            "Invalid Refresh Token".to_owned(),
        ))?;
        self.check_state(user)?;
        // Rotation: the old token is spent.
        self.refresh_tokens.remove(&token);
        self.tokens(user, Some("refresh"), now)
    }

    pub(super) fn sign_up(&mut self, input: &wire::SignUpInput) -> Reply {
        if self.find(&input.username).is_ok() {
            return err("UsernameExistsException", "User already exists");
        }
        let password = input
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        if password.len() < 8 {
            return err("InvalidPasswordException", "Password not long enough");
        }
        let mut user = UserSpec::new(input.username.clone(), password).unconfirmed();
        user.sub = format!("sub-{}", input.username);
        user.confirmed = self.pre_sign_up(input)?;
        let confirmed = user.confirmed;
        let sub = user.sub.clone();
        self.scenario.users.push(user);
        let session = format!("signup-session-{}", self.counter);
        self.sign_up_sessions
            .insert(session.clone(), self.scenario.users.len() - 1);
        Ok(
            json!({"UserConfirmed": confirmed, "UserSub": sub, "Session": session,
            "CodeDeliveryDetails": {"DeliveryMedium": "EMAIL", "Destination": "a***@e***", "AttributeName": "email"}}),
        )
    }

    pub(super) fn confirm_sign_up(&mut self, input: &wire::ConfirmSignUpInput) -> Reply {
        let user = self.find(&input.username)?;
        if input.confirmation_code.expose() != CONFIRMATION_CODE {
            return err(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            );
        }
        self.scenario.users[user].confirmed = true;
        let session = format!("signup-session-{}", self.counter);
        self.sign_up_sessions.retain(|_, u| *u != user);
        self.sign_up_sessions.insert(session.clone(), user);
        Ok(json!({"Session": session}))
    }

    pub(super) fn confirm_forgot(&mut self, input: &wire::ConfirmForgotPasswordInput) -> Reply {
        let user = self.find(&input.username)?;
        if input.confirmation_code.expose() != CONFIRMATION_CODE {
            return err(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            );
        }
        if input.password.expose().len() < 8 {
            return err("InvalidPasswordException", "Password not long enough");
        }
        let spec = &mut self.scenario.users[user];
        spec.password = input.password.expose().to_owned();
        spec.password_reset_required = false;
        Ok(json!({}))
    }
}
