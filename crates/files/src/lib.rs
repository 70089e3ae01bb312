//! jixiao files: readers that turn .txt/.docx/.xlsx/.xls/.html and flattened text into a
//! [`Sheet`], recognisers that turn a sheet into forms, and export writers over one table model.

pub mod error;
pub mod export;
pub mod import;
pub mod limits;
pub mod read;
pub mod recognise;
pub mod sanitize;
pub mod sheet;

pub use error::ImportError;
pub use sheet::{Cell, Row, Sheet};
