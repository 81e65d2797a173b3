//! Launch records: the embedded USA/USSR orbital launch log 1957–1980, or any file in its format.
//!
//! A record is a tab-separated table whose first six columns are
//! `date  nation  vehicle  family  payload  outcome`; further columns are ignored. The embedded
//! record is derived from J. McDowell's launch log (planet4589.org); see `data/SOURCES.md`.
//!
//! Records are untrusted input (`starcity calibrate --record FILE`), so [`Record::parse`] never
//! panics: rows it cannot read are returned as [`RowError`]s with their line numbers and skipped.

use chrono::NaiveDate;
use std::sync::OnceLock;

/// The outcome of one orbital launch attempt, as the record states it.
///
/// For the reliability model a launch counts as **failed iff the outcome is [`Outcome::Failure`]**:
/// `Partial` means the vehicle reached orbit but the mission was impaired (often by the payload or
/// an upper stage the record does not attribute to the family), so it is a vehicle success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The vehicle did its job.
    Success,
    /// The vehicle reached orbit, but the mission was partly lost.
    Partial,
    /// The launch failed.
    Failure,
}

impl Outcome {
    /// Whether the launch counts as a failure for the reliability model (only `Failure` does).
    pub fn failed(self) -> bool {
        self == Outcome::Failure
    }

    fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "success" => Some(Outcome::Success),
            "partial" => Some(Outcome::Partial),
            "failure" => Some(Outcome::Failure),
            _ => None,
        }
    }
}

/// One orbital launch attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// Launch date (UTC in the embedded record).
    pub date: NaiveDate,
    /// Launching nation, e.g. `USA`, `USSR`.
    pub nation: String,
    /// Launch-vehicle type as the source names it.
    pub vehicle: String,
    /// Vehicle family: the unit whose reliability the model learns (e.g. `R-7`, `Saturn V`).
    pub family: String,
    /// Payload name.
    pub payload: String,
    /// Outcome of the attempt.
    pub outcome: Outcome,
}

/// A row of a record file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// 1-based line number in the file.
    pub line: usize,
    /// What was wrong with it.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A launch record: launches sorted by date. Launches on the same date keep their file order,
/// which the one-step-ahead backtest treats as their order in time.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The launches, sorted by date (stable).
    pub launches: Vec<Launch>,
}

/// Most row errors [`Record::parse`] lists.
pub const MAX_ROW_ERRORS: usize = 1000;

/// Longest field we accept; longer ones are certainly not a launch row (and would only waste
/// memory when a binary file is fed in).
const MAX_FIELD: usize = 512;

/// A launch record that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum RecordError {
    #[error("the record has more than {limit} launches (limit `record-launches`, see docs/limits.md)")]
    TooManyLaunches { limit: u64 },
    #[error(
        "the record has no readable launches ({unreadable} unreadable rows); expected tab-separated \
         columns date, nation, vehicle, family, payload, outcome"
    )]
    NoLaunches { unreadable: usize },
}

impl Record {
    /// Parses a tab-separated record.
    ///
    /// Tolerates a header line (first field `date`), blank lines, CRLF line ends, a UTF-8 BOM and
    /// extra columns. Every other unreadable row is reported (1-based line number) and skipped.
    /// At most [`MAX_ROW_ERRORS`] errors are listed, so that a huge garbage file cannot exhaust
    /// memory; if there were more, a last entry (at the first unlisted line) says how many.
    pub fn parse(text: &str) -> (Record, Vec<RowError>) {
        let (record, mut errors, total) = Self::parse_counting(text);
        if total > errors.len() {
            let line = errors.last().map_or(0, |e| e.line) + 1;
            let more = total - errors.len();
            errors.push(RowError { line, message: format!("{more} more unreadable rows not listed") });
        }
        (record, errors)
    }

