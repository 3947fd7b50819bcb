//! The service side: a fixed set of warm worker processes, one document each at a time. Each
//! document gets a wall-clock deadline (the engine's own timeout plus a grace, then SIGKILL) and a
//! memory cap (RLIMIT_DATA as the hard stop, resident memory watched as the precise one); a worker
//! that dies, hangs or passes its cap is replaced and its document gets `engine_crashed` or
//! `timeout`. Other documents never notice.

use super::protocol::{self, Ready, Request, Spec};
use api::Languages;
use processor::{DocumentResult, ErrorCode, ProcessError};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Time a worker gets past the engine's own deadline to answer `timeout` itself.
const KILL_GRACE: Duration = Duration::from_secs(5);
/// How often a busy worker's resident memory is read.
const WATCH_EVERY: Duration = Duration::from_millis(50);
/// Address space a starting worker may map: generous, it is tightened once the engines are up.
const STARTUP_ADDRESS_SPACE_MB: u64 = 4096;
/// Address space beyond (idle mapping + room to the cap): stacks and arena reservations.
const ADDRESS_SPACE_MARGIN_MB: u64 = 48;
/// Library pages (code, read-only data) a document can still fault in after the worker went idle:
/// resident memory the writable-memory limit does not see, so it is kept out of that limit's room.
/// `tests/hostile.rs` saw a worker's file-backed resident memory grow 5-12 MB from idle to its peak
/// (anonymous memory stopped at the limit): with no allowance workers peaked at up to cap + 12.
pub const LIBRARY_PAGES_MB: u64 = 12;
/// A worker whose writable memory is this close to its limit has allocations failing: stopped.
const PRESSED_MB: u64 = 1;
/// Longest answer line read from a worker (results are bounded by the word limits far below).
const MAX_ANSWER_BYTES: usize = 256 << 20;
/// Time a fresh worker may take to build its engines.
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// The executable to run as `<program> worker` (the service's own binary).
    pub program: PathBuf,
    pub spec: Spec,
    pub workers: usize,
    pub memory_cap_mb: u64,
}

/// At most `workers` worker processes are alive at any time, whatever the timing: each is idle
/// (in `idle`) or held with a slot (busy, or being launched to replace a lost one). A slot is given
/// back only with its worker back in `idle` or its replacement's launch over, so a document never
/// starts a worker beside a replacement still starting (a third worker at its cap was the task's
/// memory over its limit).
pub struct Supervisor {
    settings: WorkerSettings,
    /// The spec's languages as a list, what a document that names none is read in.
    default_languages: Languages,
    idle: Mutex<Vec<Worker>>,
    slots: Arc<Semaphore>,
    deadline: Duration,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The languages its engine has (it rebuilds its engine for a document in others).
    languages: Languages,
    /// Its writable-memory limit (RLIMIT_DATA), when it could be set.
    data_limit: Option<u64>,
}

/// What a document asks of its worker beyond the file.
#[derive(Debug, Clone, Default)]
pub struct Ask<'a> {
    pub hint: Option<&'a str>,
    /// None: the service's languages.
    pub languages: Option<&'a Languages>,
    /// Where the worker writes the searchable PDF.
    pub searchable_pdf: Option<&'a Path>,
    /// Where the worker writes the pages' previews.
    pub previews: Option<processor::page::preview::Previews>,
}

/// Why a worker gave no answer.
enum Lost {
    Died(ExitStatus),
    Deadline,
    OverCap(u64),
    Protocol(String),
}

impl Supervisor {
    /// Starts every worker and waits until each has its engines (a broken set-up fails here).
    pub async fn start(mut settings: WorkerSettings) -> anyhow::Result<Arc<Supervisor>> {
        settings.workers = settings.workers.max(1);
        let deadline = settings.spec.config.limits.document_timeout + KILL_GRACE;
        let mut idle = Vec::with_capacity(settings.workers);
        for _ in 0..settings.workers {
            idle.push(launch(&settings).await?);
        }
        Ok(Arc::new(Supervisor {
            slots: Arc::new(Semaphore::new(settings.workers)),
            idle: Mutex::new(idle),
            default_languages: Languages::parse_tesseract(&settings.spec.config.languages),
            settings,
            deadline,
        }))
    }

