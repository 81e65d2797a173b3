//! Reading what users hand us: scenario, divergence and record files, or standard input as `-`.
//!
//! Only regular files and standard input are read: a FIFO would block forever, a device such as
//! `/dev/zero` never ends, and a directory is a mistake. Size is checked *while* reading (at most
//! the limit plus one byte is ever read), so a pipe or a file that grows cannot exhaust memory.
//! Text must be UTF-8; the first invalid byte is reported with its line and column.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use starcity_core::limits::Limit;
use starcity_core::scenario::{LoadError, LoadErrors};

/// Reads `name` (a path, or `-` for standard input) as UTF-8 text of at most `limit` bytes.
/// Errors are located at the file (and, for bad UTF-8, at the line and column).
pub fn read_text(name: &str, limit: Limit) -> Result<String, LoadErrors> {
    let bytes = read_bytes(name, limit).map_err(|message| whole(name, message))?;
    String::from_utf8(bytes).map_err(|e| not_utf8(name, e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// Reads at most `limit` bytes of a regular file or standard input; the message says why not.
pub fn read_bytes(name: &str, limit: Limit) -> Result<Vec<u8>, String> {
    if name == "-" {
        return read_limited(std::io::stdin().lock(), limit);
    }
    let path = Path::new(name);
    // `metadata` follows symlinks: a link to a regular file is fine. Checking before opening
    // matters: opening a FIFO for reading blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {}", io_reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("cannot read the file: it is {}; expected a regular file (or `-` for stdin)", kind(&meta)));
    }
    if meta.len() > limit.value {
        return Err(too_large(meta.len(), limit));
    }
    let file = open_regular(path).map_err(|e| format!("cannot read the file: {}", io_reason(&e)))?;
    // The checked type is the opened file's: a path swapped for a FIFO after the check above
    // is refused here instead of blocking a read.
    let meta = file.metadata().map_err(|e| format!("cannot read the file: {}", io_reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("cannot read the file: it is {}; expected a regular file (or `-` for stdin)", kind(&meta)));
    }
    read_limited(file, limit)
}

/// Opens for reading without blocking on a FIFO (`O_NONBLOCK`; a regular file ignores it).
#[cfg(unix)]
fn open_regular(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_regular(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Reads until the end or until more than `limit` bytes have come, whichever is first.
fn read_limited(r: impl Read, limit: Limit) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    r.take(limit.value + 1).read_to_end(&mut buf).map_err(|e| format!("cannot read the file: {}", io_reason(&e)))?;
    if buf.len() as u64 > limit.value {
        return Err(format!(
            "the input is larger than {} bytes (limit `{}`, see docs/limits.md)",
            limit.value, limit.name
        ));
    }
    Ok(buf)
}

fn too_large(len: u64, limit: Limit) -> String {
    format!("the file is {len} bytes; the limit is {} bytes (limit `{}`, see docs/limits.md)", limit.value, limit.name)
}

/// What kind of file this is, for the message that refuses it.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a directory" } else { "not a regular file" }
}

/// The OS reason without Rust's "(os error 2)" suffix (also used for output errors).
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn whole(name: &str, message: String) -> LoadErrors {
    LoadErrors::new(name, vec![LoadError::whole(name, message)])
}

/// The error for invalid UTF-8 at byte `at`, located by line and column.
fn not_utf8(name: &str, bytes: &[u8], at: usize) -> LoadErrors {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    let message = format!("the file is not UTF-8 text (byte 0x{:02x}); expected a TOML file", bytes[at]);
    LoadErrors::new(name, vec![LoadError::whole(&format!("{name}:{line}:{col}"), message)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use starcity_core::limits::FILE_BYTES;

    #[test]
    fn bad_utf8_is_located() {
        let e = not_utf8("f.toml", b"a = 1\nb = \"\xff\"\n", 11);
        assert_eq!(e.errors[0].location, "f.toml:2:6");
    }

    #[test]
    fn reading_stops_past_the_limit() {
        let tiny = Limit { name: "tiny", value: 4, what: "bytes" };
        assert_eq!(read_limited(&b"abcd"[..], tiny).unwrap(), b"abcd");
        assert!(read_limited(&b"abcde"[..], tiny).unwrap_err().contains("limit `tiny`"));
        assert!(read_limited(std::io::repeat(0), FILE_BYTES).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused() {
        assert!(read_bytes("/dev/zero", FILE_BYTES).unwrap_err().contains("a device"));
        assert!(read_bytes("/", FILE_BYTES).unwrap_err().contains("a directory"));
        assert!(read_bytes("/no/such/file", FILE_BYTES).unwrap_err().contains("No such file"));
    }
}
