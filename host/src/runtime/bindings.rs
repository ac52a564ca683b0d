//! Host bindings generated from `sdk/wit/plugin.wit`, the one contract.

wasmtime::component::bindgen!({
    path: "../sdk/wit",
    world: "plugin",
});
