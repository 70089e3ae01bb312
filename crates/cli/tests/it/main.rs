//! The integration tests of jixiao-cli, one test binary (one link) for all of them;
//! each module is one area, as the separate files were.

mod accounts;
mod admin;
mod cli;
mod config;
mod crash;
mod export;
mod library;
mod serve;
