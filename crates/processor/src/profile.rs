//! Where a page's time goes, step by step: on when `DP_PROFILE` is set (`extract` prints the
//! table at the end), off otherwise at the cost of one relaxed load per step. The times are wall
//! times summed over the worker threads: each step runs on one thread, so this is its CPU time.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// 0 unknown, 1 off, 2 on.
static STATE: AtomicU8 = AtomicU8::new(0);
static TOTALS: Mutex<Vec<(&'static str, Duration, u32)>> = Mutex::new(Vec::new());

pub fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var_os("DP_PROFILE").is_some_and(|v| !v.is_empty() && v != "0");
            STATE.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
        s => s == 2,
    }
}

/// Runs `f`, adding its time to `name`'s total when profiling is on.
pub fn step<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    add(name, start.elapsed());
    out
}

fn add(name: &'static str, spent: Duration) {
    let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    match totals.iter_mut().find(|(n, _, _)| *n == name) {
        Some(t) => {
            t.1 += spent;
            t.2 += 1;
        }
        None => totals.push((name, spent, 1)),
    }
}

/// The steps' totals, largest first: (step, time, times run).
pub fn totals() -> Vec<(&'static str, Duration, u32)> {
    let mut t = TOTALS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    t.sort_by_key(|s| std::cmp::Reverse(s.1));
    t
}

/// The table `extract` prints: each step's seconds, share of the steps' sum, calls.
pub fn report() -> String {
    let t = totals();
    let sum: f64 = t.iter().map(|(_, d, _)| d.as_secs_f64()).sum();
    let mut out = format!(
        "{:<16} {:>9} {:>7} {:>7}\n",
        "step", "seconds", "share", "calls"
    );
    for (name, d, n) in &t {
        let s = d.as_secs_f64();
        out += &format!(
            "{name:<16} {s:>9.3} {:>6.1}% {n:>7}\n",
            100.0 * s / sum.max(f64::MIN_POSITIVE)
        );
    }
    out += &format!("{:<16} {sum:>9.3}\n", "sum");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_add_up_when_on() {
        STATE.store(2, Ordering::Relaxed);
        let x = step("unit-test-step", || 2 + 2);
        step("unit-test-step", || {
            std::thread::sleep(Duration::from_millis(2))
        });
        assert_eq!(x, 4);
        let t = totals();
        let (_, d, n) = t.iter().find(|(s, _, _)| *s == "unit-test-step").unwrap();
        assert_eq!(*n, 2);
        assert!(*d >= Duration::from_millis(2));
        assert!(report().contains("unit-test-step"));
    }
}
