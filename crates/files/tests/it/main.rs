//! The integration tests of jixiao-files, one test binary (one link) for all of them;
//! each module is one area, as the separate files were.

mod binary_fixtures;
#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod export_print;
mod fuzz_import;
mod hostile_text;
mod limits;
mod mutations;
mod readers;
