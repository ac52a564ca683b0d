//! fledge: decides when an inner-source project is ready to become public
//! open source. See `docs/ARCHITECTURE.md` for the map of this crate.

pub mod check;
pub mod cli;
pub mod git;
pub mod model;
pub mod plugins;
pub mod policy;
pub mod report;
pub mod runtime;
pub mod scaffold;
pub mod scoring;
pub mod trial;
pub mod verdict;
