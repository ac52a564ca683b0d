//! The integration tests: the real `fledge` binary on fixture repositories
//! built with git2 in each test. One test binary, with a module per topic.

#![allow(clippy::disallowed_macros)] // test and benchmark code reports on stdout and stderr
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod acquire;
mod authoring;
mod cli;
mod completeness;
mod compliance;
mod deploy;
mod hygiene;
mod policy;
mod publish;
mod sandbox;
mod scan;
mod tidy;
mod trust;
mod util;
