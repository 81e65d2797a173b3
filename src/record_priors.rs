//! Vehicle priors from the embedded launch record, as of a scenario's start date.
//!
//! The bridge between the scenario loader and the reliability model fitted on the record: a
//! vehicle naming a record `family` gets the model's posterior for that family after its flights
//! before the start date; a vehicle with a stated prior gets that prior with the population's growth
//! curve. Results are cached per date, since every load of a scenario asks the same questions.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use chrono::NaiveDate;

use crate::reliability::{Hyper, Posterior};

/// INTERIM until the record fit lands: hyper-parameters stated by judgement.
const INTERIM: Hyper = Hyper { mu: 0.35, kappa: 3.0, rho: 0.15, tau: 15.0 };

struct Launch {
    date: NaiveDate,
    family: String,
    failed: bool,
}

fn launches() -> &'static Vec<Launch> {
    static L: OnceLock<Vec<Launch>> = OnceLock::new();
    L.get_or_init(|| {
        include_str!("../data/launches-1957-1980.tsv")
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let date = NaiveDate::parse_from_str(f.first()?, "%Y-%m-%d").ok()?;
                Some(Launch { date, family: f.get(3)?.to_string(), failed: *f.get(5)? == "failure" })
            })
            .collect()
    })
}

/// The population hyper-parameters fitted on the record before `before`.
pub fn hyper(before: NaiveDate) -> Result<Hyper, String> {
    let _ = before;
    Ok(INTERIM)
}

/// The posterior for a record family after its flights before `before`, and how many there were.
/// The error lists the valid family names.
pub fn family_prior(family: &str, before: NaiveDate) -> Result<(Posterior, u32), String> {
    static CACHE: OnceLock<Mutex<HashMap<(String, NaiveDate), (Posterior, u32)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (family.to_string(), before);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(hit);
    }
    let all = launches();
    if !all.iter().any(|l| l.family == family) {
        let mut names: Vec<&str> = all.iter().map(|l| l.family.as_str()).collect();
        names.sort();
        names.dedup();
        return Err(format!("a family of the launch record: {}", names.join(", ")));
    }
    let mut post = Posterior::new(hyper(before)?);
    let mut n = 0;
    for l in all.iter().filter(|l| l.family == family && l.date < before) {
        post.observe(n, l.failed);
        n += 1;
    }
    if let Ok(mut c) = cache.lock() {
        c.insert(key, (post.clone(), n));
    }
    Ok((post, n))
}

/// A stated Beta prior with the population growth curve fitted before `before`.
pub fn stated_prior(mean: f64, strength: f64, before: NaiveDate) -> Result<Posterior, String> {
    Ok(Posterior::with_prior_mean(hyper(before)?, mean, strength))
}
