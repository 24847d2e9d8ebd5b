//! AWS partitions: which DNS suffix a region's endpoints (and Cognito's token issuers) use.
//!
//! The table mirrors the `partitions.json` that every `aws-sdk-*` crate embeds for its endpoint
//! rules; the tests compare the two, region by region, and fails when the SDK
//! gains a partition or a region resolves differently. It is kept here rather than taken from
//! a crate because the SDK's partition resolver is private to each generated crate, and a
//! dependency on one would pull the SDK's runtime into this sans-IO crate.

/// One partition: how its region names look and the DNS suffix of its endpoints.
struct Partition {
    /// The partition id (`aws`, `aws-cn`, …); `<id>-global` is a region of it too.
    id: &'static str,
    /// The region prefixes of the partition's `regionRegex`: a region is
    /// `<prefix>-<word>-<digits>`.
    prefixes: &'static [&'static str],
    /// `dnsSuffix` of the partition's outputs.
    dns_suffix: &'static str,
}

/// The partitions of `partitions.json`, the standard partition (`aws`) first: it is the
/// fallback for a region no partition matches, as in the SDK's resolver.
const PARTITIONS: &[Partition] = &[
    Partition {
        id: "aws",
        prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        dns_suffix: "amazonaws.com",
    },
    Partition {
        id: "aws-cn",
        prefixes: &["cn"],
        dns_suffix: "amazonaws.com.cn",
    },
    Partition {
        id: "aws-eusc",
        prefixes: &["eusc-de"],
        dns_suffix: "amazonaws.eu",
    },
    Partition {
        id: "aws-iso",
        prefixes: &["us-iso"],
        dns_suffix: "c2s.ic.gov",
    },
    Partition {
        id: "aws-iso-b",
        prefixes: &["us-isob"],
        dns_suffix: "sc2s.sgov.gov",
    },
    Partition {
        id: "aws-iso-e",
        prefixes: &["eu-isoe"],
        dns_suffix: "cloud.adc-e.uk",
    },
    Partition {
        id: "aws-iso-f",
        prefixes: &["us-isof"],
        dns_suffix: "csp.hci.ic.gov",
    },
    Partition {
        id: "aws-us-gov",
        prefixes: &["us-gov"],
        dns_suffix: "amazonaws.com",
    },
];

impl Partition {
    /// `regionRegex`: `^<prefix>\-\w+\-\d+$` for one of the prefixes (`\w` has no `-`).
    fn matches(&self, region: &str) -> bool {
        self.prefixes.iter().any(|prefix| {
            region
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('-'))
                .and_then(|rest| rest.split_once('-'))
                .is_some_and(|(word, digits)| {
                    !word.is_empty()
                        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        && !digits.is_empty()
                        && digits.bytes().all(|b| b.is_ascii_digit())
                })
        })
    }

    /// The partition's own pseudo-region, `<id>-global`.
    fn is_global_region(&self, region: &str) -> bool {
        region
            .strip_prefix(self.id)
            .is_some_and(|rest| rest == "-global")
    }
}

/// The DNS suffix of a region's AWS endpoints, from the AWS partition the region belongs to.
///
/// `amazonaws.com` for the standard and GovCloud regions, `amazonaws.com.cn` for China,
/// `amazonaws.eu` for the European Sovereign Cloud, and the ISO partitions' own suffixes
/// (`c2s.ic.gov`, `sc2s.sgov.gov`, `cloud.adc-e.uk`, `csp.hci.ic.gov`). A region of no known
/// partition gets `amazonaws.com`, as the AWS SDKs resolve it.
///
/// The Cognito endpoints are `https://cognito-idp.<region>.<suffix>/` and
/// `https://cognito-identity.<region>.<suffix>/`, and a user pool's tokens are issued by
/// `https://cognito-idp.<region>.<suffix>/<poolId>`.
///
/// ```
/// use auth_core::config::dns_suffix;
///
/// assert_eq!(dns_suffix("eu-west-1"), "amazonaws.com");
/// assert_eq!(dns_suffix("cn-north-1"), "amazonaws.com.cn");
/// assert_eq!(dns_suffix("us-isob-east-1"), "sc2s.sgov.gov");
/// assert_eq!(dns_suffix("eusc-de-east-1"), "amazonaws.eu");
/// ```
pub fn dns_suffix(region: &str) -> &'static str {
    PARTITIONS
        .iter()
        .find(|p| p.is_global_region(region))
        .or_else(|| PARTITIONS.iter().find(|p| p.matches(region)))
        .unwrap_or(&PARTITIONS[0])
        .dns_suffix
}

#[cfg(test)]
mod tests;
