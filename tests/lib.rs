//! The stories' scene setting ([`support`]), compiled once and linked into the one
//! story binary (`it/`) and the benchmarks (`bench/`). Not a library anyone else uses.

pub mod support;
