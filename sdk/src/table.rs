//! The check table: each check's metadata paired with the function that
//! evaluates it, so that a check id is written once and dispatch derives
//! from the table.

use crate::{Check, CheckMeta, CheckResult, PluginMeta, Result};

/// Evaluates one check. Plugins that keep shared work in `self` take it
/// as `&mut self`; a free function fits through a closure:
/// `|_, check| readme(check.repo())`.
pub type Handler<P> = fn(&mut P, &Check<'_>) -> Result<CheckResult>;

/// A plugin's description and its checks, each with its handler.
///
/// ```
/// use fledge_sdk::prelude::*;
///
/// #[derive(Default)]
/// struct Acme;
///
/// let table = CheckTable::<Acme>::new(PluginMeta::new("acme", "1.0.0"))
///     .category("license")
///     .check(CheckMeta::new("acme.notice", "A NOTICE file"), |_, check| {
///         Ok(CheckResult::pass(format!("{} files", check.repo().files()?.count())))
///     })
///     .check(CheckMeta::new("acme.speed", "Fast builds").category("quality"), |_, _| {
///         Ok(CheckResult::skip("not measured"))
///     });
/// let categories: Vec<&str> = table.meta().checks.iter().map(|c| c.category.as_str()).collect();
/// assert_eq!(categories, ["license", "quality"]);
/// assert!(table.handler("acme.notice").is_some());
/// assert!(table.handler("acme.other").is_none());
/// ```
pub struct CheckTable<P> {
    meta: PluginMeta,
    category: String,
    handlers: Vec<Handler<P>>,
    fallback: Option<Handler<P>>,
}

impl<P> CheckTable<P> {
    /// A table with no checks yet; its checks are added to `meta.checks`.
    /// Name the plugin type (`CheckTable::<Self>::new`) so that handlers
    /// that call the plugin's methods type-check.
    pub fn new(meta: PluginMeta) -> Self {
        CheckTable { meta, category: "quality".to_owned(), handlers: Vec::new(), fallback: None }
    }

    /// The category of the checks added after this call that do not set
    /// their own (`quality` until set).
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = category.into();
        self
    }

    /// Adds a check and its handler.
    pub fn check(mut self, mut meta: CheckMeta, handler: Handler<P>) -> Self {
        if meta.category.is_empty() {
            meta.category.clone_from(&self.category);
        }
        self.meta.checks.push(meta);
        self.handlers.push(handler);
        self
    }

    /// The plugin and its checks, as `describe` reports them.
    pub fn meta(&self) -> &PluginMeta {
        &self.meta
    }

    /// The plugin and its checks, without the handlers.
    pub fn into_meta(self) -> PluginMeta {
        self.meta
    }

    /// Sets the handler of every requested check of the plugin that the
    /// table does not list: for a plugin whose checks the host declares on
    /// its behalf (the built-in `rules` plugin runs the policy's `[[rules]]`
    /// as `rules.<id>`). Plugins with a fixed set of checks do not need it.
    pub fn fallback(mut self, handler: Handler<P>) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// The handler of check `id`.
    pub fn handler(&self, id: &str) -> Option<Handler<P>> {
        match self.meta.checks.iter().position(|c| c.id == id) {
            Some(index) => self.handlers.get(index).copied(),
            None => {
                self.fallback.filter(|_| id.strip_prefix(self.meta.name.as_str()).is_some_and(|r| r.starts_with('.')))
            }
        }
    }
}
