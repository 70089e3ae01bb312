//! Format readers: bytes of a .docx, .xlsx/.xls, .html or text file → a [`Sheet`](crate::Sheet),
//! the one shape the recognisers read. The format is detected by content (`sniff`), never by
//! the file name; every reader is bounded by [`Limits`](crate::limits::Limits).

pub mod docx;
pub mod flat;
pub mod html;
pub mod sniff;
pub mod text;
pub mod xlsx;
pub mod zipsafe;
