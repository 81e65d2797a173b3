//! Fingerprints the engine's source for shard files (`shard::fingerprint`).
//!
//! Shards record a fingerprint of the compiled scenarios and the build, and `merge` refuses shards
//! of another build: an engine change can change every timeline. The crate version alone does not
//! tell two commits apart, so the build adds a hash of every source file of this crate (FNV-1a 64
//! over their paths and bytes, in path order): equal source, equal hash, on any machine.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for f in &files {
        feed(f.to_string_lossy().replace('\\', "/").as_bytes());
        feed(&std::fs::read(f).unwrap_or_default());
    }
    println!("cargo:rustc-env=STARCITY_SOURCE_HASH={h:016x}");
}

/// Every file under `dir`, recursively.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
