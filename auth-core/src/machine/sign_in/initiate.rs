//! The first InitiateAuth of each flow (reference section 1, first table).

use rand_core::{CryptoRng, RngCore};

use super::state::{Context, Sent, SrpLeg};
use super::{FirstFactor, SignInFlow, SignInInput};
use crate::machine::{Error, secret_hash};
use crate::srp::SrpClient;
use crate::wire::{AuthFlow, InitiateAuthInput, Parameters};

/// The first InitiateAuth of a flow (reference section 1, first table).
pub(super) fn initiate(
    ctx: &Context,
    input: SignInInput,
    rng: &mut (impl CryptoRng + RngCore),
) -> Result<(Sent, Option<SrpLeg>), Error> {
    let mut parameters = Parameters::new().with("USERNAME", input.username.as_str());
    parameters.insert_opt("SECRET_HASH", secret_hash(&ctx.config, &input.username));
    parameters.insert_opt("DEVICE_KEY", ctx.device_key());
    let password = input.password.filter(|p| !p.is_empty());
    let need_password = || {
        password
            .clone()
            .ok_or_else(|| Error::invalid_input("this flow needs a password"))
    };
    let mut srp = None;
    let mut session = None;
    let flow = match &input.flow {
        SignInFlow::UserSrpAuth => {
            let client = SrpClient::new(rng);
            parameters.insert("SRP_A", client.public_a_hex());
            srp = Some(SrpLeg {
                client,
                password: need_password()?,
            });
            AuthFlow::UserSrpAuth
        }
        SignInFlow::UserPasswordAuth => {
            parameters.insert("PASSWORD", need_password()?);
            AuthFlow::UserPasswordAuth
        }
        SignInFlow::CustomWithoutSrp => {
            if password.is_some() {
                return Err(Error::invalid_input("CUSTOM_WITHOUT_SRP takes no password"));
            }
            AuthFlow::CustomAuth
        }
        SignInFlow::CustomWithSrp => {
            let client = SrpClient::new(rng);
            parameters.insert("SRP_A", client.public_a_hex());
            parameters.insert("CHALLENGE_NAME", "SRP_A");
            srp = Some(SrpLeg {
                client,
                password: need_password()?,
            });
            AuthFlow::CustomAuth
        }
        SignInFlow::UserAuth { preferred } => {
            if let Some(preferred) = preferred {
                parameters.insert("PREFERRED_CHALLENGE", preferred.as_str());
                match preferred {
                    FirstFactor::Password => parameters.insert("PASSWORD", need_password()?),
                    FirstFactor::PasswordSrp => {
                        let client = SrpClient::new(rng);
                        parameters.insert("SRP_A", client.public_a_hex());
                        srp = Some(SrpLeg {
                            client,
                            password: need_password()?,
                        });
                    }
                    _ => {}
                }
            }
            session = input.session;
            AuthFlow::UserAuth
        }
    };
    let sent = Sent::Initiate(InitiateAuthInput {
        auth_flow: flow,
        client_id: ctx.config.client_id().to_owned(),
        auth_parameters: parameters,
        client_metadata: ctx.client_metadata.clone(),
        session,
        ..Default::default()
    });
    Ok((sent, srp))
}
