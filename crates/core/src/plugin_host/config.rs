//! The configuration file: `[[plugin]]` paths, `[plugins.NAME]` options
//! and `[plugins.NAME.weights]`, the weights of plugin kinds.

#![allow(unsafe_code)]

use super::{PluginError, PluginInfo};
use crate::score::{Label, Weights};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};


/// The weight of one plugin kind for one label, from
/// `[plugins.NAME.weights]`.
#[derive(Debug, Clone, PartialEq)]
pub struct KindWeight {
    /// The plugin's name.
    pub plugin: String,
    /// `solution`, `need` or `commercial`.
    pub label: Label,
    /// The signal kind.
    pub kind: String,
    /// Its weight in the label's score.
    pub weight: f32,
}

/// The plugin part of a leadminer configuration file (TOML):
///
/// ```toml
/// # Libraries to load; relative paths are relative to this file.
/// [[plugin]]
/// path = "plugins/libpatient_innovation.so"
///
/// # The plugin's own options, passed to it as TOML text (without
/// # `weights`).
/// [plugins.patient-innovation]
/// extra_devices = ["omnipod"]
///
/// # How its kinds count in the scores: label -> kind -> weight.
/// [plugins.patient-innovation.weights]
/// solution = { patient_innovation = 2.0 }
/// need = { patient_need = 1.5 }
/// ```
///
/// Other top-level keys are ignored: they belong to other parts of
/// leadminer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginConfig {
    /// The configuration file, if one was read.
    pub file: Option<PathBuf>,
    /// `[[plugin]]` paths, resolved against the file's folder.
    pub paths: Vec<PathBuf>,
    /// Each plugin's options as TOML text, by plugin name.
    pub options: BTreeMap<String, String>,
    /// Weights of plugin kinds.
    pub weights: Vec<KindWeight>,
}

