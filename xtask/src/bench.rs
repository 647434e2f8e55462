//! `cargo xtask bench`: real work, timed, printed as a table.

use anyhow::Result;

pub fn all() -> Result<()> {
    anyhow::bail!("benchmarks are not written yet")
}
