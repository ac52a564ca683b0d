//! The code generated from `wit/plugin.wit`, the one contract between fledge
//! and its plugins. Plugin authors do not use it directly: the crate's own
//! types and [`export_plugin!`](crate::export_plugin) sit on top of it.

#![allow(missing_docs, unsafe_code, unused_qualifications, clippy::all)]

wit_bindgen::generate!({
    path: "wit",
    world: "plugin",
    pub_export_macro: true,
    default_bindings_module: "fledge_sdk::bindings",
    export_macro_name: "export",
});
