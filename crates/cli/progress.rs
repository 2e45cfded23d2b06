//! The progress bar of long reads (`indicatif`, on stderr): bytes of the
//! inputs consumed against their total size (compressed bytes for
//! compressed files), rate and time left, posts read, records skipped and
//! the file being read. Drawn only when stderr is a terminal and not
//! `--quiet`; with `--verbose` each skipped record's location is printed
//! as it is skipped, terminal or not.

use crate::ui;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leadminer_core::read::{InputFile, ReadProgress};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A running display; [`Display::finish`] stops it.
pub struct Display {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The counters a read should fill, when anything is to be shown.
pub fn counters() -> Option<Arc<ReadProgress>> {
    let shown = !ui::quiet() && (std::io::stderr().is_terminal() || ui::verbose());
    shown.then(|| ReadProgress::new(ui::verbose()))
}

impl Display {
    /// Starts showing `progress` of reading `files`.
    pub fn start(progress: Option<&Arc<ReadProgress>>, files: &[InputFile]) -> Display {
        let Some(progress) = progress.cloned() else { return Display { stop: Arc::default(), thread: None } };
        let total: u64 = files.iter().filter_map(|f| std::fs::metadata(&f.path).ok()).map(|m| m.len()).sum();
        let bar = if std::io::stderr().is_terminal() && !ui::quiet() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(8));
            let template = if ui::color(true) {
                "{bar:30.cyan/blue} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}"
            } else {
                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            Some(bar)
        } else {
            None
        };
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || loop {
            let done = stopping.load(Ordering::Relaxed);
            for note in progress.take_notes() {
                match &bar {
                    Some(bar) => bar.println(format!("skipped: {note}")),
                    None => eprintln!("skipped: {note}"),
                }
            }
            if let Some(bar) = &bar {
                bar.set_position(progress.bytes());
                bar.set_message(format!(
                    "{} posts, {} skipped  {}",
                    progress.posts(),
                    progress.skipped(),
                    progress.file()
                ));
            }
            if done {
                if let Some(bar) = &bar {
                    bar.finish_and_clear();
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        });
        Display { stop, thread: Some(thread) }
    }

    /// Stops the display and clears the bar.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
