//! TOTP setup, MFA preference and devices of the signed-in user: single Cognito calls with
//! the access token.

use std::collections::BTreeMap;

use auth_core::Sensitive;
use auth_core::machine::sign_in::{MfaType, TotpSetup};
use auth_core::wire::{
    AssociateSoftwareTokenInput, DeviceRememberedStatus, ForgetDeviceInput, GetUserInput,
    ListDevicesInput, MfaSettings, SetUserMfaPreferenceInput, UpdateDeviceStatusInput,
    VerifySoftwareTokenInput, VerifySoftwareTokenStatus, WebAuthnMfaSettings,
};
use tracing::Instrument as _;

use super::driver::call;
use super::user::map;
use super::{Auth, AuthError};

/// A device Cognito tracks for the user (ListDevices).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Device {
    /// The device key.
    pub id: String,
    /// The device's name (`device_name` attribute), if any.
    pub name: Option<String>,
    /// All device attributes.
    pub attributes: BTreeMap<String, String>,
}

/// How one MFA method should be set (Amplify's `MFAPreference`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MfaPreference {
    /// Enabled, not preferred.
    Enabled,
    /// Disabled.
    Disabled,
    /// Enabled and preferred.
    Preferred,
    /// Enabled and not preferred (another method is).
    NotPreferred,
}

impl MfaPreference {
    fn settings(self) -> MfaSettings {
        let (enabled, preferred) = match self {
            Self::Enabled => (true, None),
            Self::Disabled => (false, Some(false)),
            Self::Preferred => (true, Some(true)),
            Self::NotPreferred => (true, Some(false)),
        };
        MfaSettings {
            enabled: Some(enabled),
            preferred_mfa: preferred,
        }
    }
}

/// The MFA methods to change with [`Auth::update_mfa_preference`]; `None` leaves one as is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateMfaPreference {
    /// SMS.
    pub sms: Option<MfaPreference>,
    /// TOTP (an authenticator app).
    pub totp: Option<MfaPreference>,
    /// Email.
    pub email: Option<MfaPreference>,
    /// Passkey MFA (`WebAuthnMfaSettings`): whether a passkey sign-in with user verification
    /// counts as both factors. It is on or off, never preferred, and Cognito accepts it only
    /// beside another enabled method.
    pub passkey: Option<bool>,
}

impl UpdateMfaPreference {
    /// Changes nothing until a method is set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets SMS.
    #[must_use]
    pub fn sms(mut self, preference: MfaPreference) -> Self {
        self.sms = Some(preference);
        self
    }

    /// Sets TOTP.
    #[must_use]
    pub fn totp(mut self, preference: MfaPreference) -> Self {
        self.totp = Some(preference);
        self
    }

    /// Sets email.
    #[must_use]
    pub fn email(mut self, preference: MfaPreference) -> Self {
        self.email = Some(preference);
        self
    }

    /// Turns passkey MFA on or off.
    #[must_use]
    pub fn passkey(mut self, enabled: bool) -> Self {
        self.passkey = Some(enabled);
        self
    }
}

/// The user's MFA settings (GetUser).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MfaPreferenceOutput {
    /// The enabled methods.
    pub enabled: Vec<MfaType>,
    /// The preferred method.
    pub preferred: Option<MfaType>,
}

fn mfa_type(name: &str) -> Option<MfaType> {
    match name {
        "SMS_MFA" => Some(MfaType::Sms),
        "SOFTWARE_TOKEN_MFA" => Some(MfaType::Totp),
        "EMAIL_OTP" => Some(MfaType::Email),
        _ => None,
    }
}

