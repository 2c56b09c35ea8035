//! The maintainer tasks behind `cargo xtask`, as a library so tests can call them.
//!
//! - [`codegen`]: rewrite (or check) every generated file from `spec/`.
//! - `import-manual` is [`coufun_import::run`], called from `main.rs`.

pub mod codegen;
