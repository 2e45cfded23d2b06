//! The core's modules import each other one way only: no cycle between the
//! top-level modules (`read`, `text`, `analyze`, `score`, ...), nor between
//! the modules inside one folder. Imports are read from the sources
//! (`use crate::..`, `use super::..` and `crate::..` paths in code; comments
//! and unit tests left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path: `["analyze", "rules", "engine"]`.
type Module = Vec<String>;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a source file defines, and whether it is a folder's `mod.rs`.
fn module_of(root: &Path, file: &Path) -> (Module, bool) {
    let rel = file.strip_prefix(root).expect("under the root").with_extension("");
    let mut parts: Module = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let is_mod = matches!(parts.last().map(String::as_str), Some("mod" | "lib"));
    if is_mod {
        parts.pop();
    }
    (parts, is_mod)
}

/// The code of a file without comments and without its unit tests.
fn code(src: &str) -> String {
    let src = src.split("#[cfg(test)]").next().unwrap_or(src);
    src.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.split(" // ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: `crate::a::b` and `super::c`, each group
/// `{x, y}` expanded one level.
fn paths(module: &Module, is_mod: bool, code: &str) -> Vec<Module> {
    let parent: Module = if is_mod { module.clone() } else { module[..module.len().saturating_sub(1)].to_vec() };
    let super_base: Module = if is_mod { parent[..parent.len().saturating_sub(1)].to_vec() } else { parent.clone() };
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", super_base)] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            let mut path = base.clone();
            path.extend(rest[..end].split("::").filter(|s| !s.is_empty()).map(str::to_string));
            if rest[end..].starts_with('{') {
                let group = &rest[end + 1..rest[end..].find('}').map_or(rest.len(), |i| end + i)];
                for item in group.split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").trim();
                    let mut p = path.clone();
                    if !first.is_empty() && first != "self" {
                        p.push(first.to_string());
                    }
                    out.push(p);
                }
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The longest prefix of `path` that is a module.
fn resolve(modules: &BTreeSet<Module>, path: &Module) -> Option<Module> {
    (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p))
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        node: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        state: &mut BTreeMap<Module, u8>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next) {
                Some(1) => {
                    let from = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut found = stack[from..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(_) => {}
                None => {
                    if let Some(found) = visit(next, graph, state, stack) {
                        return Some(found);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node) {
            if let Some(found) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(found);
            }
        }
    }
    None
}

/// Import edges between modules cut to `depth` path segments; a module
/// and the modules inside it are one node's parent and children, not an
/// edge.
fn graph_at(edges: &BTreeSet<(Module, Module)>, depth: usize) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (a, b) in edges {
        let (a, b) = (a[..a.len().min(depth)].to_vec(), b[..b.len().min(depth)].to_vec());
        if a.starts_with(&b) || b.starts_with(&a) {
            continue;
        }
        graph.entry(a).or_default().insert(b);
    }
    graph
}

#[test]
fn core_modules_import_each_other_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let defined: Vec<(Module, bool, PathBuf)> = files
        .iter()
        .map(|f| {
            let (m, is_mod) = module_of(&root, f);
            (m, is_mod, f.clone())
        })
        .collect();
    let modules: BTreeSet<Module> = defined.iter().map(|(m, _, _)| m.clone()).collect();
    assert!(modules.len() > 40, "the core's sources were found: {}", modules.len());
    let mut edges = BTreeSet::new();
    for (module, is_mod, file) in &defined {
        let src = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for path in paths(module, *is_mod, &code(&src)) {
            if let Some(target) = resolve(&modules, &path) {
                if &target != module {
                    edges.insert((module.clone(), target));
                }
            }
        }
    }
    assert!(
        edges.iter().any(|(a, b)| a == &["scan".to_string()] && b[0] == "analyze"),
        "imports were found (scan uses analyze)"
    );
    for depth in 1..=3 {
        if let Some(found) = cycle(&graph_at(&edges, depth)) {
            let names: Vec<String> = found.iter().map(|m| m.join("::")).collect();
            panic!("import cycle between core modules: {}", names.join(" -> "));
        }
    }
}

#[test]
fn a_cycle_is_found() {
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Module>();
    let edges: BTreeSet<(Module, Module)> =
        [(m("read::json"), m("read::mail")), (m("read::mail"), m("read::json")), (m("scan"), m("read"))].into();
    assert!(cycle(&graph_at(&edges, 1)).is_none(), "inside one folder at depth 1");
    let found = cycle(&graph_at(&edges, 2)).expect("a cycle inside read/");
    assert_eq!(found.first(), found.last());
    let modules: BTreeSet<Module> = [m("read"), m("read::json")].into();
    assert_eq!(
        paths(&m("read::mail"), false, "use super::json::{frame, Block};\nuse crate::read::json;"),
        [m("read::json"), m("read::json::frame"), m("read::json::Block")]
    );
    assert_eq!(resolve(&modules, &m("read::json::frame")), Some(m("read::json")));
}
