//! One row per timeline, for analysts (`starcity export`): the columns a scenario gives, each
//! finished timeline's values, and the stream of blocks of rows in timeline order.
//!
//! The schema (names, their uniqueness, what each column holds) and the order guarantee live here,
//! beside the model, so that every format writes the same table; turning blocks into CSV or Parquet
//! bytes is the binary's job (this crate does no I/O).
//!
//! **Invariants.** Rows come in timeline order and are bit-identical on any thread count (a row is
//! a pure function of the scenario, the seed and the timeline index; `parallel::ordered_blocks`
//! restores the order). Memory does not grow with N: at most a few blocks per worker exist at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;

use crate::engine::{Quiet, run_timeline};
use crate::ensemble::{BLOCK, RunConfig, RunError};
use crate::scenario::Scenario;
use crate::world::{Fate, NEVER, Overrun, World};

/// Joins the parts of a column name: `crewed_lunar_landing__USA`. Two underscores, not a dot, so
/// that every name is a plain identifier in pandas, R and SQL (ids hold only letters, digits, `-`
/// and `_`); an id that itself contains `__` can make two names meet, which [`Columns::of`] refuses.
pub const JOIN: &str = "__";

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The timeline's index in the ensemble (0-based).
    Timeline,
    /// The date `agency` reached `milestone`, if it did by the end (a `[[past]]` flight's date
    /// for a milestone reached before the start).
    Date { milestone: usize, agency: usize },
    /// Who reached `milestone` first (ties to the agency listed first), or nobody.
    Winner { milestone: usize },
    /// People `agency` lost.
    CrewLost { agency: usize },
    /// `agency`'s flights that lost their crew.
    FatalFlights { agency: usize },
    /// How `program` stands at the end.
    Fate { program: usize },
}

/// One cell, typed; writers choose how to spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Timeline(u64),
    Date(Option<NaiveDate>),
    /// An agency index, `None` for nobody.
    Agency(Option<usize>),
    Count(u32),
    Fate(Fate),
}

impl Column {
    /// The column's name, from the scenario's ids.
    fn name(self, sc: &Scenario) -> String {
        let (m, a, p) = (|i: usize| &sc.milestones[i].id, |i: usize| &sc.agencies[i].id, |i: usize| &sc.programs[i].id);
        match self {
            Column::Timeline => "timeline".into(),
            Column::Date { milestone, agency } => format!("{}{JOIN}{}", m(milestone), a(agency)),
            Column::Winner { milestone } => format!("{}{JOIN}winner", m(milestone)),
            Column::CrewLost { agency } => format!("{}{JOIN}crew_lost", a(agency)),
            Column::FatalFlights { agency } => format!("{}{JOIN}fatal_flights", a(agency)),
            Column::Fate { program } => format!("{}{JOIN}fate", p(program)),
        }
    }

    /// What the column is, in words, for an error that names two columns that collide.
    fn describe(self, sc: &Scenario) -> String {
        let (m, a, p) = (|i: usize| &sc.milestones[i].id, |i: usize| &sc.agencies[i].id, |i: usize| &sc.programs[i].id);
        match self {
            Column::Timeline => "the timeline index".into(),
            Column::Date { milestone, agency } => {
                format!("the date agency `{}` reached milestone `{}`", a(agency), m(milestone))
            }
            Column::Winner { milestone } => format!("the winner of milestone `{}`", m(milestone)),
            Column::CrewLost { agency } => format!("the people agency `{}` lost", a(agency)),
            Column::FatalFlights { agency } => format!("the fatal flights of agency `{}`", a(agency)),
            Column::Fate { program } => format!("the fate of program `{}`", p(program)),
        }
    }
}

/// Two columns whose names would be the same (ignoring case: DuckDB and SQL fold case, and a
/// table with a repeated name is read back with one of them renamed or lost).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot export scenario `{scenario}`: two columns would both be named `{name}`: {first}, and {second}")]
#[diagnostic(help(
    "column names join ids with `__` (`MILESTONE__AGENCY`, `MILESTONE__winner`, `AGENCY__crew_lost`, \
     `AGENCY__fatal_flights`, `PROGRAM__fate`); rename an id so that no two names meet, even ignoring case \
     (an id containing `__`, or an agency named `winner`, are the usual causes)"
))]
#[non_exhaustive]
pub struct ColumnClash {
    pub scenario: String,
    pub name: String,
    pub first: String,
    pub second: String,
}

