//! jixiao files: readers that turn .txt/.docx/.xlsx/.xls/.html and flattened text into a
//! [`Sheet`], recognisers that turn a sheet into forms, and (later) export writers.

pub mod error;
pub mod sheet;
pub mod text;

pub use error::ImportError;
pub use sheet::{Cell, Row, Sheet};
