//! The typed closeout chain: CAVRA's artifacts decoded once from either data model ([`artifacts`]), their
//! states as enums ([`state`]), and the chain of one release joined by id ([`chain`]). The rules that judge
//! the chain live in `health`; this module only says what the evidence holds and how it links.

pub mod artifacts;
pub mod chain;
pub mod state;

pub use artifacts::*;
pub use chain::{Chain, Member, Release, RetryCase, Scope};
pub use state::*;
