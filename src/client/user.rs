//! The signed-in user's account: password and attributes, thin wrappers over single Cognito
//! calls authorized by the access token (TOTP, MFA and devices are in `mfa.rs`).

use std::collections::BTreeMap;

use auth_core::Sensitive;
use auth_core::machine::ClientMetadata;
use auth_core::wire::{
    AttributeType, ChangePasswordInput, CodeDeliveryDetails, DeleteUserAttributesInput,
    DeleteUserInput, GetUserAttributeVerificationCodeInput, GetUserInput,
    UpdateUserAttributesInput, VerifyUserAttributeInput,
};
use auth_hub::AuthEvent;
use auth_providers::CredentialsProvider as _;
use tracing::Instrument as _;

use super::driver::call;
use super::{Auth, AuthError};

/// The user's attributes, by name (`email`, `email_verified`, `sub`, `custom:…`).
pub type UserAttributes = BTreeMap<String, String>;

pub(crate) fn map(attributes: Vec<AttributeType>) -> BTreeMap<String, String> {
    attributes
        .into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect()
}

impl Auth {
    pub(crate) async fn access_token(&self) -> Result<Sensitive, AuthError> {
        let tokens = self
            .tokens(false, ClientMetadata::new())
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        Ok(Sensitive::new(tokens.access_token.as_str()))
    }

    /// Changes the signed-in user's password (ChangePassword).
    ///
    /// # Errors
    ///
    /// [`AuthError::NotSignedIn`], [`AuthError::Service`] (`NotAuthorized` for a wrong old
    /// password, `InvalidPassword`), [`AuthError::Transport`].
    pub async fn update_password(
        &self,
        old_password: &str,
        new_password: &str,
    ) -> Result<(), AuthError> {
        authorized!(self, "update_password", |access_token| {
            ChangePasswordInput {
                previous_password: Some(Sensitive::new(old_password)),
                proposed_password: Sensitive::new(new_password),
                access_token,
            }
        })
        .map(drop)
    }

    /// The signed-in user's attributes (GetUser).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn fetch_user_attributes(&self) -> Result<UserAttributes, AuthError> {
        authorized!(self, "fetch_user_attributes", |access_token| GetUserInput {
            access_token
        })
        .map(|out| map(out.user_attributes))
    }

    /// Updates attributes (UpdateUserAttributes); returns where verification codes went for
    /// attributes that need one (email, phone).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn update_user_attributes(
        &self,
        attributes: UserAttributes,
        client_metadata: ClientMetadata,
    ) -> Result<Vec<CodeDeliveryDetails>, AuthError> {
        authorized!(self, "update_user_attributes", |access_token| {
            UpdateUserAttributesInput {
                user_attributes: attributes
                    .into_iter()
                    .map(|(k, v)| AttributeType::new(k, v))
                    .collect(),
                access_token,
                client_metadata,
            }
        })
        .map(|out| out.code_delivery_details_list.unwrap_or_default())
    }

    /// Sends a verification code for an attribute (GetUserAttributeVerificationCode).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn send_user_attribute_verification_code(
        &self,
        attribute: &str,
        client_metadata: ClientMetadata,
    ) -> Result<Option<CodeDeliveryDetails>, AuthError> {
        authorized!(
            self,
            "send_user_attribute_verification_code",
            |access_token| {
                GetUserAttributeVerificationCodeInput {
                    access_token,
                    attribute_name: attribute.to_owned(),
                    client_metadata,
                }
            }
        )
        .map(|out| out.code_delivery_details)
    }

    /// Verifies an attribute with its code (VerifyUserAttribute).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn confirm_user_attribute(
        &self,
        attribute: &str,
        code: &str,
    ) -> Result<(), AuthError> {
        authorized!(self, "confirm_user_attribute", |access_token| {
            VerifyUserAttributeInput {
                access_token,
                attribute_name: attribute.to_owned(),
                code: Sensitive::new(code),
            }
        })
        .map(drop)
    }

    /// Deletes attributes (DeleteUserAttributes).
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password).
    pub async fn delete_user_attributes(&self, names: Vec<String>) -> Result<(), AuthError> {
        authorized!(self, "delete_user_attributes", |access_token| {
            DeleteUserAttributesInput {
                user_attribute_names: names,
                access_token,
            }
        })
        .map(drop)
    }

    /// Deletes the signed-in user (DeleteUser), then signs out locally and emits
    /// `userDeleted`.
    ///
    /// # Errors
    ///
    /// As [`update_password`](Self::update_password); on error nothing is cleared.
    pub async fn delete_user(&self) -> Result<(), AuthError> {
        authorized!(self, "delete_user", |access_token| DeleteUserInput {
            access_token
        })?;
        let (_, store) = self.user_pool()?;
        store.clear_tokens().await?;
        if let Some(credentials) = &self.inner.credentials {
            credentials.clear().await;
        }
        self.inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        self.emit(AuthEvent::UserDeleted);
        Ok(())
    }
}
