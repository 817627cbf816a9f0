//! Beckon SDK (placeholder while the skeleton is laid).
