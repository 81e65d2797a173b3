//! `starcity chronicle`: one timeline told as dated history.

use miette::{Result, miette};
use starcity_core::chronicle;
use starcity_core::ensemble::{self, RunConfig, Summary};
use starcity_core::scenario::Scenario;

use crate::cli::ChronicleArgs;
use crate::config::Worlds;
use crate::output::{self, Sink};
use crate::progress::in_pool;

pub fn run(args: &ChronicleArgs) -> Result<()> {
    if args.twin && args.common.divergences.is_empty() {
        return Err(miette!("--twin needs a divergence: -d NAME_OR_FILE"));
    }
    let Worlds { base, div } = Worlds::load(&args.common)?;
    let summary = ensemble_of(&div, args)?;
    let (timeline, chosen) = choose(&div, &summary, args)?;
    let seed = args.common.seed;
    let told = chronicle::tell(&div, seed, timeline, chosen.clone(), &summary)?;
    let sink = Sink::new(args.common.output.as_deref());
    let markdown = args.format == "markdown";
    if !args.twin {
        return match args.format.as_str() {
            "json" => output::emit_json(&told, sink),
            _ => output::emit(&chronicle::render(&told, &div, markdown), sink),
        };
    }
    let base_summary = ensemble_of(&base, args)?;
    let told_base = chronicle::tell(&base, seed, timeline, chosen, &base_summary)?;
    match args.format.as_str() {
        "json" => output::emit_json(&serde_json::json!({ "baseline": told_base, "divergent": told }), sink),
        _ => output::emit(&chronicle::render_twin(&told_base, &told, &base, markdown), sink),
    }
}

/// The ensemble the timeline belongs to: for "how common" figures and for `--pick typical`.
fn ensemble_of(sc: &Scenario, args: &ChronicleArgs) -> Result<Summary> {
    let cfg = RunConfig { seed: args.common.seed, timelines: args.timelines };
    Ok(in_pool(args.common.threads, args.quiet, cfg.timelines, "timelines", |done| ensemble::run(sc, cfg, done))??)
}

/// Which timeline to tell, and the sentence that says why.
fn choose(div: &Scenario, summary: &Summary, args: &ChronicleArgs) -> Result<(u64, String)> {
    let (n, seed) = (args.timelines, args.common.seed);
    let (threads, quiet) = (args.common.threads, args.quiet);
    if let Some(text) = &args.condition {
        let cond = div.parse_condition("--where", text)?;
        let found =
            in_pool(threads, quiet, n, "timelines searched", |done| chronicle::find_where(div, seed, n, &cond, done))??;
        return match found {
            Some(k) => Ok((k, format!("Timeline {k}: the first of {n} timelines where `{text}` holds at the end."))),
            None => Err(miette!("no timeline among the first {n} satisfies `{text}` (try a larger -n)")),
        };
    }
    if args.pick.is_some() {
        let k = in_pool(threads, quiet, n, "timelines compared", |done| {
            chronicle::find_typical(div, seed, n, summary, done)
        })??;
        return Ok((
            k,
            format!("Timeline {k}: the one of {n} closest to the usual outcome (who is first, median dates)."),
        ));
    }
    let k = args.timeline.unwrap_or(0);
    Ok((k, format!("Timeline {k} of the ensemble seeded {seed}.")))
}
