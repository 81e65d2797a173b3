//! `starcity calibrate`: a one-step-ahead (prequential) backtest of the reliability model.
//!
//! For each launch of a record in date order, the model predicts P(success) from earlier launches
//! only, and is scored against two baselines. The model is the engine's own
//! ([`crate::reliability`]): the same [`FamilyStates`] replay gives the engine its vehicle priors.
//!
//! What is fitted on what (also in `docs/calibration.md`): the hyper-parameters used to predict
//! the launches of calendar year `Y` are fitted by [`crate::reliability::fit_hyper`]'s search on
//! the launches before `Y-01-01` only. Years before which fewer than
//! [`MIN_FIT_LAUNCHES`] launches exist use the stated judgement [`Hyper::WEAK`]. Nothing is
//! fitted on the launch being predicted or any later one.

use crate::record::{Launch, Record};
use crate::reliability::{FamilyStates, Hyper, MIN_FIT_LAUNCHES, family_prior, fit_hyper, fit_launches};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most hyper-parameter refits in one backtest (bounds the work a hostile record can cause).
pub const MAX_FITS: usize = 100;

/// Most launches in a `--record` file: `limits::RECORD_LAUNCHES`, small enough that the
/// backtest's yearly refits take seconds (under ~20 s for the worst record: 10,000 launches
/// spread over 100 or more years).
pub const MAX_LAUNCHES: usize = crate::limits::RECORD_LAUNCHES.usize();

/// Name of the pooled-rate baseline in reports.
pub const POOLED: &str = "pooled";
/// Name of the per-family Laplace baseline in reports.
pub const LAPLACE: &str = "family_laplace";

/// The three forecasters' P(success) for one launch, made before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// The reliability model.
    pub model: f64,
    /// Pooled rate of all earlier launches, `(successes + 1) / (attempts + 2)`.
    pub pooled: f64,
    /// The family's Laplace rule, `(successes + 1) / (attempts + 2)` over its earlier launches.
    pub laplace: f64,
}

/// Which hyper-parameters predicted one calendar year, and what they were fitted on.
#[derive(Debug, Clone, Serialize)]
pub struct FitSegment {
    /// First calendar year predicted with these hyper-parameters (they predict every launch up to
    /// the next segment's year; normally that is just this year).
    pub year: i32,
    /// The fit used only launches strictly before this date (`None`: not fitted, [`Hyper::WEAK`]).
    #[serde(serialize_with = "ser_opt_date")]
    pub fitted_before: Option<NaiveDate>,
    /// Number of launches the fit used.
    pub fitted_on: usize,
    /// The hyper-parameters.
    pub hyper: Hyper,
}

/// A full backtest: one prediction per launch of the record, in record order.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// `predictions[i]` is for `record.launches[i]`.
    pub predictions: Vec<Prediction>,
    /// The yearly hyper-parameter fits, in year order.
    pub fits: Vec<FitSegment>,
}