    pub fn workers(&self) -> usize {
        self.settings.workers
    }

    /// Processes one spooled file in a worker. Err only when no worker could be started (a fault of
    /// this task, not of the document: the caller hands the record back).
    pub async fn extract(
        self: &Arc<Self>,
        path: &Path,
        ask: Ask<'_>,
    ) -> Result<DocumentResult, String> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let languages = ask.languages.unwrap_or(&self.default_languages).clone();
        // A free worker that has the document's languages already, else any free one.
        let taken = {
            let mut idle = self.idle.lock().expect("lock");
            match idle.iter().position(|w| w.languages == languages) {
                Some(i) => Some(idle.swap_remove(i)),
                None => idle.pop(),
            }
        };
        // None only after a replacement failed to start: this slot's worker is started here.
        let mut worker = match taken {
            Some(w) => w,
            None => launch(&self.settings)
                .await
                .map_err(|e| format!("no worker could be started: {e:#}"))?,
        };
        let request = Request {
            path: path.to_path_buf(),
            hint: ask.hint.map(str::to_string),
            languages: ask.languages.cloned(),
            searchable_pdf: ask.searchable_pdf.map(Path::to_path_buf),
            previews: ask.previews,
        };
        worker.languages = languages;
        match self.exchange(&mut worker, &request).await {
            Ok(result) => {
                self.idle.lock().expect("lock").push(worker);
                drop(slot);
                Ok(result)
            }
            Err(lost) => {
                let _ = worker.child.start_kill();
                // Reaped before its replacement starts: its memory is free again.
                let status = worker.child.wait().await.ok();
                self.replace(slot);
                Ok(DocumentResult::failed(self.failure(lost, status)))
            }
        }
    }

    async fn exchange(
        &self,
        worker: &mut Worker,
        request: &Request,
    ) -> Result<DocumentResult, Lost> {
        let send = async {
            worker.stdin.write_all(&protocol::line(request)).await?;
            worker.stdin.flush().await
        };
        if send.await.is_err() {
            // The worker is gone already (it died between documents): its exit says why.
            return Err(exited(worker).await);
        }
        let pid = worker.child.id();
        let cap_bytes = self.settings.memory_cap_mb << 20;
        let mut answer = Vec::new();
        tokio::select! {
            read = read_line(&mut worker.stdout, &mut answer) => match read {
                Ok(0) => Err(exited(worker).await),
                Ok(_) => serde_json::from_slice(&answer)
                    .map_err(|e| Lost::Protocol(format!("unreadable answer: {e}"))),
                Err(e) => Err(Lost::Protocol(e)),
            },
            _ = tokio::time::sleep(self.deadline) => Err(Lost::Deadline),
            used = watch_memory(pid, cap_bytes, worker.data_limit) => Err(Lost::OverCap(used)),
        }
    }

    /// A fresh worker in the background, so this document's answer does not wait for its engines.
    /// The lost worker's slot is held until the launch is over.
    fn replace(self: &Arc<Self>, slot: OwnedSemaphorePermit) {
        let me = self.clone();
        tokio::spawn(async move {
            let _slot = slot;
            match launch(&me.settings).await {
                Ok(w) => {
                    let mut idle = me.idle.lock().expect("lock");
                    if idle.len() < me.workers() {
                        idle.push(w);
                    }
                }
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "a replacement worker did not start")
                }
            }
        });
    }

    fn failure(&self, lost: Lost, status: Option<ExitStatus>) -> ProcessError {
        let error = match lost {
            Lost::Deadline => ProcessError::new(
                ErrorCode::Timeout,
                format!(
                    "processing took longer than {} s and was stopped",
                    self.settings.spec.config.limits.document_timeout.as_secs()
                ),
            ),
            Lost::OverCap(used) => ProcessError::new(
                ErrorCode::EngineCrashed,
                format!(
                    "the document needed more than the worker's memory cap of {} MB and was stopped ({} MB resident then)",
                    self.settings.memory_cap_mb,
                    used >> 20
                ),
            ),
            Lost::Died(status) => ProcessError::new(
                ErrorCode::EngineCrashed,
                format!("the document crashed its worker process ({})", describe(status)),
            ),
            Lost::Protocol(m) => ProcessError::new(
                ErrorCode::EngineCrashed,
                format!("the worker process failed: {m}"),
            ),
        };
        tracing::warn!(code = %error.code, message = %error.message, exit = ?status, "worker lost; replacing it");
        error
    }
}

