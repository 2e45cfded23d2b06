//! The encoder's folder: `config.json` (whose `model_type` says which
//! architecture reads the weights), `tokenizer.json` and
//! `model.safetensors`, read with errors that name the file.

use crate::{EncoderError, MAX_TOKENS};
use std::path::{Path, PathBuf};

/// The file `name` of the encoder's folder, which must be there.
fn file(dir: &Path, name: &str) -> Result<PathBuf, EncoderError> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(EncoderError::File { path: path.display().to_string(), message: "not found".into() })
    }
}

/// The encoder's `config.json` and its `model_type` (`bert` when absent).
pub(crate) fn config_of(dir: &Path) -> Result<(String, serde_json::Value), EncoderError> {
    let config_path = file(dir, "config.json")?;
    let config: serde_json::Value = std::fs::read_to_string(&config_path)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
        .map_err(|message| EncoderError::File { path: config_path.display().to_string(), message })?;
    let kind = config.get("model_type").and_then(|t| t.as_str()).unwrap_or("bert").to_string();
    Ok((kind, config))
}

/// `config` read as `T`.
pub(crate) fn config_as<T: serde::de::DeserializeOwned>(dir: &Path, config: serde_json::Value) -> Result<T, EncoderError> {
    serde_json::from_value(config).map_err(|e| EncoderError::File { path: dir.join("config.json").display().to_string(), message: e.to_string() })
}

/// The tokenizer (truncating at [`MAX_TOKENS`]) and the weights of the
/// encoder's folder.
pub(crate) fn open_files(dir: &Path) -> Result<(tokenizers::Tokenizer, Vec<u8>), EncoderError> {
    let tokenizer_path = file(dir, "tokenizer.json")?;
    let mut tokenizer = tokenizers::Tokenizer::from_file(&tokenizer_path)
        .map_err(|e| EncoderError::File { path: tokenizer_path.display().to_string(), message: e.to_string() })?;
    tokenizer
        .with_truncation(Some(tokenizers::TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
        .map_err(|e| EncoderError::Model { dir: dir.display().to_string(), message: e.to_string() })?;
    tokenizer.with_padding(None);
    let weights = file(dir, "model.safetensors")?;
    let bytes = std::fs::read(&weights)
        .map_err(|e| EncoderError::File { path: weights.display().to_string(), message: e.to_string() })?;
    Ok((tokenizer, bytes))
}
