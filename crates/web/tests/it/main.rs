//! The integration tests of jixiao-web, one test binary (one link) for all of them;
//! each module is one area, as the separate files were.

mod admin;
mod api;
mod browser;
mod common;
mod editor;
mod hardening;
mod instances;
mod library;
mod limits;
mod public;
mod reports;
mod serve;
mod ui;
