//! The `amanat serve` flags for rate limits, slow clients and storage limits (see
//! docs/api.md, "Limits"). Defaults are [`crate::config`]'s and [`crate::quota`]'s.

use std::time::Duration;

use clap::Args;

use crate::config::{self, Config};
use crate::quota;

#[derive(Args, Debug)]
pub struct LimitFlags {
    /// Requests a second one client address may make, bursts of twice that (0: no limit).
    #[arg(long, default_value_t = config::DEFAULT_RATE, value_name = "N")]
    pub rate_per_address: f64,
    /// Requests a second one account may make, bursts of twice that (0: no limit).
    #[arg(long, default_value_t = config::DEFAULT_RATE, value_name = "N")]
    pub rate_per_account: f64,
    /// Seconds a client has to send a request's whole header.
    #[arg(long, default_value_t = config::DEFAULT_HEADER_TIMEOUT.as_secs_f64(), value_name = "SECONDS")]
    pub header_timeout: f64,
    /// Longest pause, in seconds, allowed inside a request body.
    #[arg(long, default_value_t = config::DEFAULT_BODY_TIMEOUT.as_secs_f64(), value_name = "SECONDS")]
    pub body_timeout: f64,
    /// Bytes one account may store in all (then 413 quota_exceeded).
    #[arg(long, default_value_t = quota::DEFAULT_QUOTA_BYTES, value_name = "BYTES")]
    pub quota_bytes: u64,
    /// New entries one account may store per hour (then 429 upload_rate_limited; 0: no limit).
    #[arg(long, default_value_t = quota::DEFAULT_UPLOADS_PER_HOUR, value_name = "N")]
    pub uploads_per_hour: u32,
    /// Free space to keep on the data directory's file system: below it uploads are
    /// refused (507 storage_full) before the disk is full.
    #[arg(long, default_value_t = quota::DEFAULT_MIN_FREE_BYTES, value_name = "BYTES")]
    pub min_free_bytes: u64,
}

impl LimitFlags {
    /// Puts the flags into a relay config; refuses nonsense (negative, zero timeouts).
    pub fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        let secs = |s: f64, what: &str| {
            Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| anyhow::anyhow!("--{what} must be a positive number of seconds"))
        };
        if !(self.rate_per_address >= 0.0 && self.rate_per_account >= 0.0) {
            anyhow::bail!("rates must be 0 (no limit) or positive");
        }
        config.rate_per_address = self.rate_per_address;
        config.rate_per_account = self.rate_per_account;
        config.header_timeout = secs(self.header_timeout, "header-timeout")?;
        config.body_timeout = secs(self.body_timeout, "body-timeout")?;
        config.quota_bytes = self.quota_bytes;
        config.uploads_per_hour = self.uploads_per_hour;
        config.min_free_bytes = self.min_free_bytes;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(rate: f64, header: f64, body: f64) -> LimitFlags {
        LimitFlags {
            rate_per_address: rate,
            rate_per_account: rate,
            header_timeout: header,
            body_timeout: body,
            quota_bytes: 1,
            uploads_per_hour: 2,
            min_free_bytes: 3,
        }
    }

    #[test]
    fn the_flags_reach_the_config_and_nonsense_is_refused() {
        let mut c = Config::default();
        flags(0.0, 2.5, 7.0).apply(&mut c).unwrap();
        assert_eq!(
            (c.rate_per_address, c.header_timeout, c.body_timeout),
            (0.0, Duration::from_millis(2500), Duration::from_secs(7))
        );
        assert_eq!((c.quota_bytes, c.uploads_per_hour, c.min_free_bytes), (1, 2, 3));
        for bad in [
            flags(-1.0, 1.0, 1.0),
            flags(f64::NAN, 1.0, 1.0),
            flags(1.0, 0.0, 1.0),
            flags(1.0, 1.0, -3.0),
            flags(1.0, f64::INFINITY, 1.0),
        ] {
            assert!(bad.apply(&mut Config::default()).is_err(), "{bad:?}");
        }
    }
}
