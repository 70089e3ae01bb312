//! Support shared by the integration tests: renderers (sheet → .docx/.xlsx) and the seed.
#![allow(dead_code)]

pub mod binary;
pub mod render;
pub mod seed;
