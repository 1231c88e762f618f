//! Findings do not depend on the order of declarations.
