//! `include/leadminer_plugin.h` against `abi.rs`: compiles a C program that
//! prints the size and alignment of every struct and the offset of every
//! field, and compares each with the Rust side. Needs a C compiler (`cc`, or
//! `$CC`).

use leadminer_plugin::abi::*;
use std::collections::BTreeMap;
use std::mem::{align_of, offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

fn field_size<T, F>(_: fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// (C struct, C field, Rust value): the offset of every field and its size
/// (`field#size`), and the size (empty field name) and alignment (`#align`)
/// of every struct.
fn rust_layout() -> Vec<(&'static str, &'static str, usize)> {
    macro_rules! fields {
        ($out:ident, $c:literal, $t:ty, [$($f:ident),*]) => {
            $out.push(($c, "", size_of::<$t>()));
            $out.push(($c, "#align", align_of::<$t>()));
            $(
                $out.push(($c, stringify!($f), offset_of!($t, $f)));
                $out.push(($c, concat!(stringify!($f), "#size"), field_size(|s: &$t| &s.$f)));
            )*
        };
    }
    let mut v = Vec::new();
    fields!(v, "LmStr", Str, [ptr, len]);
    fields!(v, "LmRegionView", RegionView, [kind, start, end]);
    fields!(
        v,
        "LmPostView",
        PostView,
        [
            struct_size,
            text,
            body_offset,
            id,
            source,
            community,
            kind,
            author,
            created,
            has_created,
            regions,
            regions_len
        ]
    );
    fields!(v, "LmSignalView", SignalView, [struct_size, kind, rule, start, end, weight]);
    fields!(
        v,
        "LmPluginDescriptor",
        PluginDescriptor,
        [
            magic,
            abi_version,
            struct_size,
            name,
            version,
            kinds,
            kinds_len,
            triggers,
            triggers_len,
            create,
            analyze,
            destroy,
            last_error
        ]
    );
    // The header is the descriptor's first three fields.
    v.push(("LmPluginDescriptor", "magic", offset_of!(PluginHeader, magic)));
    v.push(("LmPluginDescriptor", "abi_version", offset_of!(PluginHeader, abi_version)));
    v.push(("LmPluginDescriptor", "struct_size", offset_of!(PluginHeader, struct_size)));
    v
}

fn c_program(layout: &[(&str, &str, usize)]) -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <stdalign.h>\n#include \"leadminer_plugin.h\"\nint main(void) {\n",
    );
    for (s, f, _) in layout {
        let expr = match *f {
            "" => format!("sizeof({s})"),
            "#align" => format!("alignof({s})"),
            f if f.ends_with("#size") => format!("sizeof((({s} *)0)->{})", f.trim_end_matches("#size")),
            _ => format!("offsetof({s}, {f})"),
        };
        c.push_str(&format!("  printf(\"{s}.{f} %zu\\n\", (size_t){expr});\n"));
    }
    for (name, _) in constants() {
        c.push_str(&format!("  printf(\"{name} %llu\\n\", (unsigned long long){name});\n"));
    }
    c.push_str("  printf(\"LM_ENTRY_SYMBOL %s\\n\", LM_ENTRY_SYMBOL);\n  return 0;\n}\n");
    c
}

fn constants() -> Vec<(&'static str, u64)> {
    vec![
        ("LM_ABI_VERSION", u64::from(ABI_VERSION)),
        ("LM_MAGIC", MAGIC),
        ("LM_STATUS_OK", STATUS_OK as u64),
        ("LM_STATUS_ERROR", STATUS_ERROR as u64),
        ("LM_STATUS_PANIC", STATUS_PANIC as u64),
        ("LM_REGION_QUOTE", u64::from(REGION_QUOTE)),
        ("LM_REGION_CODE", u64::from(REGION_CODE)),
    ]
}

fn include_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("include")
}

#[test]
fn header_matches_rust_abi() {
    let layout = rust_layout();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("header-check");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, c_program(&layout)).expect("write C program");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(include_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler '{cc}' (install build-essential): {e}"));
    assert!(status.success(), "the layout program does not compile");
    let out = Command::new(&exe).output().expect("the layout program runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let c: BTreeMap<&str, &str> = stdout.lines().filter_map(|l| l.split_once(' ')).collect();
    let mut mismatches = Vec::new();
    for (s, f, rust) in &layout {
        let key = format!("{s}.{f}");
        let got = c.get(key.as_str()).and_then(|v| v.parse::<usize>().ok());
        if got != Some(*rust) {
            mismatches.push(format!("{key}: C {got:?}, Rust {rust}"));
        }
    }
    for (name, rust) in constants() {
        let got = c.get(name).and_then(|v| v.parse::<u64>().ok());
        if got != Some(rust) {
            mismatches.push(format!("{name}: C {got:?}, Rust {rust}"));
        }
    }
    if c.get("LM_ENTRY_SYMBOL").copied() != Some(ENTRY_SYMBOL) {
        mismatches.push(format!("LM_ENTRY_SYMBOL: C {:?}, Rust {ENTRY_SYMBOL}", c.get("LM_ENTRY_SYMBOL")));
    }
    assert!(mismatches.is_empty(), "header and abi.rs disagree:\n{}", mismatches.join("\n"));
}

#[test]
fn header_keeps_the_fixed_header() {
    // The header's layout never changes: magic at 0, version at 8, size at 12.
    assert_eq!(offset_of!(PluginHeader, magic), 0);
    assert_eq!(offset_of!(PluginHeader, abi_version), 8);
    assert_eq!(offset_of!(PluginHeader, struct_size), 12);
    assert_eq!(size_of::<PluginHeader>(), 16);
    assert_eq!(MAGIC.to_le_bytes(), *b"LMPLUGIN");
    assert_eq!(ENTRY_SYMBOL_NUL, format!("{ENTRY_SYMBOL}\0").as_bytes());
}
