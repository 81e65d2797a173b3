//! The Parquet table, written with the `parquet` crate's low-level writer (no arrow): typed
//! columns — `timeline` INT64, dates INT32 with the DATE logical type (days since 1970-01-01,
//! null when never reached), counts INT64, winners and fates UTF-8 strings — Snappy-compressed,
//! in row groups of at most [`GROUP_ROWS`] rows and about [`GROUP_BYTES`] of buffered rows, so
//! memory stays flat at any number of timelines.

use std::sync::Arc;

use chrono::Datelike;
use miette::{Report, Result};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DataType, Int32Type, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::Type;
use starcity_core::rows::{Column, Columns, RowBlock, RowSink};
use starcity_core::scenario::Scenario;
use starcity_core::world::Fate;

use super::Table;
use crate::output::Stream;

/// Rows in a row group at most: large enough for readers to skip and scan well.
const GROUP_ROWS: usize = 1 << 16;

/// Buffered rows in a row group at most, in `RowBlock` bytes: a scenario with many milestones,
/// agencies and programs gets smaller row groups instead of more memory.
const GROUP_BYTES: usize = 16 << 20;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01: Parquet dates count from the
/// Unix epoch.
const EPOCH_FROM_CE: i32 = 719_163;

pub struct ParquetTable {
    writer: SerializedFileWriter<Stream>,
    columns: Vec<Column>,
    /// Blocks of the row group being gathered: Parquet writes a row group column by column.
    buffered: Vec<RowBlock>,
    rows: usize,
    group_rows: usize,
    names: Names,
}

/// The strings of the string columns, made once and shared (a `ByteArray` clone is a reference).
struct Names {
    agencies: Vec<ByteArray>,
    nobody: ByteArray,
    fates: Vec<ByteArray>,
}

impl ParquetTable {
    /// Starts the file: checks the schema and writes the magic number.
    pub fn new(sc: &Scenario, columns: Columns, stream: Stream) -> Result<ParquetTable> {
        let schema = schema(&columns).map_err(|e| stream.failed(&e))?;
        let created_by = format!("starcity {}", env!("CARGO_PKG_VERSION"));
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).set_created_by(created_by).build();
        let writer = SerializedFileWriter::new(stream, Arc::new(schema), Arc::new(props));
        // On failure the stream is gone with the writer: say which write failed without it.
        let writer = writer.map_err(|e| miette::miette!("cannot start the Parquet file: {e}"))?;
        let per_row = RowBlock::bytes_per_row(sc).max(1);
        let group_rows = (GROUP_BYTES / per_row).clamp(256, GROUP_ROWS);
        let names = Names {
            agencies: sc.agencies.iter().map(|a| ByteArray::from(a.id.as_str())).collect(),
            nobody: ByteArray::from("none"),
            fates: Fate::ALL.iter().map(|f| ByteArray::from(f.name())).collect(),
        };
        let kinds = columns.iter().map(|(_, c)| c).collect();
        Ok(ParquetTable { writer, columns: kinds, buffered: Vec::new(), rows: 0, group_rows, names })
    }

    fn failed(&self, e: &ParquetError) -> Report {
        self.writer.inner().failed(e)
    }

    /// Writes the buffered rows as one row group, column after column.
    fn flush_group(&mut self) -> Result<(), ParquetError> {
        let mut group = self.writer.next_row_group()?;
        for &column in &self.columns {
            let mut writer = group.next_column()?.ok_or_else(|| ParquetError::General("schema too short".into()))?;
            write_column(&mut writer, column, &self.buffered, &self.names)?;
            writer.close()?;
        }
        group.close()?;
        self.buffered.clear();
        self.rows = 0;
        Ok(())
    }
}

/// The file's schema: one flat field per column, typed as the module says.
fn schema(columns: &Columns) -> Result<Type, ParquetError> {
    let fields = columns.iter().map(|(name, c)| field(name, c).map(Arc::new)).collect::<Result<Vec<_>, _>>()?;
    Type::group_type_builder("schema").with_fields(fields).build()
}