fn describe(status: ExitStatus) -> String {
    match status.signal() {
        Some(sig) => {
            let name = match sig {
                libc::SIGSEGV => "SIGSEGV, a memory fault",
                libc::SIGABRT => "SIGABRT, an abort (or an allocation over the memory cap)",
                libc::SIGBUS => "SIGBUS",
                libc::SIGKILL => "SIGKILL",
                libc::SIGFPE => "SIGFPE",
                libc::SIGILL => "SIGILL",
                _ => "signal",
            };
            format!("signal {sig}: {name}")
        }
        None => format!("exit code {}", status.code().unwrap_or(-1)),
    }
}

/// Why a worker whose pipe closed is gone: its exit status.
async fn exited(worker: &mut Worker) -> Lost {
    match worker.child.wait().await {
        Ok(status) => Lost::Died(status),
        Err(e) => Lost::Protocol(e.to_string()),
    }
}

/// Reads one line (0 at the end of the stream), refusing lines longer than MAX_ANSWER_BYTES.
async fn read_line(
    reader: &mut BufReader<ChildStdout>,
    out: &mut Vec<u8>,
) -> Result<usize, String> {
    let n = reader
        .take(MAX_ANSWER_BYTES as u64 + 1)
        .read_until(b'\n', out)
        .await
        .map_err(|e| e.to_string())?;
    if n > MAX_ANSWER_BYTES {
        return Err(format!("answer longer than {MAX_ANSWER_BYTES} bytes"));
    }
    Ok(n)
}

/// Resolves with the resident size once the process passes `cap` bytes, or presses against its
/// writable-memory limit: its allocations fail there, and a library that survives failed
/// allocations (pdfium skips a bitmap it cannot get) would otherwise spin below the cap until the
/// deadline.
async fn watch_memory(pid: Option<u32>, cap: u64, data_limit: Option<u64>) -> u64 {
    let Some(pid) = pid else {
        return std::future::pending().await;
    };
    let pressed = data_limit.map_or(u64::MAX, |l| l.saturating_sub(PRESSED_MB << 20));
    let mut tick = tokio::time::interval(WATCH_EVERY);
    loop {
        tick.tick().await;
        if let Some(m) = statm(pid) {
            if m.resident > cap || m.data >= pressed {
                return m.resident;
            }
        }
    }
}

/// A process's memory from /proc/<pid>/statm, in bytes.
struct Statm {
    resident: u64,
    /// Writable private memory and stack.
    data: u64,
}

fn statm(pid: u32) -> Option<Statm> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let mut fields = statm.split_whitespace();
    let pages = |f: Option<&str>| -> Option<u64> { f?.parse().ok() };
    let resident = pages(fields.nth(1))?;
    let data = pages(fields.nth(3))?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
    Some(Statm {
        resident: resident * page,
        data: data * page,
    })
}

/// A process's resident memory from /proc (statm's second field).
pub fn resident_bytes(pid: u32) -> Option<u64> {
    statm(pid).map(|m| m.resident)
}

