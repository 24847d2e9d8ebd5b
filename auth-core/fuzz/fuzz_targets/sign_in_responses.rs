//! Arbitrary response sequences (and answers in between) fed into the sign-in machine.
//!
//! Checks: nothing panics; every input returns `Ok` or a typed error; an error that allows a
//! retry leaves the step unchanged; a request only comes out while a response is awaited; DONE
//! comes at most once; `Debug` never shows the password.
#![no_main]

use std::time::{Duration, SystemTime};

use auth_core::machine::Machine as _;
use auth_core::config::UserPoolConfig;
use auth_core::machine::sign_in::{
    Answer, ConfirmOptions, DeviceMetadata, FirstFactor, MfaType, SignIn, SignInFlow, SignInInput,
    SignInStep,
};
use libfuzzer_sys::fuzz_target;

const PASSWORD: &str = "fuzz-passw0rd";

/// A deterministic RNG (the fuzzer's input drives everything else).
struct CounterRng(u64);

impl rand_core::RngCore for CounterRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = (self.next_u64() >> 33) as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for CounterRng {}

const CHALLENGES: &[&str] = &[
    "PASSWORD_VERIFIER",
    "SMS_MFA",
    "SMS_OTP",
    "EMAIL_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "NEW_PASSWORD_REQUIRED",
    "CUSTOM_CHALLENGE",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "SELECT_CHALLENGE",
    "WEB_AUTHN",
    "NOPE",
];

const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzIiwidXNlcm5hbWUiOiJ1IiwiZXhwIjo0MDAwMDAwMDAwLCJpYXQiOjE4MDAwMDAwMDB9.c2ln";

fn template(kind: u8, arg: &[u8]) -> String {
    let text = String::from_utf8_lossy(arg).replace(['"', '\\'], "");
    match kind % 6 {
        0 => {
            let name =
                CHALLENGES[usize::from(arg.first().copied().unwrap_or(0)) % CHALLENGES.len()];
            format!(
                r#"{{"ChallengeName":"{name}","Session":"s{text}","ChallengeParameters":{{"SALT":"ab{text}","SRP_B":"1{}","SECRET_BLOCK":"{text}","USER_ID_FOR_SRP":"{text}","MFAS_CAN_CHOOSE":"[\"SMS_MFA\",\"{text}\"]","MFAS_CAN_SETUP":"['SOFTWARE_TOKEN_MFA','EMAIL_OTP']","requiredAttributes":"[\"userAttributes.{text}\"]","CREDENTIAL_REQUEST_OPTIONS":"{text}"}},"AvailableChallenges":["PASSWORD","EMAIL_OTP","{text}"]}}"#,
                arg.len()
            )
        }
        1 => format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{JWT}","IdToken":"{text}","RefreshToken":"r"}}}}"#
        ),
        2 => format!(
            r#"{{"AuthenticationResult":{{"AccessToken":"{JWT}","NewDeviceMetadata":{{"DeviceKey":"k{text}","DeviceGroupKey":"g"}}}}}}"#
        ),
        3 => format!(
            r#"{{"SecretCode":"{text}","Session":"s2","Status":"SUCCESS","UserConfirmationNecessary":true}}"#
        ),
        4 => format!(r#"{{"__type":"{text}","message":"Device does not exist."}}"#),
        _ => text,
    }
}

fn answer(byte: u8, arg: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(arg).into_owned();
    match byte % 8 {
        0 => Answer::Code(text.into()),
        1 => Answer::Mfa([MfaType::Sms, MfaType::Totp, MfaType::Email][usize::from(byte / 8) % 3]),
        2 => Answer::Email(format!("{text}@x")),
        3 => Answer::NewPassword {
            password: text.into(),
            attributes: Default::default(),
        },
        4 => Answer::Custom(text.into()),
        5 => Answer::FirstFactor(
            [
                FirstFactor::Password,
                FirstFactor::PasswordSrp,
                FirstFactor::EmailOtp,
            ][usize::from(byte / 8) % 3]
                .clone(),
        ),
        6 => Answer::Password(PASSWORD.into()),
        _ => Answer::Code("".into()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let config = UserPoolConfig::builder()
        .pool_id("us-east-1_Fuzz")
        .client_id("fuzzclient")
        .client_secret("s")
        .build()
        .unwrap();
    // SRP costs modular exponentiations (slow under the sanitizer): 1 input in 8 takes an SRP
    // flow, 1 in 16 a remembered device.
    let flow = match first % 16 {
        0 => SignInFlow::UserSrpAuth,
        1 => SignInFlow::CustomWithSrp,
        2..=4 => SignInFlow::UserAuth { preferred: None },
        5 => SignInFlow::UserAuth {
            preferred: Some(FirstFactor::EmailOtp),
        },
        6..=8 => SignInFlow::CustomWithoutSrp,
        _ => SignInFlow::UserPasswordAuth,
    };
    let mut input = match flow {
        SignInFlow::UserPasswordAuth | SignInFlow::UserSrpAuth | SignInFlow::CustomWithSrp => {
            SignInInput::new("fuzzer", PASSWORD).with_flow(flow)
        }
        flow => SignInInput::passwordless("fuzzer", flow),
    };
    if first >> 4 == 0xf {
        input = input.with_device(DeviceMetadata {
            device_key: "us-east-1_d".into(),
            device_group_key: "g".into(),
            random_password: "device-secret".into(),
        });
    }
    let mut rng = CounterRng(u64::from(first));
    let mut now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let Ok(mut sign_in) = SignIn::new(&config, input, &mut rng, now) else {
        return;
    };
    let mut dones = 0;
    while rest.len() >= 3 {
        let (head, tail) = rest.split_at(3);
        let len = usize::from(head[2]).min(tail.len());
        let (arg, tail) = tail.split_at(len);
        rest = tail;
        now += Duration::from_secs(u64::from(head[1] & 0x3f));
        let before = sign_in.step().cloned();
        let result = if head[0] & 1 == 0 {
            let _ = sign_in.poll_request();
            let status = [200u16, 400, 500, 503, 429][usize::from(head[1] >> 6) % 4];
            let body = template(head[0] >> 1, arg);
            let response = http::Response::builder()
                .status(status)
                .body(body.into_bytes())
                .unwrap();
            sign_in.handle_response(response, now)
        } else if head[0] & 2 == 0 {
            sign_in.confirm(
                answer(head[0] >> 2, arg),
                &ConfirmOptions::default(),
                &mut rng,
                now,
            )
        } else if head[0] & 4 == 0 {
            sign_in.provide_passkey_credential(String::from_utf8_lossy(arg).into_owned(), now)
        } else {
            sign_in.resend()
        };
        if let Err(error) = &result {
            if error.may_retry()
                && !matches!(
                    error.cause(),
                    auth_core::machine::Cause::Service(_)
                        | auth_core::machine::Cause::MalformedResponse(_)
                )
            {
                assert_eq!(sign_in.step().cloned(), before, "{error:?}");
            }
        }
        if matches!(sign_in.step(), Some(SignInStep::Done(_)))
            && !matches!(before, Some(SignInStep::Done(_)))
        {
            dones += 1;
        }
        assert!(dones <= 1);
        if sign_in.step().is_some() || sign_in.failure().is_some() {
            assert!(!sign_in.is_awaiting_response());
        }
        assert!(!format!("{sign_in:?}").contains(PASSWORD));
    }
});
