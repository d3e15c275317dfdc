//! closeout: explore CAVRA final closeout evidence, evaluate the release criteria, explain the verdict.
//!
//! The domain ([`evidence`], [`health`]) knows nothing of terminals; [`report`] renders a [`health::Report`]
//! for `closeout check`, and the TUI reads the same report.

pub mod cli;
pub mod evidence;
pub mod health;
pub mod report;
pub mod samples;
pub mod sanitize;
pub mod time;
