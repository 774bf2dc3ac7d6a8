//! Which network addresses the platform may call on a merchant's behalf.
//!
//! A merchant chooses its webhook URL, and any verified holder can open a merchant, so a URL that
//! reaches this machine or the operator's own network would let a stranger make the server call
//! inside it (SSRF). [`is_internal`] is the one classification of such addresses: the wallet uses
//! it on an address written in the URL when a merchant sets it, and the webhook connector uses it
//! again on every address it is about to connect to, after name resolution. One function, so the
//! two can never disagree about a range.
//!
//! IPv4 is a list of refused ranges (the special-purpose ranges of RFC 6890 and its successors
//! that are not globally reachable). IPv6 is an allow-list: only global unicast (`2000::/3`) is on
//! the public internet, so everything outside it is refused — loopback, unspecified, IPv4-mapped
//! and IPv4-compatible forms, unique local, link-local, site-local, multicast and whatever is
//! assigned there later — and inside it the reserved ranges are refused too. Forms that carry an
//! IPv4 address the packets end up at (NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that
//! IPv4 address.
//!
//! Pure: no resolution, no I/O.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 ranges that are not the public internet: network, prefix length, and what it is.
const V4_INTERNAL: [(Ipv4Addr, u32, &str); 15] = [
    (
        Ipv4Addr::new(0, 0, 0, 0),
        8,
        "this network; 0.0.0.0 reaches this machine",
    ),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private (RFC 1918)"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "shared address space, CGNAT (RFC 6598)",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        "link-local, cloud metadata services",
    ),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private (RFC 1918)"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "documentation (TEST-NET-1)",
    ),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "6to4 relay anycast (deprecated)",
    ),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private (RFC 1918)"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "documentation (TEST-NET-2)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "documentation (TEST-NET-3)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "reserved, and 255.255.255.255 broadcast",
    ),
];

/// Ranges inside IPv6 global unicast (`2000::/3`) that are not the public internet.
const V6_GLOBAL_INTERNAL: [(Ipv6Addr, u32, &str); 3] = [
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments: Teredo, ORCHID, benchmarking",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation",
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "documentation (RFC 9637)",
    ),
];

/// Whether `ip` is anywhere but the public internet — loopback, private, link-local, CGNAT,
/// multicast, unspecified, broadcast, documentation, benchmarking or reserved, or an IPv6 form of
/// one of those — and so an address the platform must not call for a merchant.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    V4_INTERNAL
        .iter()
        .any(|&(network, len, _)| prefix_v4(ip, len) == prefix_v4(network, len))
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    // NAT64 (RFC 6052): a DNS64 resolver answers public IPv4 hosts with these, and the gateway
    // connects to the IPv4 address in the last 32 bits — which is what must be judged.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_internal_v4(embedded_v4(segments[6], segments[7]));
    }
    // 6to4 (RFC 3056): `2002:AABB:CCDD::/48` is the site behind IPv4 address AA.BB.CC.DD.
    if segments[0] == 0x2002 {
        return is_internal_v4(embedded_v4(segments[1], segments[2]));
    }
    let global_unicast = segments[0] & 0xe000 == 0x2000;
    !global_unicast
        || V6_GLOBAL_INTERNAL
            .iter()
            .any(|&(network, len, _)| prefix_v6(ip, len) == prefix_v6(network, len))
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))
}

/// The first `len` bits of `ip`, the rest zero.
fn prefix_v4(ip: Ipv4Addr, len: u32) -> u32 {
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    u32::from(ip) & mask
}

/// The first `len` bits of `ip`, the rest zero.
fn prefix_v6(ip: Ipv6Addr, len: u32) -> u128 {
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    u128::from(ip) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> IpAddr {
        match text.parse::<Ipv4Addr>() {
            Ok(ip) => IpAddr::V4(ip),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn v6(text: &str) -> IpAddr {
        match text.parse::<Ipv6Addr>() {
            Ok(ip) => IpAddr::V6(ip),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn the_first_and_last_address_of_every_ipv4_range_is_internal() {
        for (network, len, what) in V4_INTERNAL {
            let first = u32::from(network);
            let last = first | u32::MAX.checked_shr(len).unwrap_or(0);
            for ip in [first, last] {
                let ip = IpAddr::V4(Ipv4Addr::from(ip));
                assert!(is_internal(ip), "{ip} ({what})");
            }
        }
    }

    #[test]
    fn each_named_ipv4_kind_is_internal() {
        for (ip, kind) in [
            ("127.0.0.1", "loopback"),
            ("127.255.255.254", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local metadata"),
            ("100.64.0.1", "CGNAT"),
            ("100.127.255.255", "CGNAT"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "this network"),
            ("255.255.255.255", "broadcast"),
            ("240.0.0.1", "reserved"),
            ("192.0.0.170", "NAT64 discovery"),
            ("192.0.2.1", "documentation"),
            ("198.51.100.7", "documentation"),
            ("203.0.113.7", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking"),
            ("192.88.99.1", "6to4 relay"),
        ] {
            assert!(is_internal(v4(ip)), "{ip} ({kind})");
        }
    }

    #[test]
    fn public_ipv4_addresses_next_to_the_ranges_are_not_internal() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
        ] {
            assert!(!is_internal(v4(ip)), "{ip}");
        }
    }

    #[test]
    fn ipv6_outside_global_unicast_is_internal() {
        for (ip, kind) in [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("0:0:0:0:0:0:0:1", "loopback, long form"),
            ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
            ("::ffff:10.0.0.1", "IPv4-mapped private"),
            ("::ffff:8.8.8.8", "IPv4-mapped, even of a public address"),
            ("::127.0.0.1", "IPv4-compatible loopback"),
            ("::8.8.8.8", "IPv4-compatible, deprecated"),
            ("64:ff9b:1::1", "local-use NAT64"),
            ("100::1", "discard-only"),
            ("fc00::1", "unique local"),
            ("fd12:3456:789a::1", "unique local"),
            ("fe80::1", "link-local"),
            ("febf:ffff::1", "link-local"),
            ("fec0::1", "site-local, deprecated"),
            ("ff02::1", "multicast"),
            ("ff0e::1", "multicast"),
            ("4000::1", "unassigned"),
        ] {
            assert!(is_internal(v6(ip)), "{ip} ({kind})");
        }
    }

    #[test]
    fn reserved_ranges_inside_ipv6_global_unicast_are_internal() {
        for (ip, kind) in [
            ("2001::1", "Teredo"),
            ("2001:1ff:ffff::1", "IETF protocol assignments"),
            ("2001:db8::1", "documentation"),
            ("3fff::1", "documentation"),
            ("3fff:fff::1", "documentation"),
        ] {
            assert!(is_internal(v6(ip)), "{ip} ({kind})");
        }
    }

    #[test]
    fn nat64_and_6to4_are_judged_by_the_ipv4_address_they_carry() {
        for ip in [
            "64:ff9b::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::169.254.169.254",
            "64:ff9b::0.0.0.0",
            "2002:7f00:1::1",
            "2002:a00:1::",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(is_internal(v6(ip)), "{ip}");
        }
        for ip in ["64:ff9b::8.8.8.8", "2002:808:808::1"] {
            assert!(!is_internal(v6(ip)), "{ip}");
        }
    }

    #[test]
    fn public_ipv6_addresses_are_not_internal() {
        for ip in [
            "2400:cb00::1",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "2001:200::1",
            "3fff:1000::1",
        ] {
            assert!(!is_internal(v6(ip)), "{ip}");
        }
    }
}
