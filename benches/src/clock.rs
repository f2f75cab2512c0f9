//! The clock the benches measure with: wall time, criterion's default, or the
//! CPU time of the measuring thread.
//!
//! `OPENSLOTS_BENCH_CLOCK=cpu` selects the thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`, Linux only). On a machine shared with other
//! work, a wall-clock sample includes every time slice the scheduler gave to
//! another process, and a burst of load during one side of a comparison
//! shows up as a ratio the next run does not reproduce; the thread's CPU
//! time leaves those slices out. It still includes what sharing does to the
//! caches, and on one idle core both clocks agree. Every bench is
//! single-threaded, so the thread's CPU time is all the work measured.
//! Any other value, or none, measures wall time.

use std::time::{Duration, Instant};

use criterion::Criterion;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// The environment variable that selects the clock.
pub const CLOCK_VAR: &str = "OPENSLOTS_BENCH_CLOCK";

/// A criterion [`Measurement`] of durations, on the wall clock or on the
/// measuring thread's CPU clock (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    cpu: bool,
}

/// Criterion's wall clock, for its formatting of durations.
static WALL: WallTime = WallTime;

/// A reading of a [`Clock`], taken when a sample starts.
#[derive(Debug, Clone, Copy)]
pub enum Reading {
    /// The wall clock.
    Wall(Instant),
    /// The thread's CPU time since it started.
    Cpu(Duration),
}

impl Clock {
    /// The wall clock.
    pub const fn wall() -> Self {
        Self { cpu: false }
    }

    /// The clock `OPENSLOTS_BENCH_CLOCK` selects: `cpu` for the thread's CPU
    /// time where the platform has it, else the wall clock. Says on stderr
    /// which one it measures with.
    pub fn from_env() -> Self {
        let wanted = std::env::var(CLOCK_VAR).is_ok_and(|v| v == "cpu");
        let cpu = wanted && thread_cpu_time().is_some();
        if wanted && !cpu {
            eprintln!("{CLOCK_VAR}=cpu: no thread CPU clock on this platform; measuring wall time");
        } else if cpu {
            eprintln!("{CLOCK_VAR}=cpu: measuring the thread's CPU time");
        }
        Self { cpu }
    }

    /// Whether this clock reads the thread's CPU time.
    pub const fn is_cpu(&self) -> bool {
        self.cpu
    }

    fn read(&self) -> Reading {
        match (self.cpu, thread_cpu_time()) {
            (true, Some(t)) => Reading::Cpu(t),
            _ => Reading::Wall(Instant::now()),
        }
    }
}

/// The CPU time the calling thread has used.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn thread_cpu_time() -> Option<Duration> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let secs = u64::try_from(t.tv_sec).ok()?;
    let nanos = u32::try_from(t.tv_nsec).ok()?;
    Some(Duration::new(secs, nanos))
}

/// The CPU time the calling thread has used: not available here.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn thread_cpu_time() -> Option<Duration> {
    None
}

impl Measurement for Clock {
    type Intermediate = Reading;
    type Value = Duration;

    fn start(&self) -> Reading {
        self.read()
    }

    fn end(&self, start: Reading) -> Duration {
        match start {
            Reading::Wall(t) => t.elapsed(),
            Reading::Cpu(t) => thread_cpu_time()
                .and_then(|now| now.checked_sub(t))
                .unwrap_or_default(),
        }
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        a.saturating_add(*b)
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Durations either way: criterion's own formatting of times.
        WALL.formatter()
    }
}

/// The criterion configuration every bench starts from: the defaults, on the
/// clock `OPENSLOTS_BENCH_CLOCK` selects.
pub fn criterion() -> Criterion<Clock> {
    Criterion::default().with_measurement(Clock::from_env())
}
