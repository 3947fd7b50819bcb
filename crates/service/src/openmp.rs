//! Debian's libtesseract, linked when the static build of scripts/build-tesseract.sh is absent, is
//! an OpenMP build. libgomp reads OMP_THREAD_LIMIT when the library is loaded, before `main` runs,
//! so setting it from Rust is too late: when it is absent the binary re-executes itself with it
//! set. No user and no deployment can forget it this way.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

pub const VAR: &str = "OMP_THREAD_LIMIT";

/// Returns only when the variable is already set, or when the re-exec failed (then it warns).
pub fn ensure_thread_limit() {
    if std::env::var_os(VAR).is_some() {
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("warning: {VAR} is unset and the executable path is unknown ({e}); OCR will be slow");
            return;
        }
    };
    let mut args = std::env::args_os();
    let arg0 = args
        .next()
        .unwrap_or_else(|| OsString::from("document-processor"));
    let err = Command::new(exe).arg0(arg0).args(args).env(VAR, "1").exec();
    eprintln!("warning: could not re-execute with {VAR}=1 ({err}); OCR will be slow");
}
