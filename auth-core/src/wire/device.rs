//! Remembered devices: ConfirmDevice, UpdateDeviceStatus, ListDevices, ForgetDevice.

use serde::{Deserialize, Serialize};

use super::{AttributeType, EmptyOutput, operation, string_enum};
use crate::Sensitive;

/// The verifier of a device's random password (`DeviceSecretVerifierConfig`), both values
/// base64; computed by [`DeviceVerifier`](crate::srp::DeviceVerifier).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceSecretVerifierConfig {
    /// base64(pad(g^x mod N)).
    pub password_verifier: String,
    /// base64 of the 16-byte salt.
    pub salt: String,
}

/// Input of [`ConfirmDevice`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceInput {
    /// The access token.
    pub access_token: Sensitive,
    /// The device key from `NewDeviceMetadata`.
    pub device_key: String,
    /// The verifier of the device password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_secret_verifier_config: Option<DeviceSecretVerifierConfig>,
    /// A name for the device (Amplify sends the user agent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// Output of [`ConfirmDevice`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfirmDeviceOutput {
    /// Whether the user must still choose to remember the device (UpdateDeviceStatus).
    pub user_confirmation_necessary: bool,
}

operation! {
    /// Confirms (tracks) a device after sign-in.
    UserPool ConfirmDevice(ConfirmDeviceInput) -> ConfirmDeviceOutput
}

string_enum! {
    /// Whether a device is remembered.
    DeviceRememberedStatus {
        /// Remembered: it can skip MFA.
        Remembered = "remembered",
        /// Tracked but not remembered.
        NotRemembered = "not_remembered",
    }
}

/// Input of [`UpdateDeviceStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDeviceStatusInput {
    /// The access token.
    pub access_token: Sensitive,
    /// The device key.
    pub device_key: String,
    /// The new status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_remembered_status: Option<DeviceRememberedStatus>,
}

operation! {
    /// Remembers or forgets-to-remember a device.
    UserPool UpdateDeviceStatus(UpdateDeviceStatusInput) -> EmptyOutput
}

/// Input of [`ListDevices`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesInput {
    /// The access token.
    pub access_token: Sensitive,
    /// Page size (at most 60).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The token of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

/// A device of the user (`DeviceType`); dates are epoch seconds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeviceType {
    /// The device key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// Attributes such as `device_name` and `device_status`.
    pub device_attributes: Vec<AttributeType>,
    /// Created at (epoch seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_create_date: Option<f64>,
    /// Modified at (epoch seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_last_modified_date: Option<f64>,
    /// Last sign-in from the device (epoch seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_last_authenticated_date: Option<f64>,
}

/// Output of [`ListDevices`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListDevicesOutput {
    /// One page of devices.
    pub devices: Vec<DeviceType>,
    /// The token of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

operation! {
    /// Lists the user's devices.
    UserPool ListDevices(ListDevicesInput) -> ListDevicesOutput
}

/// Input of [`ForgetDevice`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgetDeviceInput {
    /// The access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Sensitive>,
    /// The device key.
    pub device_key: String,
}

operation! {
    /// Stops tracking a device.
    UserPool ForgetDevice(ForgetDeviceInput) -> EmptyOutput
}
