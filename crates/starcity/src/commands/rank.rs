//! `starcity rank`: every built-in divergence of the scenario (or those given) as twins against
//! the baseline, ordered by their paired effect on one quantity.

use std::time::Instant;

use miette::{Result, miette};
use starcity_core::builtin;
use starcity_core::counterfactual;
use starcity_core::divergence;
use starcity_core::limits::DIVERGENCES;
use starcity_core::report::rank::{Quantity, RankRow};
use starcity_core::report::{RankReport, views};
use starcity_core::scenario::Scenario;

use crate::cli::RankArgs;
use crate::config::{self, Worlds};
use crate::output::{self, Sink};
use crate::progress::in_pool;

pub fn run(args: &RankArgs) -> Result<()> {
    let started = Instant::now();
    if args.common.divergences.len() > DIVERGENCES.usize() {
        return Err(miette!("{} divergences given; {}", args.common.divergences.len(), DIVERGENCES.describe()));
    }
    let stdin_uses = args.common.scenario.iter().chain(&args.common.divergences).filter(|n| *n == "-").count();
    if stdin_uses > 1 {
        return Err(miette!("`-` (standard input) is given {stdin_uses} times; it can be read only once"));
    }
    output::check_target(args.common.output.as_deref())?;
    let scenario = config::scenario(args.common.scenario.as_deref().unwrap_or(builtin::DEFAULT_SCENARIO))?;
    let quantity = quantity(&scenario, args)?;
    let names = divergences(&scenario, args)?;
    let mut rows = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if !args.quiet {
            output::note(&format!("[{}/{}] {name}\n", i + 1, names.len()));
        }
        rows.push(row(&scenario, name, quantity, args)?);
    }
    let report = RankReport::new(&scenario, quantity, args.common.seed, args.timelines, args.given_history, rows);
    let format = args.output.format(args.common.output.as_deref());
    super::emit_report(&report, &views::rank(&report), format, Sink::new(args.common.output.as_deref()))?;
    if !args.quiet {
        output::note(&format!("{} divergences ranked in {:.2} s\n", names.len(), started.elapsed().as_secs_f64()));
    }
    Ok(())
}

/// `--milestone`/`--agency`/`--lost` as a quantity of this scenario, with the ids listed when
/// one is unknown.
fn quantity(sc: &Scenario, args: &RankArgs) -> Result<Quantity> {
    let agency = sc.agency_index(&args.agency).ok_or_else(|| {
        let ids: Vec<&str> = sc.agencies.iter().map(|a| a.id.as_str()).collect();
        miette!("--agency {}: no such agency in {} (its agencies: {})", args.agency, sc.id, ids.join(", "))
    })?;
    if args.lost {
        return Ok(Quantity::Lost { agency });
    }
    let milestone = sc.milestone_index(&args.milestone).ok_or_else(|| {
        let ids: Vec<&str> = sc.milestones.iter().map(|m| m.id.as_str()).collect();
        miette!("--milestone {}: no such milestone in {} (its milestones: {})", args.milestone, sc.id, ids.join(", "))
    })?;
    Ok(Quantity::First { milestone, agency })
}

/// The divergences given with -d, else every built-in written for this scenario.
fn divergences(sc: &Scenario, args: &RankArgs) -> Result<Vec<String>> {
    if !args.common.divergences.is_empty() {
        return Ok(args.common.divergences.clone());
    }
    let for_this = |b: &&builtin::Builtin| {
        divergence::header(b.name, b.toml)
            .is_ok_and(|h| h.base.as_deref().unwrap_or(builtin::DEFAULT_SCENARIO) == sc.id)
    };
    let names: Vec<String> = builtin::DIVERGENCES.iter().filter(for_this).map(|b| b.name.to_string()).collect();
    if names.is_empty() {
        return Err(miette!("no built-in divergence is written for {}: name some with -d NAME_OR_FILE", sc.id));
    }
    Ok(names)
}

/// One divergence compared with the baseline, as `compare` would (its own date, or the whole
/// record with --given-history).
fn row(sc: &Scenario, name: &str, q: Quantity, args: &RankArgs) -> Result<RankRow> {
    let (origin, text) = config::divergence_text(name)?;
    let worlds = Worlds::diverged(sc.clone(), &[(origin.clone(), text.clone())], args.common.history_until)?;
    let Worlds { base, div } = if args.given_history { worlds.given_history()? } else { worlds };
    let (seed, n) = (args.common.seed, args.timelines);
    let paired = in_pool(args.common.threads, args.quiet, n, "twin timelines", |done| {
        counterfactual::run_pairs(&base, &div, seed, n, done)
    })??;
    let title = divergence::header(&origin, &text).map(|h| h.name).unwrap_or_else(|_| name.to_string());
    Ok(RankRow::new(&title, &base, &div, &paired, q))
}
