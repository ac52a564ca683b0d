//! The plugin set of a run: the built-in plugins embedded in the binary at
//! build time, plus plugins the user adds by path. This is the one place
//! that knows which plugins exist; everything else works from their
//! [`PluginMeta`](crate::model::PluginMeta).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::error::UserError;
use crate::policy::Policy;
use crate::runtime::{LoadedPlugin, Runtime};

include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));

/// The names of the built-in plugins, in load order.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN_PLUGINS.iter().map(|(name, _)| *name)
}

/// Where the plugins of a run come from.
#[derive(Clone, Debug, Default)]
pub struct PluginSources {
    /// Load the built-in plugins.
    pub builtins: bool,
    /// Site-wide plugin directories: every `*.wasm` in them.
    pub dirs: Vec<PathBuf>,
    /// Plugins given on the command line.
    pub paths: Vec<PathBuf>,
    /// Plugins the policy lists: name, path and the sha256 they must have.
    pub pinned: Vec<Pinned>,
}

/// A plugin listed in the policy, pinned by digest.
#[derive(Clone, Debug)]
pub struct Pinned {
    pub name: String,
    pub path: PathBuf,
    pub sha256: Option<String>,
}

impl PluginSources {
    /// The plugins a policy lists, with paths relative to the policy file.
    pub fn pinned_by(policy: &Policy, policy_dir: &Path) -> Vec<Pinned> {
        policy
            .plugins
            .iter()
            .filter_map(|(name, settings)| {
                let path = settings.path.as_ref()?;
                Some(Pinned { name: name.clone(), path: policy_dir.join(path), sha256: settings.sha256.clone() })
            })
            .collect()
    }
}

/// The loaded plugins, in a stable order (built-ins, then added ones).
#[derive(Debug, Default)]
pub struct PluginSet {
    pub plugins: Vec<LoadedPlugin>,
}

impl PluginSet {
    /// Loads the plugins of `sources`: built-ins, plugin directories,
    /// command-line paths, then the policy's pinned plugins. A plugin that
    /// cannot be read or loaded, whose digest differs from its pin, or whose
    /// name or check ids clash with another's, is an error naming it.
    pub fn load(runtime: &Runtime, sources: &PluginSources) -> Result<PluginSet> {
        let mut set = PluginSet::default();
        if sources.builtins {
            for (name, bytes) in BUILTIN_PLUGINS {
                let plugin = runtime.load(bytes, &format!("builtin:{name}"))?;
                set.add(plugin)?;
            }
        }
        let mut paths = Vec::new();
        for dir in &sources.dirs {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| UserError::new(format!("cannot read plugin directory {}: {e}", dir.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "wasm") && p.is_file())
                .collect();
            found.sort();
            paths.extend(found);
        }
        paths.extend(sources.paths.iter().cloned());
        for path in &paths {
            let bytes = read(path)?;
            set.add(runtime.load(&bytes, &path.display().to_string()).map_err(|e| UserError::new(format!("{e:#}")))?)?;
        }
        for pinned in &sources.pinned {
            let bytes = read(&pinned.path)?;
            if let Some(expected) = &pinned.sha256 {
                let actual = hex::encode(Sha256::digest(&bytes));
                if actual != *expected {
                    return Err(UserError::new(format!(
                        "plugin `{}` at {} has sha256 {actual}, but the policy requires {expected}; refusing to load it",
                        pinned.name,
                        pinned.path.display()
                    ))
                    .into());
                }
            }
            let plugin = runtime
                .load(&bytes, &pinned.path.display().to_string())
                .map_err(|e| UserError::new(format!("{e:#}")))?;
            if plugin.meta.name != pinned.name {
                return Err(UserError::new(format!(
                    "plugin at {} calls itself `{}`, but the policy lists it as `{}`",
                    pinned.path.display(),
                    plugin.meta.name,
                    pinned.name
                ))
                .into());
            }
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

    /// Declares the policy's `[[rules]]` as checks of the `rules` plugin, if
    /// it is loaded (without it they do not run, like the checks of any
    /// built-in plugin left out).
    pub fn declare_rules(&mut self, policy: &Policy) {
        if let Some(plugin) = self.plugins.iter_mut().find(|p| p.meta.name == crate::policy::rules::PLUGIN) {
            plugin.meta.checks.extend(policy.rules.iter().map(|rule| rule.meta.clone()));
        }
    }

    /// Built-in plugins not loaded in this set (left out with --no-builtin).
    pub fn absent_builtins(&self) -> Vec<&'static str> {
        builtin_names().filter(|name| !self.plugins.iter().any(|p| p.meta.name == *name)).collect()
    }

    /// Every check of the loaded plugins.
    pub fn checks(&self) -> Vec<crate::model::CheckMeta> {
        self.plugins.iter().flat_map(|p| p.meta.checks.iter().cloned()).collect()
    }

    /// The plugin providing check `id`.
    pub fn owner_of(&self, id: &str) -> Option<&LoadedPlugin> {
        self.plugins.iter().find(|p| p.meta.checks.iter().any(|c| c.id == id))
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| UserError::new(format!("cannot read plugin {}: {e}", path.display())).into())
}