fn field(name: &str, column: Column) -> Result<Type, ParquetError> {
    let (physical, logical, repetition) = match column {
        Column::Timeline | Column::CrewLost { .. } | Column::FatalFlights { .. } => {
            (Physical::INT64, None, Repetition::REQUIRED)
        }
        Column::Date { .. } => (Physical::INT32, Some(LogicalType::Date), Repetition::OPTIONAL),
        Column::Winner { .. } | Column::Fate { .. } => {
            (Physical::BYTE_ARRAY, Some(LogicalType::String), Repetition::REQUIRED)
        }
    };
    Type::primitive_type_builder(name, physical).with_logical_type(logical).with_repetition(repetition).build()
}

/// Writes one column of the buffered blocks, a block at a time.
fn write_column(
    w: &mut SerializedColumnWriter<'_>,
    column: Column,
    blocks: &[RowBlock],
    names: &Names,
) -> Result<(), ParquetError> {
    match column {
        Column::Timeline => required::<Int64Type>(w, blocks, |b, r| b.timeline(r) as i64),
        Column::CrewLost { agency } => required::<Int64Type>(w, blocks, |b, r| b.crew_lost(r, agency).into()),
        Column::FatalFlights { agency } => required::<Int64Type>(w, blocks, |b, r| b.fatal_flights(r, agency).into()),
        Column::Winner { milestone } => required::<ByteArrayType>(w, blocks, |b, r| match b.winner(r, milestone) {
            Some(a) => names.agencies[a].clone(),
            None => names.nobody.clone(),
        }),
        Column::Fate { program } => {
            required::<ByteArrayType>(w, blocks, |b, r| names.fates[b.fate(r, program) as usize].clone())
        }
        Column::Date { milestone, agency } => dates(w, blocks, milestone, agency),
    }
}

/// A column that always has a value.
fn required<T: DataType>(
    w: &mut SerializedColumnWriter<'_>,
    blocks: &[RowBlock],
    value: impl Fn(&RowBlock, usize) -> T::T,
) -> Result<(), ParquetError> {
    let mut values = Vec::new();
    for b in blocks {
        values.clear();
        values.extend((0..b.len()).map(|r| value(b, r)));
        w.typed::<T>().write_batch(&values, None, None)?;
    }
    Ok(())
}

/// A date column: the days of the timelines that reached the milestone, a definition level of 0
/// (null) for those that did not.
fn dates(
    w: &mut SerializedColumnWriter<'_>,
    blocks: &[RowBlock],
    milestone: usize,
    agency: usize,
) -> Result<(), ParquetError> {
    let (mut days, mut defined) = (Vec::new(), Vec::new());
    for b in blocks {
        days.clear();
        defined.clear();
        for r in 0..b.len() {
            let date = b.date(r, milestone, agency);
            defined.push(i16::from(date.is_some()));
            days.extend(date.map(|d| d.num_days_from_ce() - EPOCH_FROM_CE));
        }
        w.typed::<Int32Type>().write_batch(&days, Some(&defined), None)?;
    }
    Ok(())
}

impl RowSink for ParquetTable {
    type Error = Report;

    fn block(&mut self, rows: &RowBlock) -> Result<()> {
        self.buffered.push(rows.clone());
        self.rows += rows.len();
        if self.rows >= self.group_rows {
            self.flush_group().map_err(|e| self.failed(&e))?;
        }
        Ok(())
    }
}

impl Table for ParquetTable {
    /// Writes the last row group and the footer.
    fn finish(mut self) -> Result<Stream> {
        if !self.buffered.is_empty() {
            self.flush_group().map_err(|e| self.failed(&e))?;
        }
        self.writer.into_inner().map_err(|e| miette::miette!("cannot complete the Parquet file: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_count_days_from_the_unix_epoch() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(epoch.num_days_from_ce() - EPOCH_FROM_CE, 0);
        let landing = NaiveDate::from_ymd_opt(1969, 7, 20).unwrap();
        assert_eq!(landing.num_days_from_ce() - EPOCH_FROM_CE, -165);
    }
}