/// The table's columns, in order: `timeline`; the dates, milestone by milestone and agency by
/// agency within it; the winners; crew lost and fatal flights per agency; program fates.
#[derive(Debug, Clone)]
pub struct Columns {
    columns: Vec<(String, Column)>,
}

impl Columns {
    /// The columns of `sc`'s table, or the first two whose names collide (ignoring case).
    pub fn of(sc: &Scenario) -> Result<Columns, ColumnClash> {
        let columns: Vec<(String, Column)> = Self::kinds(sc).into_iter().map(|c| (c.name(sc), c)).collect();
        let mut seen: HashMap<String, Column> = HashMap::with_capacity(columns.len());
        for (name, column) in &columns {
            if let Some(earlier) = seen.insert(name.to_lowercase(), *column) {
                let (first, second) = (earlier.describe(sc), column.describe(sc));
                return Err(ColumnClash { scenario: sc.id.clone(), name: name.clone(), first, second });
            }
        }
        Ok(Columns { columns })
    }

    fn kinds(sc: &Scenario) -> Vec<Column> {
        let (nm, na, np) = (sc.milestones.len(), sc.agencies.len(), sc.programs.len());
        let mut kinds = vec![Column::Timeline];
        kinds.extend((0..nm).flat_map(|milestone| (0..na).map(move |agency| Column::Date { milestone, agency })));
        kinds.extend((0..nm).map(|milestone| Column::Winner { milestone }));
        kinds.extend((0..na).flat_map(|agency| [Column::CrewLost { agency }, Column::FatalFlights { agency }]));
        kinds.extend((0..np).map(|program| Column::Fate { program }));
        kinds
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Each column's name and kind, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Column)> + '_ {
        self.columns.iter().map(|(name, c)| (name.as_str(), *c))
    }
}

/// The rows of up to 256 consecutive timelines (`ensemble::BLOCK`), stored compactly (a few bytes a cell) so
/// that the blocks waiting to be written, and a writer's buffered row group, stay small.
#[derive(Debug, Clone)]
pub struct RowBlock {
    first: u64,
    len: usize,
    n_milestones: usize,
    n_agencies: usize,
    n_programs: usize,
    /// `[row][milestone][agency]`.
    dates: Vec<Option<NaiveDate>>,
    /// `[row][milestone]`: an agency index, `u16::MAX` for nobody (agencies are at most 16).
    winners: Vec<u16>,
    /// `[row][agency]`.
    crew_lost: Vec<u32>,
    /// `[row][agency]`.
    fatal: Vec<u32>,
    /// `[row][program]`.
    fates: Vec<Fate>,
    /// Set when a timeline of the block stopped at a budget: the block ends before it.
    overrun: Option<Overrun>,
}

const NOBODY: u16 = u16::MAX;

/// Timelines in a block of rows: [`stream`] hands its sink blocks of this many rows (the last one
/// shorter), aligned on multiples of it from the stream's first timeline. A table writer fed the
/// same blocks writes the same bytes (Parquet's row groups close at block ends): how `merge`
/// rebuilds an unsplit Parquet export from its parts.
pub const BLOCK_ROWS: u64 = BLOCK;

impl RowBlock {
    /// An empty block whose first row will be timeline `first`.
    pub fn new(sc: &Scenario, first: u64) -> RowBlock {
        let (nm, na, np) = (sc.milestones.len(), sc.agencies.len(), sc.programs.len());
        let cap = BLOCK as usize;
        RowBlock {
            first,
            len: 0,
            n_milestones: nm,
            n_agencies: na,
            n_programs: np,
            dates: Vec::with_capacity(cap * nm * na),
            winners: Vec::with_capacity(cap * nm),
            crew_lost: Vec::with_capacity(cap * na),
            fatal: Vec::with_capacity(cap * na),
            fates: Vec::with_capacity(cap * np),
            overrun: None,
        }
    }

