//! Options of the re-ranking stage: the sentence encoder's folder (scan,
//! eval, train) and, for `scan`, the head and how many posts it reads.

use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::scan::Rerank;
use leadminer_core::score::rerank::{Encode, Head};
use leadminer_core::setup::Scorer;
use leadminer_rerank::tune::TunedEncoder;
use leadminer_rerank::{default_dir, is_encoder_dir, Encoder};
use std::path::PathBuf;
use std::sync::Arc;

/// The encoder's folder.
#[derive(Args, Debug, Clone)]
pub struct EncoderDir {
    /// The re-ranking stage's sentence encoder: a folder with config.json,
    /// tokenizer.json and model.safetensors of all-mpnet-base-v2
    /// (`scripts/fetch-encoder.sh` fetches it) or of the smaller, five
    /// times faster all-MiniLM-L6-v2 (`scripts/fetch-encoder.sh --small`);
    /// each has a built-in head. By default $LEADMINER_ENCODER, else
    /// ~/.local/share/leadminer/all-mpnet-base-v2, else
    /// ~/.local/share/leadminer/all-minilm-l6-v2, the first that is there;
    /// LEADMINER_ENCODER=off turns the search off.
    #[arg(long, value_name = "DIR")]
    pub encoder: Option<PathBuf>,
}

impl EncoderDir {
    /// The folder given, or the one found where it is looked for; `None`
    /// when none was given and none is there.
    pub fn dir(&self) -> Option<PathBuf> {
        self.encoder.clone().or_else(|| default_dir().filter(|d| is_encoder_dir(d)))
    }
}

/// The encoder of `eval --cv --rerank` and `train --rerank-out`.
#[derive(Args, Debug, Clone)]
pub struct EncoderArgs {
    #[command(flatten)]
    pub dir: EncoderDir,

    /// `eval --cv --rerank` and `train --rerank-out`: keep the labeled
    /// posts' embeddings in this file (JSON lines) and reuse them, so a
    /// second run with other options does not read the posts again.
    #[arg(long, value_name = "FILE")]
    pub embedding_cache: Option<PathBuf>,
}

impl EncoderArgs {
    /// The encoder, which must be there.
    pub fn require(&self, what: &str) -> Result<Encoder> {
        Ok(Encoder::load(&self.require_dir(what)?)?)
    }

    /// The encoder's folder, which must be there.
    pub fn require_dir(&self, what: &str) -> Result<PathBuf> {
        self.dir.dir().with_context(|| {
            format!("{what} needs the sentence encoder: fetch it with scripts/fetch-encoder.sh or name it with --encoder DIR")
        })
    }
}

/// Which head the re-ranking stage reads with, or none (`scan`, `eval`,
/// `explain`).
#[derive(Args, Debug, Clone)]
pub struct HeadArgs {
    /// The re-ranking head (`leadminer train --rerank-out`) instead of the
    /// built-in one of the encoder.
    #[arg(long, value_name = "FILE")]
    pub rerank_head: Option<PathBuf>,

    /// Score with the first stage only, even when the encoder is there.
    #[arg(long)]
    pub no_rerank: bool,
}

impl HeadArgs {
    /// The stage, reading at most `top` posts of each label: on with the
    /// learned scorer when the encoder is given or found, unless
    /// --no-rerank.
    pub fn stage(&self, encoder: &EncoderDir, scorer: Scorer, top: usize) -> Result<Option<Rerank>> {
        if self.no_rerank || top == 0 {
            return Ok(None);
        }
        if scorer == Scorer::Rules {
            if encoder.encoder.is_some() || self.rerank_head.is_some() {
                anyhow::bail!("the re-ranking stage works with --scorer learned, not rules");
            }
            return Ok(None);
        }
        let Some(dir) = encoder.dir() else {
            if let Some(head) = &self.rerank_head {
                anyhow::bail!("--rerank-head {}: no encoder to read posts with (scripts/fetch-encoder.sh)", head.display());
            }
            return Ok(None);
        };
        let Some(path) = &self.rerank_head else {
            // The built-in head of the encoder found.
            let encoder = Encoder::load(&dir)?;
            let Some(head) = Head::builtin_for(encoder.name()) else {
                anyhow::bail!(
                    "leadminer has no built-in head for {}, the encoder in {}: fit one (train --rerank-out) and give it with --rerank-head",
                    encoder.name(),
                    dir.display()
                );
            };
            return Ok(Some(Rerank { head, encoder: Arc::new(encoder), top }));
        };
        let head = Head::load(path)?;
        let encoder: Arc<dyn Encode> = match &head.tuned {
            Some(tuned) => {
                let tuned = path.parent().unwrap_or(std::path::Path::new(".")).join(tuned);
                Arc::new(TunedEncoder::load(&dir, &tuned)?)
            }
            None => Arc::new(Encoder::load(&dir)?),
        };
        if head.encoder != encoder.name() {
            anyhow::bail!(
                "--rerank-head {} was fitted on {} embeddings, but the encoder in {} is {}: fit a head on it (train --rerank-out) or give the encoder the head was fitted on",
                path.display(),
                head.encoder,
                dir.display(),
                encoder.name()
            );
        }
        Ok(Some(Rerank { head, encoder, top }))
    }
}

/// The re-ranking stage of a scan.
#[derive(Args, Debug, Clone)]
pub struct RerankArgs {
    #[command(flatten)]
    pub encoder: EncoderDir,

    #[command(flatten)]
    pub head: HeadArgs,

    /// How many of the best posts of each label the re-ranking stage reads.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub rerank_top: usize,
}

impl RerankArgs {
    /// The stage: on with the learned scorer when the encoder is given or
    /// found, unless --no-rerank or --rerank-top 0.
    pub fn stage(&self, scorer: Scorer) -> Result<Option<Rerank>> {
        self.head.stage(&self.encoder, scorer, self.rerank_top)
    }

    /// The options as given, for the summary.
    pub fn described(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(dir) = &self.encoder.encoder {
            out.push(("encoder".to_string(), dir.display().to_string()));
        }
        if let Some(head) = &self.head.rerank_head {
            out.push(("rerank-head".to_string(), head.display().to_string()));
        }
        if self.rerank_top != 100 {
            out.push(("rerank-top".to_string(), self.rerank_top.to_string()));
        }
        if self.head.no_rerank {
            out.push(("no-rerank".to_string(), "true".to_string()));
        }
        out
    }
}
