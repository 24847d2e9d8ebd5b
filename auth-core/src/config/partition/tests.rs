//! The partition table against the AWS SDK for Rust: its `partitions.json` and its Cognito
//! endpoint resolvers.

use std::path::{Path, PathBuf};
use std::task::{Context, Poll, Waker};

use serde_json::Value;

use super::*;
use crate::config::{IdentityPoolConfig, UserPoolConfig};

#[test]
fn every_partition_has_its_own_suffix() {
    for (region, suffix) in [
        ("us-east-1", "amazonaws.com"),
        ("ap-southeast-7", "amazonaws.com"),
        ("us-gov-west-1", "amazonaws.com"),
        ("cn-northwest-1", "amazonaws.com.cn"),
        ("eusc-de-east-1", "amazonaws.eu"),
        ("us-iso-east-1", "c2s.ic.gov"),
        ("us-isob-east-1", "sc2s.sgov.gov"),
        ("eu-isoe-west-1", "cloud.adc-e.uk"),
        ("us-isof-south-1", "csp.hci.ic.gov"),
        ("aws-iso-b-global", "sc2s.sgov.gov"),
    ] {
        assert_eq!(dns_suffix(region), suffix, "{region}");
    }
}

#[test]
fn regions_of_no_partition_fall_back_to_the_standard_one() {
    for region in [
        "xx-east-1",
        "us-east",
        "us-iso-east",
        "cn",
        "",
        "eusc-fr-east-1",
    ] {
        assert_eq!(dns_suffix(region), "amazonaws.com", "{region:?}");
    }
}

/// The version of `name` in the workspace's `Cargo.lock`.
fn locked_version(name: &str) -> String {
    let lock_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).expect("the workspace's Cargo.lock");
    let entry = format!("name = \"{name}\"\nversion = \"");
    let start = lock.find(&entry).expect("the SDK crate is in Cargo.lock") + entry.len();
    lock[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The source directory of a registry crate (a dev-dependency, so Cargo has unpacked it).
fn registry_source(name: &str) -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").expect("HOME or CARGO_HOME")).join(".cargo"),
        PathBuf::from,
    );
    let dir = format!("{name}-{}", locked_version(name));
    let registries = cargo_home.join("registry/src");
    std::fs::read_dir(&registries)
        .unwrap_or_else(|e| panic!("{}: {e}", registries.display()))
        .filter_map(Result::ok)
        .map(|index| index.path().join(&dir))
        .find(|path| path.is_dir())
        .unwrap_or_else(|| panic!("{dir} is not unpacked under {}", registries.display()))
}

/// The `partitions.json` a generated SDK crate embeds in `src/endpoint_lib.rs` as a byte
/// string literal.
fn sdk_partitions(name: &str) -> Value {
    let path = registry_source(name).join("src/endpoint_lib.rs");
    let source = std::fs::read_to_string(&path).expect("the SDK's endpoint_lib.rs");
    let start = source
        .find("new_from_json(b\"")
        .expect("the default partitions")
        + "new_from_json(b\"".len();
    let mut json = String::new();
    let mut chars = source[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => json.push('\n'),
                Some('t') => json.push('\t'),
                Some(other) => json.push(other),
                None => break,
            },
            c => json.push(c),
        }
    }
    serde_json::from_str(&json).expect("partitions.json")
}

/// Every partition of the SDK with its regions: the listed ones and, to stand for regions
/// opened later, `<prefix>-future-9` for each of our prefixes, checked against the SDK's
/// `regionRegex`.
fn sdk_regions(partitions: &Value) -> Vec<(String, &'static str, String)> {
    let mut regions = Vec::new();
    for partition in partitions["partitions"].as_array().expect("partitions") {
        let id = partition["id"].as_str().expect("id");
        let suffix = partition["outputs"]["dnsSuffix"]
            .as_str()
            .expect("dnsSuffix");
        let ours = PARTITIONS
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("the SDK has partition {id} ({suffix}); add it"));
        assert_eq!(ours.dns_suffix, suffix, "dnsSuffix of {id}");
        let regex = partition["regionRegex"].as_str().expect("regionRegex");
        let regex = regex_lite::Regex::new(regex).expect("regionRegex compiles");
        for prefix in ours.prefixes {
            let future = format!("{prefix}-future-9");
            assert!(regex.is_match(&future), "{future} is not in {id}: {regex}");
            regions.push((id.to_owned(), ours.dns_suffix, future));
        }
        let listed = partition["regions"].as_object().expect("regions");
        for region in listed.keys() {
            regions.push((id.to_owned(), ours.dns_suffix, region.clone()));
        }
    }
    for ours in PARTITIONS {
        assert!(
            regions.iter().any(|(id, ..)| id == ours.id),
            "partition {} is not in the SDK's partitions.json",
            ours.id
        );
    }
    regions
}

/// Resolves a ready endpoint future (the SDK's default resolvers never wait).
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the SDK's endpoint resolver did not answer at once"),
    }
}

#[test]
fn every_region_of_the_sdk_partitions_has_the_sdk_dns_suffix() {
    let partitions = sdk_partitions("aws-sdk-cognitoidentityprovider");
    for (id, suffix, region) in sdk_regions(&partitions) {
        assert_eq!(dns_suffix(&region), suffix, "{region} of {id}");
    }
}

#[test]
fn user_pool_endpoints_are_the_ones_the_aws_sdk_resolves() {
    use aws_sdk_cognitoidentityprovider::config::endpoint::{
        DefaultResolver, Params, ResolveEndpoint,
    };
    let partitions = sdk_partitions("aws-sdk-cognitoidentityprovider");
    let resolver = DefaultResolver::new();
    for (_, _, region) in sdk_regions(&partitions) {
        let Ok(config) = UserPoolConfig::builder()
            .pool_id(format!("{region}_Pool1"))
            .client_id("client")
            .build()
        else {
            continue; // `aws-global` and friends are no user pool regions.
        };
        let params = Params::builder().region(&region).build().unwrap();
        let sdk = ready(resolver.resolve_endpoint(&params)).unwrap();
        assert_eq!(
            config.endpoint().uri().to_string(),
            format!("{}/", sdk.url()),
            "{region}"
        );
    }
}

#[test]
fn identity_pool_endpoints_are_the_ones_the_aws_sdk_resolves() {
    use aws_sdk_cognitoidentity::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    let partitions = sdk_partitions("aws-sdk-cognitoidentity");
    let resolver = DefaultResolver::new();
    for (_, _, region) in sdk_regions(&partitions) {
        let Ok(config) = IdentityPoolConfig::builder()
            .identity_pool_id(format!("{region}:0e1c-42"))
            .build()
        else {
            continue;
        };
        let params = Params::builder().region(&region).build().unwrap();
        let sdk = ready(resolver.resolve_endpoint(&params)).unwrap();
        assert_eq!(
            config.endpoint().uri().to_string(),
            format!("{}/", sdk.url()),
            "{region}"
        );
    }
}