    /// Appends the row of the timeline `w` holds (the next one of the block). The same reading of
    /// a `World` as `ensemble::Summary::add`, so rows and summaries agree.
    pub fn push(&mut self, sc: &Scenario, w: &World) {
        for m in 0..self.n_milestones {
            for a in 0..self.n_agencies {
                let day = w.reached(m, a);
                self.dates.push((day < NEVER).then(|| sc.date_of(day)));
            }
            self.winners.push(w.first(m).map_or(NOBODY, |a| a as u16));
        }
        self.crew_lost.extend_from_slice(&w.crew_lost[..self.n_agencies]);
        self.fatal.extend_from_slice(&w.fatal[..self.n_agencies]);
        self.fates.extend(w.programs.iter().map(|p| p.status.fate()));
        self.len += 1;
    }

    /// Appends a row given as its cells in `columns`' order (a row read back from a written
    /// table): it must be the block's next timeline and every cell must fit its column. On an
    /// error the block is as it was.
    pub fn push_cells(&mut self, columns: &Columns, cells: &[Value]) -> Result<(), String> {
        if cells.len() != columns.len() {
            return Err(format!("{} cells where the table has {} columns", cells.len(), columns.len()));
        }
        let marks = [self.dates.len(), self.winners.len(), self.crew_lost.len(), self.fatal.len(), self.fates.len()];
        let (nm, na, np) = (self.n_milestones, self.n_agencies, self.n_programs);
        self.dates.resize(marks[0] + nm * na, None);
        self.winners.resize(marks[1] + nm, NOBODY);
        self.crew_lost.resize(marks[2] + na, 0);
        self.fatal.resize(marks[3] + na, 0);
        self.fates.resize(marks[4] + np, Fate::NotStarted);
        for ((name, column), &cell) in columns.iter().zip(cells) {
            if let Err(why) = self.set_cell(marks, column, cell) {
                self.dates.truncate(marks[0]);
                self.winners.truncate(marks[1]);
                self.crew_lost.truncate(marks[2]);
                self.fatal.truncate(marks[3]);
                self.fates.truncate(marks[4]);
                return Err(format!("column `{name}`: {why}"));
            }
        }
        self.len += 1;
        Ok(())
    }

    /// One cell of the row being pushed, whose slots start at `marks`.
    fn set_cell(&mut self, marks: [usize; 5], column: Column, cell: Value) -> Result<(), String> {
        let na = self.n_agencies;
        match (column, cell) {
            (Column::Timeline, Value::Timeline(t)) if t == self.first + self.len as u64 => {}
            (Column::Timeline, Value::Timeline(t)) => {
                return Err(format!("timeline {t} where {} comes next", self.first + self.len as u64));
            }
            (Column::Date { milestone, agency }, Value::Date(d)) => self.dates[marks[0] + milestone * na + agency] = d,
            (Column::Winner { .. }, Value::Agency(Some(a))) if a >= na => return Err(format!("no agency {a}")),
            (Column::Winner { milestone }, Value::Agency(a)) => {
                self.winners[marks[1] + milestone] = a.map_or(NOBODY, |a| a as u16);
            }
            (Column::CrewLost { agency }, Value::Count(n)) => self.crew_lost[marks[2] + agency] = n,
            (Column::FatalFlights { agency }, Value::Count(n)) => self.fatal[marks[3] + agency] = n,
            (Column::Fate { program }, Value::Fate(f)) => self.fates[marks[4] + program] = f,
            (_, cell) => return Err(format!("cannot hold {cell:?}")),
        }
        Ok(())
    }

    /// Rows in the block.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The timeline index of `row`.
    pub fn timeline(&self, row: usize) -> u64 {
        self.first + row as u64
    }

    pub fn date(&self, row: usize, milestone: usize, agency: usize) -> Option<NaiveDate> {
        self.dates[(row * self.n_milestones + milestone) * self.n_agencies + agency]
    }

    pub fn winner(&self, row: usize, milestone: usize) -> Option<usize> {
        let w = self.winners[row * self.n_milestones + milestone];
        (w != NOBODY).then_some(w as usize)
    }

    pub fn crew_lost(&self, row: usize, agency: usize) -> u32 {
        self.crew_lost[row * self.n_agencies + agency]
    }

    pub fn fatal_flights(&self, row: usize, agency: usize) -> u32 {
        self.fatal[row * self.n_agencies + agency]
    }

