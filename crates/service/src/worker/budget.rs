//! The memory the service and its workers may use, and everything sized from it: how many worker
//! processes, each one's cap, and the largest page image a worker can afford.

/// Where the budget came from, for the start-up log and `doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetSource {
    Setting,
    CgroupV2,
    CgroupV1,
    Default,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Budget {
    pub total_mb: u64,
    pub source: BudgetSource,
}

/// Without a setting or a container limit: the Fargate task size this service is deployed with.
pub const DEFAULT_BUDGET_MB: u64 = 512;
/// The service process itself: runtime, AWS clients, a few results in flight (its peak was 36-38 MB
/// in every hostile-document test, `tests/hostile.rs`).
pub const SERVICE_RESERVE_MB: u64 = 56;
/// How far a worker's resident memory may pass its cap: its writable-memory limit leaves room for
/// the library pages it may still fault in (the supervisor's LIBRARY_PAGES_MB), and the watch stops
/// it once it presses that limit, so only what grows outside both is left (the main thread's stack,
/// library pages past the allowance). Kept out of the cap, so two workers at their worst and the
/// service stay inside the budget.
pub const CAP_OVERSHOOT_MB: u64 = 4;
/// A worker's resident memory before its engines (libraries, pdfium). Measured with
/// `scripts/bench.sh workers memory` (BENCHMARKS.md, "Worker processes").
pub const WORKER_BASE_MB: u64 = 32;
/// Each OCR thread's Tesseract engines (recognition and orientation), resident. Orientation is
/// loaded only once a page needs it (~33 MB of this), but a worker that has met one keeps it: counted.
pub const PER_THREAD_MB: u64 = 45;
/// Each OCR thread's receipt figures' reader (ONNX Runtime's session and the library's pages,
/// resident once loaded; `tests/hostile.rs` idle workers 78 -> 123 MB with it under the full graph
/// optimisations, ~47 MB at the basic ones the reader uses).
pub const FIGURE_READER_MB: u64 = 48;
/// Resident bytes one page pixel costs at the peak of its analysis (pdfium's bitmap, the grey
/// image, the levelled copy, Tesseract's binarised and scaled copies; measured ~13).
pub const BYTES_PER_PAGE_PIXEL: u64 = 14;
/// The page every worker must afford: A4 at 300 DPI.
pub const MIN_PAGE_PIXELS: u64 = 8_700_000;

fn page_mb(pixels: u64) -> u64 {
    (pixels * BYTES_PER_PAGE_PIXEL).div_ceil(1 << 20)
}

/// The least a worker with `threads` OCR threads needs.
fn worker_min_mb(threads: usize) -> u64 {
    WORKER_BASE_MB + threads as u64 * (PER_THREAD_MB + page_mb(MIN_PAGE_PIXELS))
}

impl Budget {
    /// `MEMORY_LIMIT_MB` when set, else the container's cgroup limit, else the default.
    pub fn detect(setting_mb: Option<u64>) -> Budget {
        if let Some(mb) = setting_mb.filter(|&mb| mb > 0) {
            return Budget {
                total_mb: mb,
                source: BudgetSource::Setting,
            };
        }
        let read = |p: &str| std::fs::read_to_string(p).ok();
        if let Some(mb) = read("/sys/fs/cgroup/memory.max").and_then(|s| cgroup_limit_mb(&s)) {
            return Budget {
                total_mb: mb,
                source: BudgetSource::CgroupV2,
            };
        }
        if let Some(mb) =
            read("/sys/fs/cgroup/memory/memory.limit_in_bytes").and_then(|s| cgroup_limit_mb(&s))
        {
            return Budget {
                total_mb: mb,
                source: BudgetSource::CgroupV1,
            };
        }
        Budget {
            total_mb: DEFAULT_BUDGET_MB,
            source: BudgetSource::Default,
        }
    }
}

/// A cgroup memory limit file's content in MiB; None for "max" or v1's "no limit" (a huge number).
pub fn cgroup_limit_mb(content: &str) -> Option<u64> {
    let bytes: u64 = content.trim().parse().ok()?;
    // v1 reports an unlimited group as ~2^63 rounded to pages; nothing real is above 1 PiB.
    (bytes > 0 && bytes < 1 << 50).then_some(bytes >> 20)
}

/// What the budget allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Sizing {
    pub workers: usize,
    /// OCR threads in each worker.
    pub threads: usize,
    pub worker_cap_mb: u64,
    /// Largest page image a worker analyses (never above the configured MAX_PAGE_PIXELS).
    pub max_page_pixels: u64,
    /// Whether each OCR thread holds the receipt figures' reader: only where it still leaves room
    /// for an A4 page at 300 DPI beside it (not in a 512 MB task of two workers).
    pub figure_reader: bool,
}