/// Runs the one-step-ahead backtest on `record`.
///
/// Hyper-parameters are refitted at each year boundary on the launches before it (fits run in
/// parallel; each is deterministic, so the result does not depend on the thread count).
pub fn backtest(record: &Record) -> Backtest {
    let launches = &record.launches;
    if launches.is_empty() {
        return Backtest { predictions: Vec::new(), fits: Vec::new() };
    };
    // Years that have launches, thinned to at most MAX_FITS refits (only a record spanning more
    // than MAX_FITS calendar years with launches is thinned: it is then refitted every k-th such
    // year, still on earlier launches only).
    let mut years: Vec<i32> = launches.iter().map(|l| l.date.year()).collect();
    years.dedup();
    let k = years.len().div_ceil(MAX_FITS).max(1);
    let years: Vec<i32> = years.into_iter().step_by(k).collect();
    let fits: Vec<FitSegment> = crate::parallel::map_ordered(&years, |&year| {
        let cut = NaiveDate::from_ymd_opt(year, 1, 1);
        let before = cut.map(|c| record.before(c)).unwrap_or(&[]);
        match cut {
            Some(c) if before.len() >= MIN_FIT_LAUNCHES => {
                FitSegment { year, fitted_before: Some(c), fitted_on: before.len(), hyper: fit_launches(before) }
            }
            _ => FitSegment { year, fitted_before: None, fitted_on: 0, hyper: Hyper::WEAK },
        }
    });

    let mut predictions = Vec::with_capacity(launches.len());
    // Baseline counts: (attempts, successes), pooled and per family.
    let (mut pooled_n, mut pooled_s) = (0u64, 0u64);
    let mut fam_counts: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut i = 0;
    for (k_seg, seg) in fits.iter().enumerate() {
        // Replay everything before this year under this year's hyper-parameters: the posterior of
        // each family is what the engine would hold with these hyper-parameters at this date.
        let mut states = FamilyStates::new(seg.hyper);
        states.replay(&launches[..i]);
        let next_year = fits.get(k_seg + 1).map_or(i32::MAX, |f| f.year);
        while i < launches.len() && launches[i].date.year() < next_year {
            let l = &launches[i];
            let (fn_, fs) = fam_counts.get(l.family.as_str()).copied().unwrap_or((0, 0));
            predictions.push(Prediction {
                model: 1.0 - states.predict(&l.family),
                pooled: (pooled_s as f64 + 1.0) / (pooled_n as f64 + 2.0),
                laplace: (fs as f64 + 1.0) / (fn_ as f64 + 2.0),
            });
            let ok = !l.outcome.failed();
            states.observe(&l.family, !ok);
            pooled_n += 1;
            pooled_s += ok as u64;
            fam_counts.insert(l.family.as_str(), (fn_ + 1, fs + ok as u64));
            i += 1;
        }
    }
    Backtest { predictions, fits }
}

/// Log and Brier scores of one forecaster over a set of launches.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Scores {
    /// Mean natural-log probability given to the observed outcome (higher is better; 0 is perfect,
    /// `ln 0.5 = -0.693` is a coin).
    pub log_score: f64,
    /// Mean squared error of P(success) against the outcome (lower is better).
    pub brier: f64,
    /// Number of launches scored.
    pub n: usize,
}

/// Accumulates [`Scores`].
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    ll: f64,
    bs: f64,
    n: usize,
}

impl Acc {
    fn add(&mut self, p_success: f64, success: bool) {
        let p = p_success.clamp(1e-12, 1.0 - 1e-12);
        self.ll += if success { p.ln() } else { (1.0 - p).ln() };
        let y = if success { 1.0 } else { 0.0 };
        self.bs += (p_success - y).powi(2);
        self.n += 1;
    }
    fn scores(&self) -> Scores {
        if self.n == 0 {
            return Scores::default();
        }
        Scores { log_score: self.ll / self.n as f64, brier: self.bs / self.n as f64, n: self.n }
    }
}

/// Log and Brier scores of `p_success` against `outcomes` (`true` = success).
pub fn score(p_success: &[f64], outcomes: &[bool]) -> Scores {
    let mut a = Acc::default();
    for (&p, &y) in p_success.iter().zip(outcomes) {
        a.add(p, y);
    }
    a.scores()
}

/// One bin of a calibration table.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Bin {
    /// Lower edge of predicted P(success) (inclusive).
    pub lo: f64,
    /// Upper edge (exclusive, except 1.0 for the last bin).
    pub hi: f64,
    /// Launches whose prediction fell in the bin.
    pub count: usize,
    /// Mean predicted P(success) of those launches (`null` in JSON when empty).
    pub mean_predicted: Option<f64>,
    /// Observed success frequency of those launches (`null` in JSON when empty).
    pub observed: Option<f64>,
}

