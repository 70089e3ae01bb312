//! The integration tests of jixiao-domain, one test binary (one link) for all of them;
//! each module is one area, as the separate files were.

mod calc_corpus;
mod library;
mod reports;
mod rules;
mod scoring_props;
