//! fledge: decides when an inner-source project is ready to become public
//! open source. See `docs/ARCHITECTURE.md` for the map of this crate.

pub mod attest;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod error;
pub mod git;
pub mod located;
pub mod model;
pub mod plugins;
pub mod policy;
pub mod publish;
pub mod report;
pub mod runtime;
pub mod scaffold;
pub mod scan;
pub mod scoring;
pub mod store;
pub mod text;
pub mod trends;
pub mod trial;
pub mod verdict;
