//! Every byte starcity writes goes through here: standard output, or a file named with `-o`.
//!
//! Promises (issue "a core that bad input cannot break", item 3):
//! - A file is written **atomically**: to a temporary file in the target's directory, renamed over
//!   the target only once complete. A failed or interrupted run leaves any previous file as it was.
//! - Only a **regular file** (or a new name) is a target: `-o /dev/null` is refused instead of
//!   replacing the device node. A symlink is followed: its target is replaced, the link kept.
//! - The file gets **normal permissions**: a new file `0666` less the umask, a replaced file the
//!   mode it had.
//! - On **SIGINT, SIGTERM or SIGHUP** the temporary file is removed before the process exits.
//! - A failed write to stdout (a full disk) fails the command; a **broken pipe** (`| head`)
//!   ends it quietly.
//! - Text goes through [`crate::terminal::escape`] first: names from a scenario cannot send
//!   control sequences to a terminal.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use miette::{Result, miette};

use crate::input::io_reason as reason;

/// Temporary files being written, removed by the signal handler. A file is created and
/// registered under this lock, so the handler (which takes it too) sees every file that exists.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set by the signal handler: no temporary file may be created after it has cleaned up.
static EXITING: AtomicBool = AtomicBool::new(false);

/// Installs the handler that removes pending temporary files on SIGINT/SIGTERM/SIGHUP, then
/// exits with 130 (the shell's code for an interrupted command). SIGKILL cannot be caught: a
/// killed run may leave its `.starcity-*.tmp` file, never a partial target.
pub fn install_signal_cleanup() {
    let _ = ctrlc::set_handler(|| {
        let pending = lock_pending();
        EXITING.store(true, Ordering::SeqCst);
        for p in pending.iter() {
            let _ = std::fs::remove_file(p);
        }
        std::process::exit(130);
    });
}

fn lock_pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a result was asked to be written.
pub enum Sink<'a> {
    Stdout,
    File(&'a Path),
}

impl<'a> Sink<'a> {
    /// `-o FILE`, else standard output; `-o -` is standard output too, as it is for most tools
    /// (a file literally named `-` is written as `-o ./-`).
    pub fn new(output: Option<&'a Path>) -> Self {
        match output {
            Some(p) if !is_stdout(Some(p)) => Sink::File(p),
            _ => Sink::Stdout,
        }
    }
}

/// Whether `-o` (absent, or `-`) sends the output to standard output.
pub fn is_stdout(output: Option<&Path>) -> bool {
    output.is_none_or(|p| p == Path::new("-"))
}

/// Checks before a long run that `-o` names something we may write: failing after an hour of
/// simulation because of a typo in the path would be cruel.
pub fn check_target(output: Option<&Path>) -> Result<()> {
    output.filter(|p| !is_stdout(Some(p))).map_or(Ok(()), probe_temp)
}

/// Writes `text` (escaped for terminals) to the sink.
pub fn emit(text: &str, sink: Sink<'_>) -> Result<()> {
    let text = crate::terminal::escape(text);
    match sink {
        Sink::Stdout => write_stdout(text.as_bytes()),
        Sink::File(path) => write_atomic(path, text.as_bytes()),
    }
}

/// Writes JSON (already escaped by serde; DEL and C1 controls are escaped too) to the sink.
pub fn emit_json(value: &impl serde::Serialize, sink: Sink<'_>) -> Result<()> {
    emit_json_text(serde_json::to_string_pretty(value), sink)
}

/// Writes JSON on one line (shard files: compact, for machines), escaped as [`emit_json`] does.
pub fn emit_json_compact(value: &impl serde::Serialize, sink: Sink<'_>) -> Result<()> {
    emit_json_text(serde_json::to_string(value), sink)
}

fn emit_json_text(json: serde_json::Result<String>, sink: Sink<'_>) -> Result<()> {
    let json = json.map_err(|e| miette!("cannot serialise the result: {e}"))? + "\n";
    let json = crate::terminal::escape_json(&json);
    match sink {
        Sink::Stdout => write_stdout(json.as_bytes()),
        Sink::File(path) => write_atomic(path, json.as_bytes()),
    }
}

/// Writes a note for the person at the terminal (timings, warnings) to stderr, escaped. A failure
/// to write a note is not worth failing the command for.
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(crate::terminal::escape(text).as_bytes());
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // The reader went away (`| head`): nothing more to say, and nothing lost that was wanted.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(miette!("cannot write to standard output: {}", reason(&e))),
    }
}

