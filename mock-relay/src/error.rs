//! Errors of the mock relay: a script that cannot be run, and I/O.

/// Why a relay could not be started or a script not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockRelayError {
    /// The script is not valid JSON for [`crate::Script`].
    #[error("invalid mock relay script: {0}")]
    Script(String),
    /// A preloaded `{"event": ...}` does not verify (use `{"raw": ...}` for
    /// forgeries).
    #[error("preloaded event {index} of relay `{relay}` does not verify: {reason}")]
    PreloadEvent {
        /// The relay's name.
        relay: String,
        /// Position in `preload`.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A limit of the script is unusable (for example zero).
    #[error("relay `{relay}`: {reason}")]
    Limits {
        /// The relay's name.
        relay: String,
        /// What is wrong.
        reason: String,
    },
    /// Reading a script file failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Binding the listener failed.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(std::io::Error),
}

impl MockRelayError {
    /// A stable code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Script(_) => "script-invalid",
            Self::PreloadEvent { .. } => "script-preload",
            Self::Limits { .. } => "script-limits",
            Self::Read { .. } => "script-read",
            Self::Bind(_) => "bind",
        }
    }
}
