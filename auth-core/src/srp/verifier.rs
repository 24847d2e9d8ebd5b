//! The ConfirmDevice verifier: a random device password, a salt and pad(g^x mod N).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use super::{SrpIdentity, group};
use crate::Sensitive;
use crate::wire::DeviceSecretVerifierConfig;

/// Bytes of randomness in a device password (base64-encoded to 56 characters).
const DEVICE_PASSWORD_BYTES: usize = 40;
/// Bytes of the verifier's salt.
const SALT_BYTES: usize = 16;

/// What ConfirmDevice needs: the device's random password (keep it, it proves the device in
/// later device SRP) and the verifier Cognito stores.
///
/// ```
/// use auth_core::srp::DeviceVerifier;
/// use rand::SeedableRng;
///
/// let mut rng = rand::rngs::StdRng::seed_from_u64(3);
/// let device = DeviceVerifier::generate(&mut rng, "-ab12Cd", "us-east-1_0e1f");
/// assert_eq!(device.password().expose().len(), 56);
/// let config = device.config();
/// assert!(!config.salt.is_empty() && !config.password_verifier.is_empty());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceVerifier {
    password: Sensitive,
    config: DeviceSecretVerifierConfig,
}

impl DeviceVerifier {
    /// A new random password = base64(40 random bytes), salt = 16 random bytes, and the
    /// verifier pad(g^x mod N) with x = H(pad(salt) ‖ H(group key ‖ device key ‖ ":" ‖
    /// password)).
    pub fn generate(
        rng: &mut impl CryptoRngCore,
        device_group_key: &str,
        device_key: &str,
    ) -> Self {
        let mut random = Zeroizing::new([0u8; DEVICE_PASSWORD_BYTES]);
        rng.fill_bytes(&mut random[..]);
        let password = Sensitive::new(BASE64.encode(&random[..]));
        let mut salt = [0u8; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        Self::from_parts(device_group_key, device_key, password, &salt)
    }

    /// The verifier of a given password and salt (deterministic, for tests).
    pub fn from_parts(
        device_group_key: &str,
        device_key: &str,
        password: Sensitive,
        salt: &[u8],
    ) -> Self {
        let identity = SrpIdentity::device(device_group_key, device_key, password.expose());
        let x = identity.x(salt);
        let verifier = group::to_be(&group::pow_g(&x[..]));
        let config = DeviceSecretVerifierConfig {
            password_verifier: BASE64.encode(group::pad(&verifier[..])),
            salt: BASE64.encode(group::pad(salt)),
        };
        Self { password, config }
    }

    /// The device's random password, to store with the device keys.
    pub fn password(&self) -> &Sensitive {
        &self.password
    }

    /// `DeviceSecretVerifierConfig` for ConfirmDevice.
    pub fn config(&self) -> DeviceSecretVerifierConfig {
        self.config.clone()
    }
}

impl fmt::Debug for DeviceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceVerifier")
            .field("password", &self.password)
            .field("config", &self.config)
            .finish()
    }
}
