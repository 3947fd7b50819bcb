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
/// The service process itself: runtime, AWS clients, a few results in flight.
pub const SERVICE_RESERVE_MB: u64 = 112;
/// Below this a worker cannot hold its engines and one ordinary page.
pub const WORKER_MIN_MB: u64 = 150;
/// A worker's resident memory before any document (engines, libraries, traineddata); measured
/// in BENCHMARKS.md ("Worker memory").
pub const WORKER_BASE_MB: u64 = 70;
/// Resident bytes one page pixel costs at the peak of its analysis (grey image, pdfium's bitmap,
/// Tesseract's binarised and scaled copies; measured in BENCHMARKS.md).
pub const BYTES_PER_PAGE_PIXEL: u64 = 10;

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
    pub worker_cap_mb: u64,
    /// Largest page image a worker analyses (never above the configured MAX_PAGE_PIXELS).
    pub max_page_pixels: u64,
}

impl Sizing {
    /// `requested` worker processes, fewer if the budget cannot give each its minimum; the budget
    /// left after the service's reserve is shared equally.
    pub fn plan(budget: Budget, requested: usize, configured_max_pixels: u64) -> Sizing {
        let for_workers = budget.total_mb.saturating_sub(SERVICE_RESERVE_MB);
        let affordable = (for_workers / WORKER_MIN_MB).max(1) as usize;
        let workers = requested.clamp(1, affordable);
        let worker_cap_mb = (for_workers / workers as u64).max(WORKER_MIN_MB);
        let for_pixels = (worker_cap_mb - WORKER_BASE_MB) << 20;
        Sizing {
            workers,
            worker_cap_mb,
            max_page_pixels: (for_pixels / BYTES_PER_PAGE_PIXEL).min(configured_max_pixels),
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
        let s = Sizing::plan(budget(512), 2, 100_000_000);
        assert_eq!(s.workers, 2);
        assert!(s.workers as u64 * s.worker_cap_mb + SERVICE_RESERVE_MB <= 512);
        // A letter page at 300 DPI (8.4 M pixels) fits; the 100 M default does not.
        assert!(s.max_page_pixels >= 8_500_000, "{s:?}");
        assert!(s.max_page_pixels < 100_000_000);
    }

    #[test]
    fn workers_shrink_to_what_memory_allows() {
        assert_eq!(Sizing::plan(budget(512), 8, 100_000_000).workers, 2);
        assert_eq!(Sizing::plan(budget(200), 4, 100_000_000).workers, 1);
        let big = Sizing::plan(budget(8192), 4, 100_000_000);
        assert_eq!(big.workers, 4);
        assert!(big.worker_cap_mb > 1500);
    }

    #[test]
    fn the_configured_pixel_limit_stays_a_ceiling() {
        assert_eq!(
            Sizing::plan(budget(8192), 1, 1_000_000).max_page_pixels,
            1_000_000
        );
    }
}