/// Ten equal-width bins of predicted P(success) with their observed success frequency.
pub fn calibration_bins(p_success: &[f64], outcomes: &[bool]) -> Vec<Bin> {
    let mut sums = [(0usize, 0.0f64, 0usize); 10];
    for (&p, &y) in p_success.iter().zip(outcomes) {
        let k = ((p * 10.0).floor().max(0.0) as usize).min(9);
        sums[k].0 += 1;
        sums[k].1 += p;
        sums[k].2 += y as usize;
    }
    sums.iter()
        .enumerate()
        .map(|(k, &(count, sp, sy))| Bin {
            lo: k as f64 / 10.0,
            hi: (k + 1) as f64 / 10.0,
            count,
            mean_predicted: (count > 0).then(|| sp / count as f64),
            observed: (count > 0).then(|| sy as f64 / count as f64),
        })
        .collect()
}

/// Scores of the three forecasters on one family's scored launches.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyScores {
    /// Family name.
    pub family: String,
    /// Nation of its first launch in the record.
    pub nation: String,
    /// Scored launches.
    pub n: usize,
    /// Failures among them.
    pub failures: usize,
    /// The reliability model.
    pub model: Scores,
    /// The two baselines, by name.
    pub baselines: BTreeMap<String, Scores>,
}

/// Everything `calibrate` reports; serialised as its `--json` output.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Where the record came from and how much of it was readable.
    pub record: RecordInfo,
    /// Scored launches are those on or after this date (`null`: all).
    #[serde(serialize_with = "ser_opt_date")]
    pub from: Option<NaiveDate>,
    /// The reliability model's scores.
    pub model: Scores,
    /// The baselines' scores, by name (`pooled`, `family_laplace`).
    pub baselines: BTreeMap<String, Scores>,
    /// The model's calibration table.
    pub bins: Vec<Bin>,
    /// The baselines' calibration tables, by name.
    pub baseline_bins: BTreeMap<String, Vec<Bin>>,
    /// How the model's hyper-parameters were fitted.
    pub fit: FitInfo,
    /// Per-family scores (only with `--by-family`), most-scored first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub families: Option<Vec<FamilyScores>>,
}

/// Describes the record a report was computed on.
#[derive(Debug, Clone, Serialize)]
pub struct RecordInfo {
    /// `embedded` or the file path.
    pub source: String,
    /// Launches read.
    pub launches: usize,
    /// Rows that could not be read (and were skipped).
    pub row_errors: usize,
}

/// How the model's hyper-parameters were fitted, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct FitInfo {
    /// One sentence.
    pub method: String,
    /// Fewest earlier launches needed for a fit.
    pub min_launches: usize,
    /// The judgement prior used where there were too few.
    pub weak_prior: Hyper,
    /// One entry per predicted calendar year.
    pub segments: Vec<FitSegment>,
}

/// Method sentence shared by text and JSON output.
const METHOD: &str = "prequential empirical Bayes: launches of year Y are predicted with (mu, kappa, rho, tau) \
fitted to maximise the one-step-ahead log-likelihood of the launches before Y-01-01 only; years with \
fewer earlier launches than min_launches use the judgement prior weak_prior";

