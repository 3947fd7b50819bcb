//! Test builds only (cargo feature `fault-injection`, never in the release binary): a document whose
//! content starts with `DP-FAULT:<kind>` makes the worker fail the way a broken parser would, so the
//! tests can prove the supervisor contains it.

use std::io::Read;
use std::path::Path;

pub const MARKER: &[u8] = b"DP-FAULT:";

pub fn trigger(path: &Path) {
    let mut head = [0u8; 32];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let Some(kind) = head[..n].strip_prefix(MARKER) else {
        return;
    };
    let kind = String::from_utf8_lossy(kind);
    let kind = kind.split_whitespace().next().unwrap_or("");
    eprintln!("fault injection: {kind}");
    match kind {
        // SAFETY: deliberately not safe: a parser's wild write, as the test wants it.
        "segfault" => unsafe {
            std::ptr::null_mut::<u8>().write_volatile(1);
        },
        "abort" => std::process::abort(),
        "hang" => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        "alloc" => {
            // Touch every page so the memory is really used, as a decoder filling a buffer does.
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        _ => {}
    }
}
