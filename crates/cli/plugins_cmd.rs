//! `leadminer plugins`: list the analyzer plugins a command would load, and
//! inspect a plugin library.

use anyhow::Result;
use clap::{Args, Subcommand};
use leadminer_core::plugin_host::{self, PluginInfo, PLUGIN_PATH_ENV};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer plugins`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer plugins list --plugin target/release/libmaker_hardware.so\n      What scan would load, from where\n  leadminer plugins info target/release/libmaker_hardware.so\n      What one library declares")]
pub struct PluginsArgs {
    #[command(subcommand)]
    command: PluginsCommand,
}

#[derive(Subcommand, Debug)]
enum PluginsCommand {
    /// Load the plugins `scan` would load — from --plugin, the folders of
    /// LEADMINER_PLUGIN_PATH and the [[plugin]] entries of --config — and
    /// show where each came from, its name, version, ABI version and kinds.
    List(ListArgs),
    /// Check one plugin library and show what it declares, without
    /// configuring it.
    Info(InfoArgs),
}

#[derive(Args, Debug)]
struct ListArgs {
    /// A plugin library to load, or a folder of them (repeatable).
    #[arg(long = "plugin", value_name = "PATH")]
    plugins: Vec<PathBuf>,

    /// A configuration file with [[plugin]] entries, [plugins.NAME]
    /// options and [plugins.NAME.weights] (see docs/PLUGINS.md).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct InfoArgs {
    /// The plugin library (.so, .dylib).
    #[arg(value_name = "PATH")]
    path: PathBuf,

    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `leadminer plugins`.
pub fn run(args: PluginsArgs) -> Result<ExitCode> {
    match args.command {
        PluginsCommand::List(a) => list(a),
        PluginsCommand::Info(a) => info(a),
    }
}

fn list(args: ListArgs) -> Result<ExitCode> {
    let env = std::env::var_os(PLUGIN_PATH_ENV);
    let loaded = plugin_host::load_plugins(&args.plugins, env.as_deref(), args.config.as_deref())?;
    if args.json {
        let plugins: Vec<serde_json::Value> = loaded
            .plugins
            .iter()
            .map(|(source, p)| {
                let info = p.info();
                let weights: Vec<serde_json::Value> = loaded
                    .config
                    .weights
                    .iter()
                    .filter(|w| w.plugin == info.name)
                    .map(|w| json!({"label": w.label, "kind": w.kind, "weight": w.weight}))
                    .collect();
                let mut v = info_json(info);
                v["origin"] = json!(source.origin.to_string());
                v["options"] = json!(loaded.config.options_for(&info.name));
                v["weights"] = json!(weights);
                v
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json!({ "plugins": plugins }))?);
        return Ok(ExitCode::SUCCESS);
    }
    if loaded.plugins.is_empty() {
        println!("no plugins (load some with --plugin PATH, {PLUGIN_PATH_ENV}=DIR:DIR or [[plugin]] in --config)");
        return Ok(ExitCode::SUCCESS);
    }
    for (source, p) in &loaded.plugins {
        let info = p.info();
        println!("{} {} (ABI {})", info.name, info.version, info.abi_version);
        println!("  path      {}", info.path.display());
        println!("  from      {}", source.origin);
        println!("  kinds     {}", info.kinds.join(", "));
        println!("  triggers  {}", triggers_summary(info));
        let options = loaded.config.options_for(&info.name);
        if !options.is_empty() {
            println!("  options   {}", options.trim_end().replace('\n', "; "));
        }
        for w in loaded.config.weights.iter().filter(|w| w.plugin == info.name) {
            println!("  weight    {}.{} = {}", w.label, w.kind, w.weight);
        }
    }
    let n = loaded.plugins.len();
    println!("{n} plugin{} loaded", if n == 1 { "" } else { "s" });
    Ok(ExitCode::SUCCESS)
}

fn info(args: InfoArgs) -> Result<ExitCode> {
    let info = plugin_host::inspect(&args.path)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info_json(&info))?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("name         {}", info.name);
    println!("version      {}", info.version);
    println!("abi version  {} (this leadminer: {})", info.abi_version, plugin_host::ABI_VERSION);
    println!("descriptor   {} bytes", info.struct_size);
    println!("path         {}", info.path.display());
    println!("kinds        {}", info.kinds.join(", "));
    match &info.triggers {
        Some(t) if !t.is_empty() => println!("triggers     {}", t.join(", ")),
        _ => println!("triggers     {}", triggers_summary(&info)),
    }
    Ok(ExitCode::SUCCESS)
}

fn triggers_summary(info: &PluginInfo) -> String {
    match &info.triggers {
        None => "none (analyzes every post)".to_string(),
        Some(t) if t.is_empty() => "none of its own (runs on posts other analyzers select)".to_string(),
        Some(t) => format!("{} (runs on posts containing one)", t.len()),
    }
}

fn info_json(info: &PluginInfo) -> serde_json::Value {
    json!({
        "name": info.name,
        "version": info.version,
        "abi_version": info.abi_version,
        "struct_size": info.struct_size,
        "path": info.path.display().to_string(),
        "kinds": info.kinds,
        "triggers": info.triggers,
    })
}
