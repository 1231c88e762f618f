//! Parser and formatter (in progress).
