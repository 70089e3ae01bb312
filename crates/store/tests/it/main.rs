//! The integration tests of jixiao-store, one test binary (one link) for all of them;
//! each module is one area, as the separate files were.

mod conformance;
mod usage;