    /// Parses a record handed in by a user, within the limits: at most `limits::RECORD_LAUNCHES`
    /// launches (parsing stops as soon as there are more) and at least one readable launch.
    /// Returns the record, the listed row errors and the number of unreadable rows.
    pub fn parse_checked(text: &str) -> Result<(Record, Vec<RowError>, usize), RecordError> {
        let (record, errors, total) = Self::parse_bounded(text, crate::limits::RECORD_LAUNCHES.usize());
        if record.launches.len() > crate::limits::RECORD_LAUNCHES.usize() {
            return Err(RecordError::TooManyLaunches { limit: crate::limits::RECORD_LAUNCHES.value });
        }
        if record.launches.is_empty() {
            return Err(RecordError::NoLaunches { unreadable: total });
        }
        Ok((record, errors, total))
    }

    /// [`Record::parse`] without the summary entry: the listed errors (at most
    /// [`MAX_ROW_ERRORS`]) and the total number of unreadable rows.
    pub fn parse_counting(text: &str) -> (Record, Vec<RowError>, usize) {
        Self::parse_bounded(text, usize::MAX)
    }

    /// Parses until more than `max` launches have been read (then the record holds `max + 1`).
    fn parse_bounded(text: &str, max: usize) -> (Record, Vec<RowError>, usize) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut launches = Vec::new();
        let mut errors = Vec::new();
        let mut total = 0;
        for (i, raw) in text.split('\n').enumerate() {
            let line = i + 1;
            let row = raw.strip_suffix('\r').unwrap_or(raw);
            if row.trim().is_empty() {
                continue;
            }
            match parse_row(row) {
                Ok(Some(l)) => {
                    launches.push(l);
                    if launches.len() > max {
                        break;
                    }
                }
                Ok(None) => {}
                Err(message) => {
                    total += 1;
                    if errors.len() < MAX_ROW_ERRORS {
                        errors.push(RowError { line, message });
                    }
                }
            }
        }
        // Stable: same-day launches keep file order.
        launches.sort_by_key(|l| l.date);
        (Record { launches }, errors, total)
    }

    /// The embedded record (USA and USSR orbital launch attempts 1957-10-04 .. 1980-12-31),
    /// parsed once.
    pub fn embedded() -> &'static Record {
        static EMBEDDED: OnceLock<Record> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            let (r, errors) = Record::parse(include_str!("../../../data/launches-1957-1980.tsv"));
            debug_assert!(errors.is_empty(), "embedded record has bad rows: {errors:?}");
            r
        })
    }

    /// The launches strictly before `date`.
    pub fn before(&self, date: NaiveDate) -> &[Launch] {
        let k = self.launches.partition_point(|l| l.date < date);
        &self.launches[..k]
    }

    /// Family names in order of first appearance.
    pub fn family_names(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<String> = Vec::new();
        for l in &self.launches {
            if seen.insert(l.family.as_str()) {
                out.push(l.family.clone());
            }
        }
        out
    }

    /// Whether `family` appears anywhere in the record.
    pub fn has_family(&self, family: &str) -> bool {
        self.launches.iter().any(|l| l.family == family)
    }
}

/// Parses one non-blank row: `Ok(None)` for the header, `Err` with a reason for a bad row.
fn parse_row(row: &str) -> Result<Option<Launch>, String> {
    let fields: Vec<&str> = row.split('\t').take(7).map(str::trim).collect();
    if fields.first().is_some_and(|f| f.eq_ignore_ascii_case("date")) {
        return Ok(None);
    }
    if fields.len() < 6 {
        return Err(format!(
            "expected at least 6 tab-separated columns (date, nation, vehicle, family, payload, outcome), found {}",
            fields.len()
        ));
    }
    if let Some(f) = fields[..6].iter().find(|f| f.len() > MAX_FIELD) {
        return Err(format!("field of {} bytes is too long (limit {MAX_FIELD})", f.len()));
    }
    // chrono's `%Y` also takes "60-01-01" as the year 60; insist on the full ten characters.
    let date = NaiveDate::parse_from_str(fields[0], "%Y-%m-%d")
        .ok()
        .filter(|_| fields[0].len() == 10)
        .ok_or_else(|| format!("bad date {:?} (expected YYYY-MM-DD)", short(fields[0])))?;
    if fields[3].is_empty() {
        return Err("empty family".into());
    }
    let outcome = Outcome::parse(fields[5])
        .ok_or_else(|| format!("bad outcome {:?} (expected success, partial or failure)", short(fields[5])))?;
    Ok(Some(Launch {
        date,
        nation: fields[1].to_string(),
        vehicle: fields[2].to_string(),
        family: fields[3].to_string(),
        payload: fields[4].to_string(),
        outcome,
    }))
}