/// The hard stop behind the resident-memory watch (which polls, and a runaway allocation outruns a
/// poll): the worker's writable private memory (RLIMIT_DATA: heap, anonymous mappings, and the
/// part of malloc's reserved arenas it makes writable) is capped at what it holds idle plus the
/// room its resident memory has to the cap, so an allocation past the cap fails in the worker at
/// once. The address space gets a looser cap beside it (reservations that are never resident).
/// Answers the data limit set.
fn tighten_limits(pid: u32, cap_mb: u64) -> Option<u64> {
    let vm = vm_sizes(pid)?;
    let room = (cap_mb << 20).saturating_sub(vm.rss);
    // Writable memory the worker holds but has not touched (malloc's freed tops, untouched
    // buffers) turns resident without raising its data size: the limit leaves it out of the room.
    let untouched = vm.data.saturating_sub(vm.rss_anon);
    let data_limit = (vm.data + room)
        .saturating_sub(untouched)
        .saturating_sub(LIBRARY_PAGES_MB << 20)
        .max(vm.data);
    tracing::debug!(
        pid,
        rss_mb = vm.rss >> 20,
        data_mb = vm.data >> 20,
        untouched_mb = untouched >> 20,
        data_limit_mb = data_limit >> 20,
        "worker limits"
    );
    for (resource, limit, what) in [
        (libc::RLIMIT_DATA, data_limit, "data"),
        (
            libc::RLIMIT_AS,
            vm.size + room + (ADDRESS_SPACE_MARGIN_MB << 20),
            "address space",
        ),
    ] {
        let rl = libc::rlimit {
            rlim_cur: limit,
            rlim_max: limit,
        };
        // SAFETY: prlimit on our own child with a valid struct.
        let rc = unsafe { libc::prlimit(pid as i32, resource, &rl, std::ptr::null_mut()) };
        if rc != 0 {
            tracing::warn!(error = %std::io::Error::last_os_error(), "could not cap a worker's {what}");
            if resource == libc::RLIMIT_DATA {
                return None;
            }
        }
    }
    Some(data_limit)
}

/// A process's memory from /proc/<pid>/status, in bytes.
struct VmSizes {
    size: u64,
    rss: u64,
    /// Resident anonymous memory (heap, stacks): what of `data` is touched.
    rss_anon: u64,
    data: u64,
}

fn vm_sizes(pid: u32) -> Option<VmSizes> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb << 10)
    };
    Some(VmSizes {
        size: field("VmSize:")?,
        rss: field("VmRSS:")?,
        rss_anon: field("RssAnon:")?,
        data: field("VmData:")?,
    })
}

async fn launch(settings: &WorkerSettings) -> anyhow::Result<Worker> {
    let address_space = STARTUP_ADDRESS_SPACE_MB << 20;
    let mut cmd = Command::new(&settings.program);
    cmd.arg("worker")
        .env(crate::openmp::VAR, "1")
        // glibc gives each thread its own 64 MB arena; two keep the address space near the use.
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    // SAFETY: only async-signal-safe calls (prctl, setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            // The worker dies with the service, however the service ends.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            let limit = libc::rlimit {
                rlim_cur: address_space,
                rlim_max: address_space,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {} worker: {e}", settings.program.display()))?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    stdin.write_all(&protocol::line(&settings.spec)).await?;
    stdin.flush().await?;
    let mut first = Vec::new();
    let read = tokio::time::timeout(START_TIMEOUT, read_line(&mut stdout, &mut first)).await;
    let ready: Ready = match read {
        Ok(Ok(n)) if n > 0 => serde_json::from_slice(&first)?,
        Ok(Ok(_)) => anyhow::bail!(
            "the worker exited while starting: {:?}",
            child.wait().await?
        ),
        Ok(Err(e)) => anyhow::bail!("the worker's first answer: {e}"),
        Err(_) => anyhow::bail!("the worker did not start within {START_TIMEOUT:?}"),
    };
    if !ready.ok {
        anyhow::bail!(
            "the worker's engine did not start: {}",
            ready.error.unwrap_or_default()
        );
    }
    let data_limit = child
        .id()
        .and_then(|pid| tighten_limits(pid, settings.memory_cap_mb));
    Ok(Worker {
        child,
        stdin,
        stdout,
        languages: Languages::parse_tesseract(&settings.spec.config.languages),
        data_limit,
    })
}
