//! [`Verify`]: what every verifier of this crate does, so that servers (the tower layer,
//! Lambda authorizers) can take any of them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::alb::{AlbClaims, AlbVerifier};
use crate::cognito::{CognitoClaims, CognitoVerifier};
use crate::error::VerifyError;
use crate::verifier::{Claims, JwtVerifier};

/// The future returned by [`Verify::verify`].
pub type VerifyFuture<'a, C> = Pin<Box<dyn Future<Output = Result<C, VerifyError>> + Send + 'a>>;

/// Verifies a token and returns its claims: implemented by [`CognitoVerifier`] (claims
/// [`CognitoClaims`]), [`JwtVerifier`] (claims [`Claims`]) and [`AlbVerifier`] (claims
/// [`AlbClaims`]), and by `Arc`s and references of any implementation.
///
/// Dyn-compatible once the claims are named: `Arc<dyn Verify<Claims = CognitoClaims>>`.
/// The inherent methods of the verifiers have the same names and do the same; this trait is
/// for code that takes any verifier.
///
/// ```
/// use auth_verify::{CognitoClaims, Verify, VerifyError};
///
/// async fn user_of<V: Verify<Claims = CognitoClaims>>(verifier: &V, token: &str) -> Result<String, VerifyError> {
///     Ok(verifier.verify(token).await?.sub().to_owned())
/// }
/// ```
pub trait Verify: Send + Sync + fmt::Debug {
    /// The verified claims.
    type Claims: Clone + Send + Sync + 'static;

    /// Verifies `token`, fetching keys if needed (at the key cache's bounded rate).
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a, Self::Claims>;

    /// Verifies `token` with the keys held now, without any I/O.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check;
    /// [`UnknownKey`](crate::VerifyErrorKind::UnknownKey) when the key is not held.
    fn verify_sync(&self, token: &str) -> Result<Self::Claims, VerifyError>;
}

// `Self::verify` is the inherent method (inherent items come first), not this one.
impl Verify for CognitoVerifier {
    type Claims = CognitoClaims;

    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a, CognitoClaims> {
        Box::pin(Self::verify(self, token))
    }

    fn verify_sync(&self, token: &str) -> Result<CognitoClaims, VerifyError> {
        Self::verify_sync(self, token)
    }
}

// `Self::verify` is the inherent method (inherent items come first), not this one.
impl Verify for JwtVerifier {
    type Claims = Claims;

    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a, Claims> {
        Box::pin(Self::verify(self, token))
    }

    fn verify_sync(&self, token: &str) -> Result<Claims, VerifyError> {
        Self::verify_sync(self, token)
    }
}

// `Self::verify` is the inherent method (inherent items come first), not this one.
impl Verify for AlbVerifier {
    type Claims = AlbClaims;

    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a, AlbClaims> {
        Box::pin(Self::verify(self, token))
    }

    fn verify_sync(&self, token: &str) -> Result<AlbClaims, VerifyError> {
        Self::verify_sync(self, token)
    }
}

impl<T: Verify + ?Sized> Verify for Arc<T> {
    type Claims = T::Claims;

    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a, T::Claims> {
        (**self).verify(token)
    }

    fn verify_sync(&self, token: &str) -> Result<T::Claims, VerifyError> {
        (**self).verify_sync(token)
    }
}

impl<T: Verify + ?Sized> Verify for &T {
    type Claims = T::Claims;

    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a, T::Claims> {
        (**self).verify(token)
    }

    fn verify_sync(&self, token: &str) -> Result<T::Claims, VerifyError> {
        (**self).verify_sync(token)
    }
}

impl<T: Verify + ?Sized> Verify for Box<T> {
    type Claims = T::Claims;

    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a, T::Claims> {
        (**self).verify(token)
    }

    fn verify_sync(&self, token: &str) -> Result<T::Claims, VerifyError> {
        (**self).verify_sync(token)
    }
}
