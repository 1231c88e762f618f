//! Rendering diagnostics (in progress).
