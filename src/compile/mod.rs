//! Firewall backends (issue: nftables/iptables). Not yet built.