/// The file to replace: the target itself, or what a symlink points to; refused unless it is a
/// regular file or does not exist yet.
fn resolve(path: &Path) -> Result<PathBuf> {
    let shown = path.display();
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match std::fs::metadata(path) {
        Err(e) if is_link && e.kind() == ErrorKind::NotFound => {
            return Err(miette!(
                "cannot write {shown}: it is a symlink to nothing; -o follows links to existing files only"
            ));
        }
        Err(e) if is_link => return Err(miette!("cannot write {shown}: {}", reason(&e))),
        _ => {}
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            std::fs::canonicalize(path).map_err(|e| miette!("cannot write {shown}: {}", reason(&e)))
        }
        Ok(meta) if meta.is_dir() => Err(miette!("cannot write {shown}: it is a directory; expected a file name")),
        Ok(_) => Err(miette!(
            "cannot write {shown}: it is not a regular file (a device, FIFO or socket); -o writes regular files only \
             (use shell redirection to write elsewhere)"
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !dir.is_dir() {
                return Err(miette!("cannot write {shown}: the directory {} does not exist", dir.display()));
            }
            Ok(path.to_path_buf())
        }
        Err(e) => Err(miette!("cannot write {shown}: {}", reason(&e))),
    }
}

/// Writes `bytes` to a temporary file beside `path`'s real target, then renames it over.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut stream = Stream::open(Sink::File(path))?;
    stream.write_all(bytes).map_err(|e| stream.failed(&e))?;
    stream.finish()
}

/// A result written while it is computed (`export`'s rows, too many to hold): to stdout, or to a
/// temporary file beside `-o`'s target that [`Stream::finish`] renames over it, so a file keeps
/// every promise of this module. Dropped unfinished (an error, a panic), it removes its temporary
/// file: a failed run leaves any previous file as it was. A broken pipe on stdout ends the process
/// quietly, as [`emit`] does. Bytes are written as given: a writer sending names from a scenario
/// to a terminal must escape them itself.
pub struct Stream {
    dest: Dest,
}

enum Dest {
    Stdout(BufWriter<std::io::Stdout>),
    File {
        file: BufWriter<File>,
        tmp: PathBuf,
        target: PathBuf,
        shown: String,
    },
    /// Finished: renamed, or flushed.
    Done,
}

/// Large enough that a row-at-a-time writer makes few system calls.
const STREAM_BUFFER: usize = 1 << 16;

impl Stream {
    /// Opens the sink for writing; for a file, creates the temporary file now (so a long run fails
    /// at once if it cannot, and a signal finds it to remove).
    pub fn open(sink: Sink<'_>) -> Result<Stream> {
        let dest = match sink {
            Sink::Stdout => Dest::Stdout(BufWriter::with_capacity(STREAM_BUFFER, std::io::stdout())),
            Sink::File(path) => {
                let target = resolve(path)?;
                let shown = path.display().to_string();
                let mode = std::fs::metadata(&target).ok().map(|m| permissions_of(&m));
                let (tmp, file) =
                    create_temp(&target, mode).map_err(|e| miette!("cannot write {shown}: {}", reason(&e)))?;
                Dest::File { file: BufWriter::with_capacity(STREAM_BUFFER, file), tmp, target, shown }
            }
        };
        Ok(Stream { dest })
    }

    /// The error for a failed write, naming the destination (and, for a file, that any previous
    /// file is unchanged: the temporary file is removed when the stream is dropped).
    pub fn failed(&self, why: &dyn std::fmt::Display) -> miette::Report {
        // As `input::io_reason` does: "(os error 28)" says nothing the message has not.
        let why = why.to_string();
        let why = why.find(" (os error").map_or(why.as_str(), |i| &why[..i]);
        match &self.dest {
            Dest::File { shown, .. } => miette!("cannot write {shown}: {why}; any previous file is unchanged"),
            _ => miette!("cannot write to standard output: {why}"),
        }
    }

