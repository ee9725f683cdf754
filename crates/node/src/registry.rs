//! The module registry: the one table of the modules this build can run. A chain config lists
//! the ones it uses, by name; adding a module to the build is one line here.

use std::sync::Arc;

use pillar_runtime::Module;

/// A module's name and constructor.
pub type ModuleEntry = (&'static str, fn() -> Arc<dyn Module>);

/// Every module this build has, in the order `pillar schema --all` lists them.
pub const MODULES: &[ModuleEntry] = &[
    ("accounts", || Arc::new(pillar_accounts::Accounts)),
    ("assets", || Arc::new(pillar_assets::Assets)),
    ("bridge", || Arc::new(pillar_bridge::Bridge)),
    ("compliance", || Arc::new(pillar_compliance::Compliance)),
    ("sessions", || Arc::new(pillar_sessions::Sessions)),
    ("agents", || Arc::new(pillar_agents::Agents)),
    ("items", || Arc::new(pillar_items::Items)),
];

/// The module called `name`, if this build has it.
pub fn module(name: &str) -> Option<Arc<dyn Module>> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, make)| make())
}

/// The names of every module this build has.
pub fn module_names() -> Vec<&'static str> {
    MODULES.iter().map(|(n, _)| *n).collect()
}