/// Runs the backtest on `record` and scores the launches on or after `from`.
pub fn report(record: &Record, source: &str, row_errors: usize, from: Option<NaiveDate>, by_family: bool) -> Report {
    let bt = backtest(record);
    let scored: Vec<(&Launch, &Prediction)> =
        record.launches.iter().zip(&bt.predictions).filter(|(l, _)| from.is_none_or(|f| l.date >= f)).collect();
    let ys: Vec<bool> = scored.iter().map(|(l, _)| !l.outcome.failed()).collect();
    let col = |f: fn(&Prediction) -> f64| scored.iter().map(|(_, p)| f(p)).collect::<Vec<f64>>();
    let (pm, pp, pl) = (col(|p| p.model), col(|p| p.pooled), col(|p| p.laplace));
    let baselines = BTreeMap::from([(POOLED.to_string(), score(&pp, &ys)), (LAPLACE.to_string(), score(&pl, &ys))]);
    let baseline_bins = BTreeMap::from([
        (POOLED.to_string(), calibration_bins(&pp, &ys)),
        (LAPLACE.to_string(), calibration_bins(&pl, &ys)),
    ]);
    let families = by_family.then(|| {
        let mut out: Vec<FamilyScores> = Vec::new();
        for fam in record.family_names() {
            let mut acc = [Acc::default(); 3];
            let mut failures = 0;
            let mut nation = String::new();
            for (l, p) in scored.iter().filter(|(l, _)| l.family == fam) {
                let ok = !l.outcome.failed();
                acc[0].add(p.model, ok);
                acc[1].add(p.pooled, ok);
                acc[2].add(p.laplace, ok);
                failures += !ok as usize;
                if nation.is_empty() {
                    nation = l.nation.clone();
                }
            }
            if acc[0].n == 0 {
                continue;
            }
            out.push(FamilyScores {
                family: fam,
                nation,
                n: acc[0].n,
                failures,
                model: acc[0].scores(),
                baselines: BTreeMap::from([
                    (POOLED.to_string(), acc[1].scores()),
                    (LAPLACE.to_string(), acc[2].scores()),
                ]),
            });
        }
        out.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.family.cmp(&b.family)));
        out
    });
    Report {
        record: RecordInfo { source: source.to_string(), launches: record.launches.len(), row_errors },
        from,
        model: score(&pm, &ys),
        baselines,
        bins: calibration_bins(&pm, &ys),
        baseline_bins,
        fit: FitInfo {
            method: METHOD.to_string(),
            min_launches: MIN_FIT_LAUNCHES,
            weak_prior: Hyper::WEAK,
            segments: bt.fits,
        },
        families,
    }
}

/// One family's prior at a date, as `--show-priors` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyPrior {
    /// Family name.
    pub family: String,
    /// Nation of its first launch.
    pub nation: String,
    /// Flights before the date.
    pub flights: u32,
    /// Failures among them.
    pub failures: u32,
    /// Posterior mean of the first-flight failure probability `q0`.
    pub mean_q0: f64,
    /// Predicted failure probability of the family's next flight.
    pub next_failure: f64,
}

/// The priors the engine gets for a scenario starting at `date`: the hyper-parameters fitted on
/// the launches before it and every family with flights before it.
#[derive(Debug, Clone, Serialize)]
pub struct Priors {
    /// The fit used launches strictly before this date.
    #[serde(serialize_with = "ser_date")]
    pub before: NaiveDate,
    /// Number of those launches.
    pub fitted_on: usize,
    /// Fitted hyper-parameters.
    pub hyper: Hyper,
    /// Families with flights before the date, in order of first flight.
    pub families: Vec<FamilyPrior>,
}

/// Computes [`Priors`] (errors when too few launches precede `date` to fit).
pub fn priors(record: &Record, date: NaiveDate) -> Result<Priors, String> {
    let hyper = fit_hyper(record, date)?;
    let before = record.before(date);
    let mut families = Vec::new();
    for fam in record.family_names() {
        let flown: Vec<&Launch> = before.iter().filter(|l| l.family == fam).collect();
        let Some(first) = flown.first() else { continue };
        let Some((post, n)) = family_prior(record, hyper, &fam, date) else {
            continue;
        };
        families.push(FamilyPrior {
            nation: first.nation.clone(),
            family: fam,
            flights: n,
            failures: flown.iter().filter(|l| l.outcome.failed()).count() as u32,
            mean_q0: post.mean_q0(),
            next_failure: post.predict(n),
        });
    }
    Ok(Priors { before: date, fitted_on: before.len(), hyper, families })
}

/// Dates serialise as `YYYY-MM-DD` strings (chrono's serde feature is not enabled in this crate).
fn ser_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn ser_opt_date<S: serde::Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

fn fmt_hyper(h: &Hyper) -> String {
    format!("mu={:.3} kappa={:.2} rho={:.3} tau={:.2}", h.mu, h.kappa, h.rho, h.tau)
}