    /// Flushes everything; for a file, syncs it and renames it over the target.
    pub fn finish(mut self) -> Result<()> {
        match std::mem::replace(&mut self.dest, Dest::Done) {
            Dest::Stdout(mut out) => out.flush().map_err(|e| quiet_pipe(e, "standard output")),
            Dest::File { file, tmp, target, shown } => {
                let synced = file.into_inner().map_err(|e| e.into_error()).and_then(|f| f.sync_all());
                let renamed = synced.and_then(|_| std::fs::rename(&tmp, &target));
                forget_pending(&tmp);
                renamed.map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    miette!("cannot write {shown}: {}; any previous file is unchanged", reason(&e))
                })
            }
            Dest::Done => Ok(()),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.dest {
            Dest::Stdout(out) => out.write(buf).map_err(exit_on_broken_pipe),
            Dest::File { file, .. } => file.write(buf),
            Dest::Done => Err(std::io::Error::other("written after it was finished")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.dest {
            Dest::Stdout(out) => out.flush().map_err(exit_on_broken_pipe),
            Dest::File { file, .. } => file.flush(),
            Dest::Done => Ok(()),
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Dest::File { tmp, .. } = &self.dest {
            let _ = std::fs::remove_file(tmp);
            forget_pending(tmp);
        }
        if let Dest::Stdout(out) = &mut self.dest {
            // Unfinished: what was computed is out, as far as it goes (the error says why it stops).
            let _ = out.flush();
        }
    }
}

/// The reader of stdout went away (`| head`): nothing more to say, and nothing lost that was wanted.
fn exit_on_broken_pipe(e: std::io::Error) -> std::io::Error {
    if e.kind() == ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    e
}

fn quiet_pipe(e: std::io::Error, what: &str) -> miette::Report {
    let e = exit_on_broken_pipe(e);
    miette!("cannot write to {what}: {}", reason(&e))
}

/// Creates `.starcity-PID-K.tmp` beside `target` (short, so any name the file system accepts for
/// the target works), registered for removal on a signal. A new file is created with mode 0666
/// so that the umask applies, as for any file a shell would create; replacing a file keeps its
/// permission bits.
fn create_temp(target: &Path, mode: Option<u32>) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    loop {
        let k = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".starcity-{}-{k}.tmp", std::process::id()));
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        set_mode(&mut opts, mode);
        let mut pending = lock_pending();
        if EXITING.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("interrupted"));
        }
        match opts.open(&tmp) {
            Ok(f) => {
                pending.push(tmp.clone());
                drop(pending);
                if let Some(m) = mode {
                    restore_mode(&f, m)?;
                }
                return Ok((tmp, f));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Checks that a temporary file can be made beside `path`'s target (the directory is writable),
/// before a long run rather than after it.
fn probe_temp(path: &Path) -> Result<()> {
    let target = resolve(path)?;
    let (tmp, _file) =
        create_temp(&target, None).map_err(|e| miette!("cannot write {}: {}", path.display(), reason(&e)))?;
    let _ = std::fs::remove_file(&tmp);
    forget_pending(&tmp);
    Ok(())
}

fn forget_pending(tmp: &Path) {
    lock_pending().retain(|p| p != tmp);
}

#[cfg(unix)]
fn permissions_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    // Permission bits only: a setuid or setgid bit is not carried onto new content.
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn permissions_of(_: &std::fs::Metadata) -> u32 {
    0o666
}

#[cfg(unix)]
fn set_mode(opts: &mut OpenOptions, mode: Option<u32>) {
    use std::os::unix::fs::OpenOptionsExt;
    opts.mode(mode.unwrap_or(0o666));
}

#[cfg(not(unix))]
fn set_mode(_: &mut OpenOptions, _: Option<u32>) {}

/// The umask also applies to the mode asked at creation: set a replaced file's exact mode after.
#[cfg(unix)]
fn restore_mode(f: &File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restore_mode(_: &File, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
        }
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn a_stream_replaces_the_file_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        std::fs::write(&path, "old").unwrap();
        let mut stream = Stream::open(Sink::File(&path)).unwrap();
        stream.write_all(b"half a table").unwrap();
        stream.flush().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "the rows go to a temporary file");
        drop(stream);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old", "an unfinished stream changes nothing");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "and leaves no temporary file");
        let mut stream = Stream::open(Sink::File(&path)).unwrap();
        stream.write_all(b"a whole table").unwrap();
        stream.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a whole table");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused() {
        assert!(format!("{:?}", resolve(Path::new("/dev/null")).unwrap_err()).contains("not a regular file"));
        assert!(format!("{:?}", resolve(Path::new("/")).unwrap_err()).contains("directory"));
        assert!(format!("{:?}", resolve(Path::new("/no/such/dir/x")).unwrap_err()).contains("does not exist"));
    }
}