/// The first 40 characters of a field, for error messages.
fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_record_parses_completely_and_in_order() {
        let (r, errors) = Record::parse(include_str!("../../../data/launches-1957-1980.tsv"));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(r.launches.len(), 2319);
        assert!(r.launches.windows(2).all(|w| w[0].date <= w[1].date));
        let n1: Vec<_> = r.launches.iter().filter(|l| l.family == "N1").collect();
        assert_eq!(n1.len(), 4);
        assert!(n1.iter().all(|l| l.outcome.failed()));
        assert_eq!(Record::embedded().launches.len(), 2319);
    }

    #[test]
    fn tolerates_header_blank_lines_crlf_bom_and_extra_columns() {
        let text = "\u{feff}date\tnation\tvehicle\tfamily\tpayload\toutcome\r\n\r\n\
                    1960-01-02\tUSA\tThor Able\tThor\tX\tSUCCESS\textra\tmore\r\n\
                    1959-01-01\tUSSR\tVostok\tR-7\tY\tpartial\n\n";
        let (r, errors) = Record::parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(r.launches.len(), 2);
        assert_eq!(r.launches[0].family, "R-7");
        assert_eq!(r.launches[0].outcome, Outcome::Partial);
        assert!(!r.launches[0].outcome.failed());
    }

    #[test]
    fn reports_bad_rows_with_line_numbers() {
        let text = "date\tnation\tvehicle\tfamily\tpayload\toutcome\n\
                    1960-13-02\tUSA\tThor\tThor\tX\tsuccess\n\
                    1960-01-02\tUSA\tThor\n\
                    1960-01-02\tUSA\tThor\tThor\tX\texploded\n\
                    1960-01-02\tUSA\tThor\t\tX\tsuccess\n\
                    1960-01-03\tUSA\tThor\tThor\tX\tfailure\n";
        let (r, errors) = Record::parse(&format!("{text}60-01-01\tUSA\tThor\tThor\tX\tsuccess\n"));
        assert_eq!(r.launches.len(), 1);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 7]);
    }

    #[test]
    fn lists_at_most_max_row_errors() {
        let text = "x\n".repeat(MAX_ROW_ERRORS + 5);
        let (_, errors, total) = Record::parse_counting(&text);
        assert_eq!((errors.len(), total), (MAX_ROW_ERRORS, MAX_ROW_ERRORS + 5));
        let (_, errors) = Record::parse(&text);
        assert_eq!(errors.len(), MAX_ROW_ERRORS + 1);
        assert_eq!(errors[MAX_ROW_ERRORS].line, MAX_ROW_ERRORS + 1);
        assert!(errors[MAX_ROW_ERRORS].message.starts_with("5 more"));
    }

    #[test]
    fn never_panics_on_garbage() {
        for text in ["", "\n\n", "\t\t\t\t\t\t", "\u{0}\u{1}\u{fffd}\t", "2020-02-30\ta\tb\tc\td\tsuccess"] {
            let (r, _) = Record::parse(text);
            assert!(r.launches.is_empty());
        }
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = Record::parse(&text);
    }
}
