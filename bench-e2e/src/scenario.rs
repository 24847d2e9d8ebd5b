//! The scenarios, what each child reads from its environment, and what it prints.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One end-to-end scenario. Every implementation runs each of them the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// (a) USER_SRP_AUTH sign-in, from a built client to tokens.
    SrpSignIn,
    /// (b) USER_PASSWORD_AUTH sign-in, then identity-pool credentials (GetId,
    /// GetCredentialsForIdentity).
    PasswordCredentials,
    /// (c) 1,000 sequential session fetches with valid tokens and credentials (after a setup
    /// phase that signs in and fetches the credentials once).
    Fetch1000,
    /// (d) 100 concurrent session fetches when the stored tokens have expired.
    Expired100,
}

/// How many sequential fetches [`Scenario::Fetch1000`] makes.
pub const SEQUENTIAL_FETCHES: usize = 1_000;
/// How many concurrent callers [`Scenario::Expired100`] starts.
pub const CONCURRENT_CALLERS: usize = 100;
/// How far back [`Scenario::Expired100`] moves the stored tokens' `iat` and `exp` (see
/// [`crate::jwt::age`]): well past moto's one-hour validity.
pub const TOKEN_AGE: Duration = Duration::from_secs(2 * 3600);

impl Scenario {
    /// Every scenario, in report order.
    pub const ALL: [Self; 4] = [
        Self::SrpSignIn,
        Self::PasswordCredentials,
        Self::Fetch1000,
        Self::Expired100,
    ];

    /// The name on the command line and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::SrpSignIn => "srp-sign-in",
            Self::PasswordCredentials => "password-credentials",
            Self::Fetch1000 => "fetch-1000",
            Self::Expired100 => "expired-100",
        }
    }

    /// Parses [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// A one-line title for the report.
    pub fn title(self) -> &'static str {
        match self {
            Self::SrpSignIn => "(a) SRP sign-in",
            Self::PasswordCredentials => "(b) password sign-in + identity-pool credentials",
            Self::Fetch1000 => "(c) 1,000 sequential fetch_auth_session, valid tokens",
            Self::Expired100 => "(d) 100 concurrent fetch_auth_session, expired tokens",
        }
    }

    /// The Cognito requests the protocol needs in the measured phase, at the least.
    pub fn minimum_requests(self) -> &'static [&'static str] {
        match self {
            Self::SrpSignIn => &["InitiateAuth", "RespondToAuthChallenge"],
            Self::PasswordCredentials => &["InitiateAuth", "GetId", "GetCredentialsForIdentity"],
            Self::Fetch1000 => &[],
            // GetTokensFromRefreshToken against Cognito; moto has only REFRESH_TOKEN_AUTH.
            Self::Expired100 => &["InitiateAuth"],
        }
    }

    /// Whether the scenario uses the identity pool.
    pub fn uses_identity_pool(self) -> bool {
        matches!(self, Self::PasswordCredentials | Self::Fetch1000)
    }
}

/// What the runner hands every child, as environment variables (`BENCH_*`).
#[derive(Debug, Clone)]
pub struct BenchEnv {
    /// The counting proxy's URL: every Cognito request goes there.
    pub endpoint: String,
    /// The AWS region of the pools.
    pub region: String,
    /// The user pool id.
    pub user_pool_id: String,
    /// The app client id (no secret).
    pub client_id: String,
    /// The identity pool id.
    pub identity_pool_id: String,
    /// The user.
    pub username: String,
    /// Their password.
    pub password: String,
}

impl BenchEnv {
    /// The `(name, value)` pairs a child is started with.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BENCH_ENDPOINT", self.endpoint.clone()),
            ("BENCH_REGION", self.region.clone()),
            ("BENCH_USER_POOL_ID", self.user_pool_id.clone()),
            ("BENCH_CLIENT_ID", self.client_id.clone()),
            ("BENCH_IDENTITY_POOL_ID", self.identity_pool_id.clone()),
            ("BENCH_USERNAME", self.username.clone()),
            ("BENCH_PASSWORD", self.password.clone()),
        ]
    }

    /// Reads what [`vars`](Self::vars) wrote, in a child.
    ///
    /// # Errors
    ///
    /// Names the first variable that is missing.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        Ok(Self {
            endpoint: var("BENCH_ENDPOINT")?,
            region: var("BENCH_REGION")?,
            user_pool_id: var("BENCH_USER_POOL_ID")?,
            client_id: var("BENCH_CLIENT_ID")?,
            identity_pool_id: var("BENCH_IDENTITY_POOL_ID")?,
            username: var("BENCH_USERNAME")?,
            password: var("BENCH_PASSWORD")?,
        })
    }

    /// Tells the proxy that the measured phase begins (`begin`) or ends (`end`). The marks are
    /// not Cognito requests and are not counted as such.
    ///
    /// # Errors
    ///
    /// When the proxy does not answer.
    pub async fn mark(&self, which: &str) -> Result<(), String> {
        let response = reqwest::Client::new()
            .post(format!("{}{}", self.endpoint, crate::proxy::MARK_PATH))
            .body(which.to_owned())
            .send()
            .await
            .map_err(|e| format!("mark {which}: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("mark {which}: {}", response.status()))
        }
    }
}

/// The line a child prints on success.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildReport {
    /// Wall time of the measured phase.
    pub wall: Duration,
    /// CPU time (user + system) the process spent in the measured phase.
    pub cpu: Duration,
    /// What the check saw, for the log (never a secret).
    pub check: String,
}

impl ChildReport {
    /// The JSON line.
    pub fn to_json(&self) -> Value {
        json!({
            "wall_ns": nanos(self.wall),
            "cpu_ns": nanos(self.cpu),
            "check": self.check,
        })
    }

    /// Reads a child's line (Rust or Python).
    pub fn from_json(value: &Value) -> Option<Self> {
        Some(Self {
            wall: Duration::from_nanos(value["wall_ns"].as_u64()?),
            cpu: Duration::from_nanos(value["cpu_ns"].as_u64()?),
            check: value["check"].as_str().unwrap_or_default().to_owned(),
        })
    }
}

/// A duration in whole nanoseconds, saturating.
pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Times the measured phase of a child: wall clock and this process's CPU time.
#[derive(Debug)]
pub struct PhaseTimer {
    wall: Instant,
    cpu: Duration,
}

impl PhaseTimer {
    /// Starts timing.
    pub fn start() -> Self {
        Self {
            cpu: crate::measure::own_cpu_time(),
            wall: Instant::now(),
        }
    }

    /// Stops timing and builds the report.
    pub fn stop(self, check: String) -> ChildReport {
        let wall = self.wall.elapsed();
        ChildReport {
            wall,
            cpu: crate::measure::own_cpu_time().saturating_sub(self.cpu),
            check,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_round_trip() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::from_name(s.name()), Some(s));
        }
        assert_eq!(Scenario::from_name("nope"), None);
    }

    #[test]
    fn child_report_round_trips_through_json() {
        let report = ChildReport {
            wall: Duration::from_micros(1_500),
            cpu: Duration::from_micros(700),
            check: "tokens for alice".into(),
        };
        let line = report.to_json().to_string();
        let back = ChildReport::from_json(&serde_json::from_str(&line).unwrap()).unwrap();
        assert_eq!(back, report);
        assert_eq!(ChildReport::from_json(&json!({"wall_ns": 1})), None);
    }
}
