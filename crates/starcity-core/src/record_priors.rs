//! Vehicle priors from the embedded launch record, as of a scenario's start date.
//!
//! The bridge between the scenario loader and the reliability model fitted on the record: a
//! vehicle naming a record `family` gets the model's posterior for that family after its flights
//! before the start date; a vehicle with a stated prior gets that prior with the population's growth
//! curve, fitted on the same launches. Nothing after the start date is used.

use chrono::NaiveDate;

use crate::record::Record;
use crate::reliability::{self, Hyper, Posterior};

/// The population hyper-parameters fitted (prequentially, cached per date) on the embedded record
/// before `before`.
pub fn hyper(before: NaiveDate) -> Result<Hyper, String> {
    reliability::fit_hyper(Record::embedded(), before)
}

/// The posterior for a record family after its flights before `before`, and how many there were.
/// The error says what was expected (the valid family names).
pub fn family_prior(family: &str, before: NaiveDate) -> Result<(Posterior, u32), String> {
    let record = Record::embedded();
    let h = hyper(before)?;
    reliability::family_prior(record, h, family, before)
        .ok_or_else(|| format!("a family of the launch record: {}", reliability::families(record).join(", ")))
}

/// A stated Beta prior with the population growth curve fitted before `before`.
pub fn stated_prior(mean: f64, strength: f64, before: NaiveDate) -> Result<Posterior, String> {
    Ok(Posterior::with_prior_mean(hyper(before)?, mean, strength))
}
