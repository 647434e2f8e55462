//! Test scene helpers.
