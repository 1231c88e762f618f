//! Property test: the minimum cut equals a brute-force minimum.
