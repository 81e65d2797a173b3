//! `starcity chronicle`: one timeline told as dated history.

use miette::{Result, miette};
use starcity_core::chronicle::formats::{self, Told};
use starcity_core::chronicle::{self, Perspective};
use starcity_core::ensemble::{self, RunConfig, Summary};
use starcity_core::report::pct;
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
    if args.count {
        return count(&div, args);
    }
    let summary = ensemble_of(&div, args)?;
    let (timeline, chosen) = choose(&div, &summary, args)?;
    let seed = args.common.seed;
    let told = chronicle::tell(&div, seed, timeline, chosen.clone(), &summary)?;
    let sink = Sink::new(args.common.output.as_deref());
    if !args.twin {
        let side = perspective(&div, args.perspective.as_deref())?;
        return emit(&args.format, &div, Told::One(&told, side), sink);
    }
    let base_summary = ensemble_of(&base, args)?;
    let told_base = chronicle::tell(&base, seed, timeline, chosen, &base_summary)?;
    emit(&args.format, &base, Told::Twin { base: &told_base, div: &told }, sink)
}

/// Writes a chronicle (or twins) in `--format`; every format is made in the core.
fn emit(format: &str, sc: &Scenario, told: Told, sink: Sink<'_>) -> Result<()> {
    let markdown = format == "markdown";
    match (format, told) {
        ("json", Told::One(c, _)) => output::emit_json(c, sink),
        ("json", Told::Twin { base, div }) => {
            output::emit_json(&serde_json::json!({ "baseline": base, "divergent": div }), sink)
        }
        ("timelinejs", _) => output::emit_json(&formats::timelinejs(told, sc), sink),
        ("csv", _) => {
            let csv = formats::csv(told, sc).map_err(|e| miette!("cannot write the CSV: {e}"))?;
            output::emit(&csv, sink)
        }
        ("obsidian", _) => output::emit(&formats::obsidian(told, sc), sink),
        (_, Told::One(c, side)) => output::emit(&chronicle::render(c, sc, markdown, side), sink),
        (_, Told::Twin { base, div }) => output::emit(&chronicle::render_twin(base, div, sc, markdown), sink),
    }
}

/// `--where COND --count`: how many timelines satisfy the condition, with a 95 % interval.
fn count(sc: &Scenario, args: &ChronicleArgs) -> Result<()> {
    if !matches!(args.format.as_str(), "text" | "markdown" | "json") {
        return Err(miette!(
            "--count prints a count as text or JSON; --format {} tells one timeline (drop --count)",
            args.format
        ));
    }
    let text = args.condition.as_deref().unwrap_or("true");
    let cond = where_condition(sc, text)?;
    let (n, seed) = (args.timelines, args.common.seed);
    let c = in_pool(args.common.threads, args.quiet, n, "timelines", |done| {
        chronicle::count_where(sc, seed, n, &cond, done)
    })??;
    let [lo, hi] = c.interval95();
    let sink = Sink::new(args.common.output.as_deref());
    if args.format == "json" {
        let json = serde_json::json!({
            "scenario": sc.id, "divergences": sc.divergences, "seed": seed, "condition": text,
            "timelines": c.n, "matching": c.hits, "share": c.share(), "ci95": [lo, hi],
        });
        return output::emit_json(&json, sink);
    }
    let line = format!(
        "`{text}` holds at the end of {} of {} timelines: {} (95 % interval {} to {}).\n",
        c.hits,
        c.n,
        pct(c.share()),
        pct(lo),
        pct(hi)
    );
    output::emit(&line, sink)
}

/// Parses `--where`, refusing a condition that is the same at the end of every timeline.
fn where_condition(sc: &Scenario, text: &str) -> Result<starcity_core::scenario::Cond> {
    let cond = sc.parse_condition("--where", text)?;
    if chronicle::is_constant_at_end(&cond) {
        return Err(miette!(
            "--where `{text}` reads only the date, so it is the same at the end of every timeline; \
             to ask when something happened, compare dates: date(MILESTONE, AGENCY) < YYYY-MM-DD"
        ));
    }
    Ok(cond)
}

/// The side a chronicle is told from: `--perspective AGENCY`, or both.
fn perspective(sc: &Scenario, agency: Option<&str>) -> Result<Perspective> {
    let Some(id) = agency else { return Ok(Perspective::Both) };
    match sc.agency_index(id) {
        Some(a) => Ok(Perspective::Side(a)),
        None => {
            let ids: Vec<&str> = sc.agencies.iter().map(|a| a.id.as_str()).collect();
            Err(miette!("--perspective {id}: no such agency in {} (its agencies: {})", sc.id, ids.join(", ")))
        }
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
        let cond = where_condition(div, text)?;
        let found =
            in_pool(threads, quiet, n, "timelines searched", |done| chronicle::find_where(div, seed, n, &cond, done))??;
        let none = chronicle::Count { hits: 0, n };
        return match found {
            Some(k) => Ok((k, format!("Timeline {k}: the first of {n} timelines where `{text}` holds at the end."))),
            None => Err(miette!(
                "no timeline among the first {n} satisfies `{text}`: if it can happen at all, its chance is below {} \
                 (95 % confidence); a larger -n searches further",
                pct(none.interval95()[1])
            )),
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
