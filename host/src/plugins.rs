//! The plugin set of a run: the built-in plugins embedded in the binary at
//! build time, plus plugins the user adds by path. This is the one place
//! that knows which plugins exist; everything else works from their
//! [`PluginMeta`](crate::model::PluginMeta).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use crate::cli::UserError;
use crate::runtime::{LoadedPlugin, Runtime};

include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));

/// The names of the built-in plugins, in load order.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN_PLUGINS.iter().map(|(name, _)| *name)
}

/// The loaded plugins, in a stable order (built-ins, then added ones).
#[derive(Debug, Default)]
pub struct PluginSet {
    pub plugins: Vec<LoadedPlugin>,
}

impl PluginSet {
    /// Loads the built-in plugins (unless `builtins` is false) and the
    /// plugins at `extra`. A plugin that cannot be loaded, or whose name or
    /// check ids clash with another's, is an error naming it.
    pub fn load(runtime: &Runtime, builtins: bool, extra: &[impl AsRef<Path>]) -> Result<PluginSet> {
        let mut set = PluginSet::default();
        if builtins {
            for (name, bytes) in BUILTIN_PLUGINS {
                let plugin = runtime.load(bytes, &format!("builtin:{name}"))?;
                set.add(plugin)?;
            }
        }
        for path in extra {
            let path = path.as_ref();
            let bytes = std::fs::read(path)
                .map_err(|e| UserError::new(format!("cannot read plugin {}: {e}", path.display())))?;
            let plugin =
                runtime.load(&bytes, &path.display().to_string()).map_err(|e| UserError::new(format!("{e:#}")))?;
            set.add(plugin)?;
        }
        Ok(set)
    }

    fn add(&mut self, plugin: LoadedPlugin) -> Result<()> {
        let mut owners: HashMap<&str, &LoadedPlugin> = HashMap::new();
        for existing in &self.plugins {
            if existing.meta.name == plugin.meta.name {
                return Err(UserError::new(format!(
                    "plugin {} is named `{}`, like the already loaded {}",
                    plugin.origin, plugin.meta.name, existing.origin
                ))
                .into());
            }
            for check in &existing.meta.checks {
                owners.insert(&check.id, existing);
            }
        }
        for check in &plugin.meta.checks {
            if let Some(owner) = owners.get(check.id.as_str()) {
                return Err(UserError::new(format!(
                    "plugin {} declares check `{}`, already provided by {}",
                    plugin.origin, check.id, owner.origin
                ))
                .into());
            }
        }
        self.plugins.push(plugin);
        Ok(())
    }

    /// The plugin providing check `id`.
    pub fn owner_of(&self, id: &str) -> Option<&LoadedPlugin> {
        self.plugins.iter().find(|p| p.meta.checks.iter().any(|c| c.id == id))
    }
}