/// The `--show-priors` table.
pub fn format_priors(p: &Priors, source: &str) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "Reliability priors at {} (record: {source})", p.before);
    let _ = writeln!(s, "Hyper-parameters fitted on the {} launches before {}:", p.fitted_on, p.before);
    let _ = writeln!(s, "  {}\n", fmt_hyper(&p.hyper));
    let _ = writeln!(
        s,
        "{:<6} {:<14} {:>7} {:>8} {:>9} {:>14}",
        "nation", "family", "flights", "failures", "mean q0", "P(next fails)"
    );
    for f in &p.families {
        let _ = writeln!(
            s,
            "{:<6} {:<14} {:>7} {:>8} {:>9.3} {:>14.3}",
            f.nation, f.family, f.flights, f.failures, f.mean_q0, f.next_failure
        );
    }
    let _ = writeln!(
        s,
        "\nA family not listed has not flown before {}: it starts from the population prior (mean q0 = {:.3}).",
        p.before, p.hyper.mu
    );
    s
}

/// The human-readable report.
pub fn format_report(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "One-step-ahead backtest on record: {} ({} launches{})",
        r.record.source,
        r.record.launches,
        if r.record.row_errors > 0 {
            format!(", {} unreadable rows skipped", r.record.row_errors)
        } else {
            String::new()
        }
    );
    match r.from {
        Some(f) => {
            let _ = writeln!(s, "Scored: {} launches on or after {f} (earlier ones inform the model only)", r.model.n);
        }
        None => {
            let _ = writeln!(s, "Scored: all {} launches", r.model.n);
        }
    }
    if r.model.n == 0 {
        let _ = writeln!(s, "No launch is scored, so every score below is 0 and every bin is empty.");
    }
    let _ = writeln!(s, "A launch counts as a success unless its outcome is 'failure' (partial = reached orbit).\n");
    let _ = writeln!(s, "{:<34} {:>10} {:>8} {:>6}", "forecaster", "log score", "Brier", "n");
    let rows = [
        ("model (hierarchical, growth)", &r.model),
        ("pooled rate (s+1)/(n+2)", &r.baselines[POOLED]),
        ("family Laplace (s+1)/(n+2)", &r.baselines[LAPLACE]),
    ];
    for (name, sc) in rows {
        let _ = writeln!(s, "{name:<34} {:>10.4} {:>8.4} {:>6}", sc.log_score, sc.brier, sc.n);
    }
    let _ = writeln!(s, "(log score: mean ln P(observed outcome), higher is better; Brier: lower is better)\n");
    let _ = writeln!(s, "Calibration of the model (predicted P(success) vs observed frequency):");
    let _ =
        writeln!(s, "{:<9} {:>6} {:>9} {:>9}  0 ........ observed ........ 1", "bin", "count", "predicted", "observed");
    for b in &r.bins {
        let (pred, obs) = match (b.mean_predicted, b.observed) {
            (Some(p), Some(o)) => (format!("{p:.3}"), format!("{o:.3}")),
            _ => ("-".into(), "-".into()),
        };
        let bar = match (b.mean_predicted, b.observed) {
            (Some(p), Some(o)) => {
                let width = 30usize;
                let filled = ((o * width as f64).round() as usize).min(width);
                let mark = ((p * width as f64).round() as usize).min(width);
                let mut cells: Vec<char> = (0..=width).map(|i| if i < filled { '#' } else { ' ' }).collect();
                cells[mark] = '|';
                cells.into_iter().collect::<String>()
            }
            _ => String::new(),
        };
        let _ = writeln!(s, "{:.1}-{:.1}  {:>6} {:>9} {:>9}  {}", b.lo, b.hi, b.count, pred, obs, bar.trim_end());
    }
    let _ = writeln!(s, "(# = observed success frequency, | = mean predicted)\n");
    if let Some(fams) = &r.families {
        let _ = writeln!(s, "Per family (log score; higher is better):");
        let _ = writeln!(
            s,
            "{:<6} {:<14} {:>5} {:>5} {:>9} {:>9} {:>9}",
            "nation", "family", "n", "fail", "model", "pooled", "laplace"
        );
        for f in fams {
            let _ = writeln!(
                s,
                "{:<6} {:<14} {:>5} {:>5} {:>9.4} {:>9.4} {:>9.4}",
                f.nation,
                f.family,
                f.n,
                f.failures,
                f.model.log_score,
                f.baselines[POOLED].log_score,
                f.baselines[LAPLACE].log_score
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "Hyper-parameters, refitted each year on earlier launches only:");
    for seg in &r.fit.segments {
        let on = match seg.fitted_before {
            Some(d) => format!("fitted on {:>4} launches before {d}", seg.fitted_on),
            None => format!("judgement prior (fewer than {} earlier launches)", r.fit.min_launches),
        };
        let _ = writeln!(s, "  {}  {}  {on}", seg.year, fmt_hyper(&seg.hyper));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(rows: &[(&str, &str, &str)]) -> Record {
        let text: String = rows.iter().map(|(d, fam, out)| format!("{d}\tUSA\tv\t{fam}\tp\t{out}\n")).collect();
        let (r, e) = Record::parse(&text);
        assert!(e.is_empty());
        r
    }

    #[test]
    fn baselines_are_exact_on_a_tiny_record() {
        let r = rec(&[
            ("1960-01-01", "A", "failure"),
            ("1960-01-02", "B", "success"),
            ("1960-01-03", "A", "partial"),
            ("1960-01-04", "A", "success"),
        ]);
        let bt = backtest(&r);
        let pooled: Vec<f64> = bt.predictions.iter().map(|p| p.pooled).collect();
        let laplace: Vec<f64> = bt.predictions.iter().map(|p| p.laplace).collect();
        assert_eq!(pooled, vec![1.0 / 2.0, 1.0 / 3.0, 2.0 / 4.0, 3.0 / 5.0]);
        assert_eq!(laplace, vec![1.0 / 2.0, 1.0 / 2.0, 1.0 / 3.0, 2.0 / 4.0]);
        // Four launches: too few to fit, so the whole year uses the judgement prior.
        assert_eq!(bt.fits.len(), 1);
        assert_eq!(bt.fits[0].hyper, Hyper::WEAK);
        assert!(bt.fits[0].fitted_before.is_none());
    }

    #[test]
    fn log_and_brier_scores_by_hand() {
        let s = score(&[0.8, 0.5, 0.9], &[true, false, false]);
        let ll = (0.8f64.ln() + 0.5f64.ln() + 0.1f64.ln()) / 3.0;
        let bs = (0.04 + 0.25 + 0.81) / 3.0;
        assert!((s.log_score - ll).abs() < 1e-12);
        assert!((s.brier - bs).abs() < 1e-12);
        assert_eq!(s.n, 3);
    }

    #[test]
    fn calibration_bins_count_and_average() {
        let b = calibration_bins(&[0.05, 0.95, 1.0, 0.91], &[false, true, true, false]);
        assert_eq!(b.len(), 10);
        assert_eq!(b[0].count, 1);
        assert_eq!(b[9].count, 3);
        assert!((b[9].observed.unwrap_or(0.0) - 2.0 / 3.0).abs() < 1e-12);
        assert!(b[5].mean_predicted.is_none());
    }

    #[test]
    fn model_uses_the_weak_prior_then_yearly_fits_without_look_ahead() {
        let r = Record::embedded();
        let bt = backtest(r);
        assert_eq!(bt.predictions.len(), r.launches.len());
        for seg in &bt.fits {
            if let Some(d) = seg.fitted_before {
                assert_eq!(d, NaiveDate::from_ymd_opt(seg.year, 1, 1).unwrap_or(d));
                assert_eq!(seg.fitted_on, r.before(d).len());
            }
        }
        assert!(bt.fits[0].fitted_before.is_none());
    }

    #[test]
    fn from_filter_scores_only_later_launches() {
        let r = Record::embedded();
        let from = NaiveDate::from_ymd_opt(1965, 1, 1);
        let rep = report(r, "embedded", 0, from, false);
        let expected = r.launches.iter().filter(|l| Some(l.date) >= from).count();
        assert_eq!(rep.model.n, expected);
        assert_eq!(rep.baselines[POOLED].n, expected);
    }
}