impl Sizing {
    /// `requested` worker processes (fewer if the budget cannot give each its minimum) sharing the
    /// budget left after the service's reserve equally; each gets `threads` OCR threads (default:
    /// the CPUs shared out among the workers), fewer if its share cannot hold them, and the
    /// largest page its share can hold on every thread at once.
    pub fn plan(
        budget: Budget,
        requested: usize,
        threads: Option<usize>,
        cpus: usize,
        configured_max_pixels: u64,
    ) -> Sizing {
        let for_workers = budget.total_mb.saturating_sub(SERVICE_RESERVE_MB);
        let affordable = (for_workers / worker_min_mb(1)).max(1) as usize;
        let workers = requested.clamp(1, affordable);
        let worker_cap_mb = (for_workers / workers as u64)
            .saturating_sub(CAP_OVERSHOOT_MB)
            .max(worker_min_mb(1));
        let mut threads = threads.unwrap_or(cpus / workers).max(1);
        while threads > 1 && worker_min_mb(threads) > worker_cap_mb {
            threads -= 1;
        }
        let per_thread_mb =
            ((worker_cap_mb - WORKER_BASE_MB) / threads as u64).saturating_sub(PER_THREAD_MB);
        let figure_reader = per_thread_mb >= FIGURE_READER_MB + page_mb(MIN_PAGE_PIXELS);
        let page_room_mb = if figure_reader {
            per_thread_mb - FIGURE_READER_MB
        } else {
            per_thread_mb
        };
        Sizing {
            workers,
            threads,
            worker_cap_mb,
            max_page_pixels: ((page_room_mb << 20) / BYTES_PER_PAGE_PIXEL)
                .min(configured_max_pixels),
            figure_reader,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(mb: u64) -> Budget {
        Budget {
            total_mb: mb,
            source: BudgetSource::Setting,
        }
    }

    #[test]
    fn cgroup_files_parse() {
        assert_eq!(cgroup_limit_mb("536870912\n"), Some(512));
        assert_eq!(cgroup_limit_mb("max\n"), None);
        assert_eq!(cgroup_limit_mb("9223372036854771712"), None);
        assert_eq!(cgroup_limit_mb("0"), None);
    }

    #[test]
    fn a_512_mb_task_fits_two_workers_and_the_service() {
        let s = Sizing::plan(budget(512), 2, None, 2, 100_000_000);
        assert_eq!((s.workers, s.threads), (2, 1));
        assert!(
            s.workers as u64 * (s.worker_cap_mb + CAP_OVERSHOOT_MB) + SERVICE_RESERVE_MB <= 512
        );
        // An A4 page at 300 DPI fits; the 100 M default does not.
        assert!(s.max_page_pixels >= MIN_PAGE_PIXELS, "{s:?}");
        assert!(s.max_page_pixels < 100_000_000);
    }

    #[test]
    fn workers_and_threads_shrink_to_what_memory_allows() {
        assert_eq!(
            Sizing::plan(budget(512), 8, None, 8, 100_000_000).workers,
            2
        );
        assert_eq!(
            Sizing::plan(budget(200), 4, None, 4, 100_000_000).workers,
            1
        );
        let one = Sizing::plan(budget(512), 1, None, 4, 100_000_000);
        assert_eq!(one.workers, 1);
        assert!(one.threads < 4 && one.threads >= 2, "{one:?}");
        let big = Sizing::plan(budget(8192), 4, Some(2), 8, 100_000_000);
        assert_eq!((big.workers, big.threads), (4, 2));
        assert!(big.worker_cap_mb > 1500);
    }

    #[test]
    fn the_figures_reader_comes_only_with_room_for_an_a4_page_beside_it() {
        let two = Sizing::plan(budget(512), 2, None, 2, 100_000_000);
        assert!(!two.figure_reader, "{two:?}");
        let one = Sizing::plan(budget(512), 1, Some(1), 2, 100_000_000);
        assert!(one.figure_reader, "{one:?}");
        let per_thread = (one.worker_cap_mb - WORKER_BASE_MB) - PER_THREAD_MB;
        assert!(page_mb(one.max_page_pixels) + FIGURE_READER_MB <= per_thread);
        assert!(Sizing::plan(budget(1024), 2, None, 2, 100_000_000).figure_reader);
    }

    #[test]
    fn the_configured_pixel_limit_stays_a_ceiling() {
        let s = Sizing::plan(budget(8192), 1, None, 1, 1_000_000);
        assert_eq!(s.max_page_pixels, 1_000_000);
    }
}