impl PluginConfig {
    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<PluginConfig, PluginError> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| PluginError::Config { path: path.to_path_buf(), message: format!("cannot read: {e}") })?;
        PluginConfig::parse(&src, Some(path))
    }

    /// Parses configuration text; `file` resolves relative paths and names
    /// the file in errors.
    pub fn parse(src: &str, file: Option<&Path>) -> Result<PluginConfig, PluginError> {
        let name = file.map_or_else(|| PathBuf::from("<config>"), Path::to_path_buf);
        let err = |message: String| PluginError::Config { path: name.clone(), message };
        let doc: toml::Table = src.parse().map_err(|e: toml::de::Error| err(e.to_string().trim_end().to_string()))?;
        let base = file.and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
        let mut config = PluginConfig { file: file.map(Path::to_path_buf), ..PluginConfig::default() };
        if let Some(list) = doc.get("plugin") {
            let list = list.as_array().ok_or_else(|| err("`plugin` must be an array of tables: [[plugin]]".into()))?;
            for (i, entry) in list.iter().enumerate() {
                let table = entry.as_table().ok_or_else(|| err(format!("[[plugin]] #{}: not a table", i + 1)))?;
                if let Some(key) = table.keys().find(|k| *k != "path") {
                    return Err(err(format!("[[plugin]] #{}: unknown key `{key}` (expected `path`)", i + 1)));
                }
                let path = table
                    .get("path")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| err(format!("[[plugin]] #{}: `path` must be a string", i + 1)))?;
                config.paths.push(base.join(path));
            }
        }
        if let Some(plugins) = doc.get("plugins") {
            let plugins = plugins.as_table().ok_or_else(|| err("`plugins` must be a table".into()))?;
            for (plugin, table) in plugins {
                let mut table =
                    table.as_table().cloned().ok_or_else(|| err(format!("[plugins.{plugin}] must be a table")))?;
                if let Some(weights) = table.remove("weights") {
                    config.weights.extend(parse_weights(plugin, &weights).map_err(&err)?);
                }
                let options = toml::to_string(&table).map_err(|e| err(format!("[plugins.{plugin}]: {e}")))?;
                config.options.insert(plugin.clone(), options);
            }
        }
        Ok(config)
    }

    /// The options of a plugin as TOML text: empty when it has none.
    pub fn options_for(&self, plugin: &str) -> &str {
        self.options.get(plugin).map_or("", String::as_str)
    }

    /// Adds the configured weights of plugin kinds to `weights`, replacing
    /// weights of the same kinds.
    pub fn apply_weights(&self, weights: &mut Weights) {
        for w in &self.weights {
            // Labels are checked when the configuration is parsed.
            weights.set_kind(w.label, &w.kind, w.weight);
        }
    }

    /// Checks the configuration against the loaded plugins: every
    /// `[plugins.NAME]` names a loaded plugin, and every weighted kind is
    /// one its plugin emits.
    pub(super) fn check(&self, loaded: &[PluginInfo]) -> Result<(), PluginError> {
        let err = |message: String| PluginError::Config {
            path: self.file.clone().unwrap_or_else(|| PathBuf::from("<config>")),
            message,
        };
        let names: Vec<&str> = loaded.iter().map(|p| p.name.as_str()).collect();
        let loaded_list = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        let names_in_config = self.options.keys().chain(self.weights.iter().map(|w| &w.plugin));
        for name in names_in_config {
            if !names.contains(&name.as_str()) {
                return Err(err(format!(
                    "[plugins.{name}]: no loaded plugin is named '{name}' (loaded: {loaded_list})"
                )));
            }
        }
        for w in &self.weights {
            if let Some(p) = loaded.iter().find(|p| p.name == w.plugin) {
                if !p.kinds.contains(&w.kind) {
                    return Err(err(format!(
                        "[plugins.{}.weights.{}]: plugin '{}' does not emit kind '{}' (it emits: {})",
                        w.plugin,
                        w.label,
                        w.plugin,
                        w.kind,
                        p.kinds.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }
}

fn parse_weights(plugin: &str, value: &toml::Value) -> Result<Vec<KindWeight>, String> {
    let at = format!("[plugins.{plugin}.weights]");
    let labels = value.as_table().ok_or_else(|| format!("{at} must be a table"))?;
    let mut out = Vec::new();
    for (name, kinds) in labels {
        let Some(label) = Label::from_name(name).filter(|l| !l.is_derived()) else {
            let weighed: Vec<&str> = Label::ALL.iter().filter(|l| !l.is_derived()).map(|l| l.name()).collect();
            return Err(format!("{at}: unknown label `{name}` (expected one of {})", weighed.join(", ")));
        };
        let kinds = kinds.as_table().ok_or_else(|| format!("{at}: `{label}` must be a table of kind = weight"))?;
        for (kind, weight) in kinds {
            let weight = match weight {
                toml::Value::Float(f) => *f as f32,
                toml::Value::Integer(i) => *i as f32,
                _ => return Err(format!("{at}: {label}.{kind} must be a number")),
            };
            if !weight.is_finite() {
                return Err(format!("{at}: {label}.{kind} must be finite"));
            }
            out.push(KindWeight { plugin: plugin.to_string(), label, kind: kind.clone(), weight });
        }
    }
    Ok(out)
}


#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn config_parses_paths_options_and_weights() {
        let src = r#"
            other = "ignored"
            [[plugin]]
            path = "libs/libx.so"
            [plugins.x]
            level = 2
            names = ["a", "b"]
            [plugins.x.weights]
            solution = { x_kind = 2.0 }
            need.x_need = 1
        "#;
        let c = PluginConfig::parse(src, Some(Path::new("/etc/lm/config.toml"))).expect("parses");
        assert_eq!(c.paths, [PathBuf::from("/etc/lm/libs/libx.so")]);
        let options: toml::Table = c.options_for("x").parse().expect("options are TOML");
        assert_eq!(options.len(), 2, "weights are not passed on: {options:?}");
        assert_eq!(options["level"].as_integer(), Some(2));
        assert_eq!(c.options_for("y"), "");
        assert_eq!(c.weights.len(), 2);
        let mut w = Weights::builtin();
        c.apply_weights(&mut w);
        assert_eq!(w.label(Label::Solution).and_then(|l| l.kinds.get("x_kind")), Some(&2.0));
        assert_eq!(w.label(Label::Need).and_then(|l| l.kinds.get("x_need")), Some(&1.0));
    }

    #[test]
    fn config_errors() {
        for (src, why) in [
            ("plugin = 1", "array of tables"),
            ("[[plugin]]\npath = 3", "`path` must be a string"),
            ("[[plugin]]\npath = 'a'\nname = 'b'", "unknown key `name`"),
            ("[plugins.x.weights]\nscore = { k = 1.0 }", "unknown label `score`"),
            ("[plugins.x.weights]\nsolution = { k = 'high' }", "must be a number"),
            ("[plugins.x.weights]\nsolution = { k = nan }", "must be finite"),
            ("[plugins\n", "<config>"),
        ] {
            let e = PluginConfig::parse(src, None).expect_err(src).to_string();
            assert!(e.contains(why), "{src}: {e}");
        }
    }

    #[test]
    fn config_is_checked_against_loaded_plugins() {
        let info = PluginInfo {
            path: "/p/libx.so".into(),
            name: "x".into(),
            version: "1".into(),
            abi_version: crate::plugin_host::ABI_VERSION,
            struct_size: 0,
            kinds: vec!["x_kind".into()],
            triggers: None,
        };
        let ok = PluginConfig::parse("[plugins.x.weights]\nsolution.x_kind = 1.5", None).expect("parses");
        assert_eq!(ok.check(std::slice::from_ref(&info)), Ok(()));
        let other = PluginConfig::parse("[plugins.y]\na = 1", None).expect("parses");
        let e = other.check(std::slice::from_ref(&info)).expect_err("unknown plugin").to_string();
        assert!(e.contains("no loaded plugin is named 'y' (loaded: x)"), "{e}");
        let kind = PluginConfig::parse("[plugins.x.weights]\nsolution.nope = 1.5", None).expect("parses");
        let e = kind.check(&[info]).expect_err("unknown kind").to_string();
        assert!(e.contains("does not emit kind 'nope' (it emits: x_kind)"), "{e}");
    }
}
