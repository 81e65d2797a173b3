//! Size limits of a scenario file, checked before anything is compiled (see `limits.rs`).
//!
//! Counting first keeps every later check (duplicate names, cycles, histograms) on inputs of a
//! bounded size, so that a huge but valid file costs milliseconds and a few megabytes, not an
//! abort. Each error points at the first item past the limit.

use toml::Spanned;

use super::{Compiler, raw};
use crate::limits::{self, Limit};

impl Compiler {
    /// Checks every count of the file against its limit; `false` if any is exceeded.
    pub(crate) fn check_sizes(&mut self, f: &raw::File) -> bool {
        let before = self.errors.len();
        self.at_most(&f.agency, limits::AGENCIES, "`[[agency]]`");
        self.at_most(&f.vehicle, limits::VEHICLES, "`[[vehicle]]`");
        self.at_most(&f.milestone, limits::MILESTONES, "`[[milestone]]`");
        self.at_most(&f.mission, limits::MISSIONS, "`[[mission]]`");
        self.at_most(&f.program, limits::PROGRAMS, "`[[program]]`");
        self.at_most(&f.rule, limits::RULES, "`[[rule]]`");
        self.at_most(&f.era, limits::ERAS, "`[[era]]`");
        self.at_most(&f.history, limits::HISTORY, "`[[history]]`");
        self.at_most(&f.past, limits::PAST, "`[[past]]`");
        if let Some(r) = &f.record {
            self.at_most(&r.get_ref().flight, limits::REAL, "`[[record.flight]]`");
            self.at_most(&r.get_ref().end, limits::REAL, "`[[record.end]]`");
        }
        for a in &f.agency {
            let a = a.get_ref();
            self.at_most(a.budget.get_ref(), limits::BUDGET_POINTS, "budget points");
            if a.crew.len() > limits::ROSTER.usize() {
                let m = format!("agency `{}` lists {} people", a.id.get_ref(), a.crew.len());
                self.error(a.id.span(), m, limits::ROSTER.describe());
            }
        }
        for v in &f.vehicle {
            self.at_most(&v.get_ref().background, limits::BUDGET_POINTS, "background cadences");
        }
        for m in &f.mission {
            self.at_most(&m.get_ref().phase, limits::PHASES, "phases");
        }
        for p in &f.program {
            self.at_most(&p.get_ref().step, limits::STEPS, "steps");
            for f in &p.get_ref().flights {
                let f = f.get_ref();
                self.text_at_most(f.name.span(), [f.name.get_ref().as_str()]);
                self.at_most(&f.crew, limits::LIST_ITEMS, "crew names");
                self.at_most(&f.backup, limits::LIST_ITEMS, "backup crew names");
            }
        }
        let mut named = 0;
        for p in &f.program {
            named += p.get_ref().flights.len();
            if named > limits::FLIGHTS.usize() {
                let m = format!("{named} named flights by this program; that is too many");
                self.error(p.get_ref().id.span(), m, limits::FLIGHTS.describe());
                break;
            }
        }
        for r in &f.rule {
            self.at_most(&r.get_ref().effects, limits::EFFECTS, "effects");
        }
        for x in &f.past {
            self.at_most(&x.get_ref().crew, limits::LIST_ITEMS, "crew names");
            self.at_most(&x.get_ref().vehicles, limits::LIST_ITEMS, "vehicles");
            self.at_most(&x.get_ref().achieves, limits::LIST_ITEMS, "milestones");
        }
        self.check_texts(f);
        self.errors.len() == before
    }

    /// Every name, text and description within `limits::TEXT_BYTES`: they are copied into
    /// chronicles and reports, so their length multiplies what those hold.
    fn check_texts(&mut self, f: &raw::File) {
        let h = f.scenario.get_ref();
        let span = f.scenario.span();
        self.text_at_most(span.clone(), [h.name.as_str(), h.description.as_str()]);
        for a in &f.agency {
            let names =
                std::iter::once(a.get_ref().name.as_str()).chain(a.get_ref().crew.iter().map(|m| m.get_ref().name()));
            self.text_at_most(a.span(), names);
        }
        for v in &f.vehicle {
            let v_ = v.get_ref();
            self.text_at_most(v.span(), std::iter::once(v_.name.as_str()).chain(v_.called.as_deref()));
        }
        for m in &f.milestone {
            self.text_at_most(m.span(), [m.get_ref().name.as_str()]);
        }
        for m in &f.mission {
            let phases = m.get_ref().phase.iter().map(|p| p.get_ref().name.get_ref().as_str());
            let called = m.get_ref().phase.iter().filter_map(|p| p.get_ref().called.as_deref());
            let named = std::iter::once(m.get_ref().name.as_str()).chain(m.get_ref().launcher.as_deref());
            self.text_at_most(m.span(), named.chain(phases).chain(called));
        }
        for p in &f.program {
            self.text_at_most(p.span(), [p.get_ref().name.as_str()]);
        }
        // Rule texts and step names are checked where rules and steps compile (`Compiler::rules`,
        // `Compiler::step`), so a divergence's added rules and inserted steps are checked too.
        for e in &f.era {
            self.text_at_most(e.span(), [e.get_ref().name.as_str()]);
        }
        for h in &f.history {
            self.text_at_most(h.span(), [h.get_ref().source.as_str()]);
        }
    }

    /// An error at `span` if any of `texts` is longer than `limits::TEXT_BYTES`.
    pub(crate) fn text_at_most<'a>(&mut self, span: std::ops::Range<usize>, texts: impl IntoIterator<Item = &'a str>) {
        if let Some(long) = texts.into_iter().find(|t| t.len() > limits::TEXT_BYTES.usize()) {
            let start: String = long.chars().take(40).collect();
            let message = format!("a text of {} bytes (\"{start}…\")", long.len());
            self.error(span, message, limits::TEXT_BYTES.describe());
        }
    }

    /// An error at the first of `items` past `limit`.
    pub(crate) fn at_most<T>(&mut self, items: &[Spanned<T>], limit: Limit, what: &str) {
        if let Some(first_extra) = items.get(limit.usize()) {
            let message = format!("{} {what} here; that is too many", items.len());
            self.error(first_extra.span(), message, limit.describe());
        }
    }

    /// The span from `start` to `end` within the limits, and the date histograms it implies.
    pub(crate) fn check_span(&mut self, f: &raw::File, start: chrono::NaiveDate, end: chrono::NaiveDate) -> bool {
        let header = f.scenario.get_ref();
        let days = (end - start).num_days().max(0) as u64;
        let max_days = limits::SPAN_YEARS.value * 36_525 / 100;
        if days > max_days {
            let m = format!("the scenario spans {} years", days / 365);
            self.error(header.end.span(), m, limits::SPAN_YEARS.describe());
            return false;
        }
        let cells = f.milestone.len() as u64 * f.agency.len() as u64 * (days + 1);
        if cells > limits::HISTOGRAM_CELLS.value {
            let m = format!(
                "{} milestones × {} agencies × {} days = {cells} date-histogram cells",
                f.milestone.len(),
                f.agency.len(),
                days + 1
            );
            let hint =
                format!("{}: fewer milestones or agencies, or a shorter span", limits::HISTOGRAM_CELLS.describe());
            self.error(header.end.span(), m, hint);
            return false;
        }
        true
    }
}