impl Auth {
    /// Starts TOTP setup for the signed-in user (AssociateSoftwareToken): show
    /// [`TotpSetup::uri`] as a QR code, then call [`verify_totp_setup`](Self::verify_totp_setup).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn set_up_totp(&self) -> Result<TotpSetup, AuthError> {
        let account = self.get_current_user().await?.username;
        let out = authorized!(self, "set_up_totp", |access_token| {
            AssociateSoftwareTokenInput {
                access_token: Some(access_token),
                session: None,
            }
        })?;
        let secret = out
            .secret_code
            .ok_or(AuthError::NotConfigured("TOTP secret in the response"))?;
        Ok(TotpSetup { secret, account })
    }

    /// Finishes TOTP setup with a code from the app (VerifySoftwareToken). Then enable it with
    /// [`update_mfa_preference`](Self::update_mfa_preference).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password); a wrong code is
    /// `EnableSoftwareTokenMFA` / `CodeMismatch`.
    pub async fn verify_totp_setup(
        &self,
        code: &str,
        friendly_device_name: Option<String>,
    ) -> Result<(), AuthError> {
        let out = authorized!(self, "verify_totp_setup", |access_token| {
            VerifySoftwareTokenInput {
                access_token: Some(access_token),
                session: None,
                user_code: Sensitive::new(code),
                friendly_device_name,
            }
        })?;
        match out.status {
            Some(VerifySoftwareTokenStatus::Error) => Err(AuthError::TotpCodeRejected),
            _ => Ok(()),
        }
    }

    /// Sets the MFA preference (SetUserMFAPreference).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn update_mfa_preference(
        &self,
        update: UpdateMfaPreference,
    ) -> Result<(), AuthError> {
        authorized!(self, "update_mfa_preference", |access_token| {
            SetUserMfaPreferenceInput {
                sms_mfa_settings: update.sms.map(MfaPreference::settings),
                software_token_mfa_settings: update.totp.map(MfaPreference::settings),
                email_mfa_settings: update.email.map(MfaPreference::settings),
                web_authn_mfa_settings: update.passkey.map(|enabled| WebAuthnMfaSettings {
                    enabled: Some(enabled),
                }),
                access_token,
            }
        })
        .map(drop)
    }

    /// The enabled and preferred MFA methods (GetUser).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn fetch_mfa_preference(&self) -> Result<MfaPreferenceOutput, AuthError> {
        let out = authorized!(self, "fetch_mfa_preference", |access_token| GetUserInput {
            access_token
        })?;
        Ok(MfaPreferenceOutput {
            enabled: out
                .user_mfa_setting_list
                .unwrap_or_default()
                .iter()
                .filter_map(|m| mfa_type(m))
                .collect(),
            preferred: out.preferred_mfa_setting.as_deref().and_then(mfa_type),
        })
    }

    /// Marks this device as remembered (UpdateDeviceStatus), so it may skip MFA.
    ///
    /// # Errors
    ///
    /// [`AuthError::NotConfigured`] when no device is tracked; as
    /// [`update_password`](Self::update_password).
    pub async fn remember_device(&self) -> Result<(), AuthError> {
        let device_key = self.current_device_key().await?;
        authorized!(self, "remember_device", |access_token| {
            UpdateDeviceStatusInput {
                access_token,
                device_key,
                device_remembered_status: Some(DeviceRememberedStatus::Remembered),
            }
        })
        .map(drop)
    }

    /// Forgets a device (ForgetDevice): `device_key`, or this device when `None` (its keys
    /// are then removed from the storage too).
    ///
    /// # Errors
    ///
    /// As [`remember_device`](Self::remember_device).
    pub async fn forget_device(&self, device_key: Option<String>) -> Result<(), AuthError> {
        let this_device = device_key.is_none();
        let device_key = match device_key {
            Some(key) => key,
            None => self.current_device_key().await?,
        };
        authorized!(self, "forget_device", |access_token| ForgetDeviceInput {
            access_token: Some(access_token),
            device_key,
        })?;
        if this_device {
            let user = self.get_current_user().await?;
            let (_, store) = self.user_pool()?;
            store.clear_device_metadata(&user.username).await?;
        }
        Ok(())
    }

    /// The devices Cognito tracks for the user (ListDevices, up to 60).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn fetch_devices(&self) -> Result<Vec<Device>, AuthError> {
        let out = authorized!(self, "fetch_devices", |access_token| ListDevicesInput {
            access_token,
            limit: Some(60),
            pagination_token: None,
        })?;
        Ok(out
            .devices
            .into_iter()
            .map(|d| {
                let attributes = map(d.device_attributes);
                Device {
                    id: d.device_key.unwrap_or_default(),
                    name: attributes.get("device_name").cloned(),
                    attributes,
                }
            })
            .collect())
    }

    async fn current_device_key(&self) -> Result<String, AuthError> {
        let user = self.get_current_user().await?;
        let (_, store) = self.user_pool()?;
        store
            .device_metadata(&user.username)
            .await?
            .map(|d| d.device_key)
            .ok_or(AuthError::NotConfigured("remembered device"))
    }
}