    pub fn fate(&self, row: usize, program: usize) -> Fate {
        self.fates[row * self.n_programs + program]
    }

    /// The cell of `row` in `column`.
    pub fn value(&self, row: usize, column: Column) -> Value {
        match column {
            Column::Timeline => Value::Timeline(self.timeline(row)),
            Column::Date { milestone, agency } => Value::Date(self.date(row, milestone, agency)),
            Column::Winner { milestone } => Value::Agency(self.winner(row, milestone)),
            Column::CrewLost { agency } => Value::Count(self.crew_lost(row, agency)),
            Column::FatalFlights { agency } => Value::Count(self.fatal_flights(row, agency)),
            Column::Fate { program } => Value::Fate(self.fate(row, program)),
        }
    }

    /// Bytes the block holds per row: what a writer buffering rows should budget.
    pub fn bytes_per_row(sc: &Scenario) -> usize {
        let (nm, na, np) = (sc.milestones.len(), sc.agencies.len(), sc.programs.len());
        nm * na * size_of::<Option<NaiveDate>>() + nm * size_of::<u16>() + 2 * na * size_of::<u32>() + np
    }
}

/// Where rows go: a writer of CSV, Parquet, or anything else. Called with each block of rows in
/// timeline order, once per block, never concurrently.
pub trait RowSink {
    type Error;
    fn block(&mut self, rows: &RowBlock) -> Result<(), Self::Error>;
}

/// Why a stream of rows stopped.
#[derive(Debug)]
pub enum StreamError<E> {
    /// A timeline met a limit (the earliest such timeline, whatever the thread count).
    Run(RunError),
    /// The sink refused a block (a write failed).
    Sink(E),
}

/// Runs the ensemble `cfg` on the current rayon pool and hands every timeline's row to `sink`, a
/// block at a time, in timeline order. `progress` is bumped once per finished block. Memory is
/// a few blocks per worker, whatever `cfg.timelines`. A timeline stopped by a budget ends the
/// stream with [`StreamError::Run`] before its block reaches the sink.
pub fn stream<K>(sc: &Scenario, cfg: RunConfig, progress: &AtomicU64, sink: &mut K) -> Result<(), StreamError<K::Error>>
where
    K: RowSink + Send,
    K::Error: Send,
{
    RunError::check_timelines(cfg.timelines).map_err(StreamError::Run)?;
    stream_range(sc, cfg.seed, 0..cfg.timelines, progress, sink)
}

/// [`stream`] of the timelines `range` only (a shard): the rows carry their global indices, so
/// the shards' rows in range order are the whole stream's.
pub fn stream_range<K>(
    sc: &Scenario,
    seed: u64,
    range: std::ops::Range<u64>,
    progress: &AtomicU64,
    sink: &mut K,
) -> Result<(), StreamError<K::Error>>
where
    K: RowSink + Send,
    K::Error: Send,
{
    crate::parallel::ordered_blocks(
        range.end.saturating_sub(range.start).div_ceil(BLOCK),
        World::default,
        |world, b| block_of(sc, seed, &range, b, world, progress),
        |rows| match rows.overrun {
            Some(o) => Err(StreamError::Run(RunError::event_budget(sc, o))),
            None => sink.block(&rows).map_err(StreamError::Sink),
        },
    )
}

/// Runs the timelines of block `b` of `range` and collects their rows; stops at a timeline that
/// overran.
fn block_of(
    sc: &Scenario,
    seed: u64,
    range: &std::ops::Range<u64>,
    b: u64,
    world: &mut World,
    progress: &AtomicU64,
) -> RowBlock {
    let lo = range.start + b * BLOCK;
    let hi = (lo + BLOCK).min(range.end);
    let mut rows = RowBlock::new(sc, lo);
    for i in lo..hi {
        run_timeline(sc, seed, i, world, &mut Quiet);
        if world.overrun.is_some() {
            rows.overrun = world.overrun;
            break;
        }
        rows.push(sc, world);
    }
    progress.fetch_add(hi - lo, Ordering::Relaxed);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;
    use crate::ensemble::Summary;

    /// Collects every row as its values.
    struct Collect(Columns, Vec<Vec<Value>>);

    impl RowSink for Collect {
        type Error = ();
        fn block(&mut self, rows: &RowBlock) -> Result<(), ()> {
            for r in 0..rows.len() {
                self.1.push(self.0.iter().map(|(_, c)| rows.value(r, c)).collect());
            }
            Ok(())
        }
    }

    fn rows_of(sc: &Scenario, seed: u64, timelines: u64) -> Vec<Vec<Value>> {
        let mut sink = Collect(Columns::of(sc).unwrap(), Vec::new());
        stream(sc, RunConfig { seed, timelines }, &AtomicU64::new(0), &mut sink).unwrap();
        sink.1
    }

    #[test]
    fn names_follow_the_ids_and_are_unique() {
        let sc = builtin::scenario("tiny-race").unwrap();
        let cols = Columns::of(&sc).unwrap();
        let names: Vec<&str> = cols.iter().map(|(n, _)| n).collect();
        assert_eq!(names[0], "timeline");
        let (nm, na, np) = (sc.milestones.len(), sc.agencies.len(), sc.programs.len());
        assert_eq!(cols.len(), 1 + nm * na + nm + 2 * na + np);
        let first_date = format!("{}__{}", sc.milestones[0].id, sc.agencies[0].id);
        assert_eq!(names[1], first_date);
    }

    #[test]
    fn colliding_names_are_refused_naming_both_columns() {
        let mut sc = builtin::scenario("tiny-race").unwrap();
        sc.agencies[1].id = "Winner".into();
        let err = Columns::of(&sc).unwrap_err();
        assert_eq!(err.name.to_lowercase(), format!("{}__winner", sc.milestones[0].id));
        assert!(err.first.contains("agency `Winner`") && err.second.contains("the winner of"), "{err}");
    }

    #[test]
    fn rows_are_in_order_and_prefixes_of_longer_runs() {
        let sc = builtin::scenario("tiny-race").unwrap();
        let long = rows_of(&sc, 3, 700);
        let short = rows_of(&sc, 3, 300);
        assert_eq!(long.len(), 700);
        assert_eq!(&long[..300], &short[..]);
        for (i, row) in long.iter().enumerate() {
            assert_eq!(row[0], Value::Timeline(i as u64));
        }
    }

    /// A row read back cell by cell is the row that was written; a row out of place or with a
    /// cell of the wrong kind is refused and leaves the block as it was.
    #[test]
    fn rows_pushed_as_cells_read_back_the_same() {
        let sc = builtin::scenario("space-race").unwrap();
        let cols = Columns::of(&sc).unwrap();
        let rows = rows_of(&sc, 2, 40);
        let mut block = RowBlock::new(&sc, 0);
        for row in &rows {
            block.push_cells(&cols, row).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            let again: Vec<Value> = cols.iter().map(|(_, c)| block.value(r, c)).collect();
            assert_eq!(&again, row);
        }
        assert!(block.push_cells(&cols, &rows[3]).unwrap_err().contains("timeline 3 where 40 comes next"));
        let mut wrong = rows[0].clone();
        wrong[0] = Value::Timeline(40);
        wrong[5] = Value::Count(1);
        assert!(block.push_cells(&cols, &wrong).unwrap_err().contains("cannot hold Count(1)"));
        assert!(block.push_cells(&cols, &wrong[..3]).is_err());
        assert_eq!(block.len(), 40);
        wrong[5] = rows[0][5];
        block.push_cells(&cols, &wrong).unwrap();
        assert_eq!(block.value(40, cols.iter().nth(5).unwrap().1), rows[0][5]);
    }

    #[test]
    fn rows_agree_with_the_summary() {
        let sc = builtin::scenario("tiny-race").unwrap();
        let cfg = RunConfig { seed: 5, timelines: 600 };
        let summary: Summary = crate::run_ensemble(&sc, cfg).unwrap();
        let cols = Columns::of(&sc).unwrap();
        let rows = rows_of(&sc, 5, 600);
        for (k, (_, col)) in cols.iter().enumerate() {
            if let Column::Winner { milestone } = col {
                for a in 0..=sc.agencies.len() {
                    let who = (a < sc.agencies.len()).then_some(a);
                    let count = rows.iter().filter(|r| r[k] == Value::Agency(who)).count() as u64;
                    assert_eq!(count, summary.first[milestone * (sc.agencies.len() + 1) + a]);
                }
            }
        }
    }
}
