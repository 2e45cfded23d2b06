//! Ctrl-C (SIGINT) and SIGTERM: the first stops reading and lets the
//! command end cleanly (a scan keeps the previous results and says so);
//! a second ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The flag the handler sets, installing the handler on first use.
pub fn flag() -> Arc<AtomicBool> {
    Arc::clone(FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let set = Arc::clone(&flag);
        let installed = ctrlc::set_handler(move || {
            if set.swap(true, Ordering::SeqCst) {
                eprintln!("\nleadminer: interrupted again; stopping now");
                std::process::exit(130);
            }
            eprintln!("\nleadminer: interrupted; stopping (press Ctrl-C again to stop at once)");
        });
        if let Err(e) = installed {
            eprintln!("note: Ctrl-C will stop leadminer without cleaning up: {e}");
        }
        flag
    }))
}
