//! jixiao domain: the form model, exact money, indicator values, the calculation-basis
//! engine, region profiles and the rule engine. Pure: no I/O, no async.

pub mod calc;
pub mod finding;
pub mod labels;
pub mod library;
pub mod model;
pub mod money;
pub mod prefill;
pub mod profile;
pub mod report;
pub mod review;
pub mod rules;
pub mod scoring;
pub mod text;
pub mod totals;
pub mod value;
pub mod vocabulary;

pub use finding::{Finding, Location, Severity};
pub use model::*;
pub use money::{Money, MoneyError, MoneyUnit};
pub use profile::Profile;
pub use report::*;
pub use value::{Comparator, IndicatorValue};
