//! MPNet (the architecture of all-mpnet-base-v2), written with candle's
//! tensor operations: `candle-transformers` has no MPNet. It is BERT with
//! no token types, positions counted from the padding id, and a learned
//! bias per attention head for each bucket of relative position (T5's
//! buckets), shared by all layers.
//!
//! Only what inference needs: one text at a time, no padding, no dropout.

use candle_core::{Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

/// The fields of an MPNet `config.json` the model reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Tokens in the vocabulary.
    pub vocab_size: usize,
    /// Width of every layer.
    pub hidden_size: usize,
    /// Transformer layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer.
    pub num_attention_heads: usize,
    /// Width of the feed-forward part.
    pub intermediate_size: usize,
    /// Rows of the position embedding.
    pub max_position_embeddings: usize,
    /// Epsilon of the layer norms.
    pub layer_norm_eps: f64,
    /// The padding token, from which positions are counted.
    pub pad_token_id: u32,
    /// Buckets of relative position.
    #[serde(default = "default_buckets")]
    pub relative_attention_num_buckets: usize,
}

fn default_buckets() -> usize {
    32
}

/// The farthest relative position told apart (MPNet's fixed value).
const MAX_DISTANCE: f64 = 128.0;

/// The bucket of a relative position `key - query`, as MPNet (after T5)
/// computes it: half the buckets for each direction, exact near zero and
/// logarithmic up to [`MAX_DISTANCE`].
fn bucket(relative: i64, buckets: usize) -> u32 {
    let half = (buckets / 2) as i64;
    let n = -relative;
    let mut ret = if n < 0 { half } else { 0 };
    let n = n.abs();
    let exact = half / 2;
    ret += if n < exact {
        n
    } else {
        // In f32, as the reference computes it (its rounding decides the
        // bucket of 16, 32 and 64).
        let log = (n as f32 / exact as f32).ln() / (MAX_DISTANCE / exact as f64).ln() as f32;
        let large = exact + (log * (half - exact) as f32) as i64;
        large.min(half - 1)
    };
    ret as u32
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    heads: usize,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config) -> Result<Layer> {
        let h = c.hidden_size;
        let a = vb.pp("attention");
        Ok(Layer {
            q: candle_nn::linear(h, h, a.pp("attn.q"))?,
            k: candle_nn::linear(h, h, a.pp("attn.k"))?,
            v: candle_nn::linear(h, h, a.pp("attn.v"))?,
            o: candle_nn::linear(h, h, a.pp("attn.o"))?,
            attention_norm: candle_nn::layer_norm(h, c.layer_norm_eps, a.pp("LayerNorm"))?,
            intermediate: candle_nn::linear(h, c.intermediate_size, vb.pp("intermediate.dense"))?,
            output: candle_nn::linear(c.intermediate_size, h, vb.pp("output.dense"))?,
            output_norm: candle_nn::layer_norm(h, c.layer_norm_eps, vb.pp("output.LayerNorm"))?,
            heads: c.num_attention_heads,
        })
    }

    /// `x`: (1, tokens, hidden); `bias`: (1, heads, tokens, tokens).
    fn forward(&self, x: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let (b, n, h) = x.dims3()?;
        let d = h / self.heads;
        let split = |t: Tensor| t.reshape((b, n, self.heads, d))?.transpose(1, 2)?.contiguous();
        let q = split(self.q.forward(x)?)?;
        let k = split(self.k.forward(x)?)?;
        let v = split(self.v.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (d as f64).sqrt())?.broadcast_add(bias)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, n, h))?;
        let attended = self.attention_norm.forward(&(self.o.forward(&context)? + x)?)?;
        let inner = self.intermediate.forward(&attended)?.gelu_erf()?;
        self.output_norm.forward(&(self.output.forward(&inner)? + attended)?)
    }
}

/// An MPNet encoder, loaded.
pub struct MpNet {
    word: Embedding,
    position: Embedding,
    norm: LayerNorm,
    layers: Vec<Layer>,
    relative: Embedding,
    config: Config,
}

impl MpNet {
    /// Loads the weights under `vb` (names as in the Hugging Face
    /// checkpoints: `embeddings.*`, `encoder.layer.N.*`,
    /// `encoder.relative_attention_bias`).
    pub fn load(vb: VarBuilder, config: &Config) -> Result<MpNet> {
        let h = config.hidden_size;
        let e = vb.pp("embeddings");
        let encoder = vb.pp("encoder");
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(encoder.pp(format!("layer.{i}")), config))
            .collect::<Result<Vec<_>>>()?;
        Ok(MpNet {
            word: candle_nn::embedding(config.vocab_size, h, e.pp("word_embeddings"))?,
            position: candle_nn::embedding(config.max_position_embeddings, h, e.pp("position_embeddings"))?,
            norm: candle_nn::layer_norm(h, config.layer_norm_eps, e.pp("LayerNorm"))?,
            layers,
            relative: candle_nn::embedding(
                config.relative_attention_num_buckets,
                config.num_attention_heads,
                encoder.pp("relative_attention_bias"),
            )?,
            config: config.clone(),
        })
    }

    /// The last layer's token vectors, (1, tokens, hidden), of one
    /// unpadded sequence of token ids.
    pub fn forward(&self, ids: &[u32]) -> Result<Tensor> {
        let device = self.word.embeddings().device();
        let n = ids.len();
        let tokens = Tensor::new(ids, device)?.unsqueeze(0)?;
        let start = self.config.pad_token_id + 1;
        let positions = Tensor::arange(start, start + n as u32, device)?.unsqueeze(0)?;
        let mut x = self.norm.forward(&(self.word.forward(&tokens)? + self.position.forward(&positions)?)?)?;
        let buckets: Vec<u32> = (0..n as i64)
            .flat_map(|query| (0..n as i64).map(move |key| (query, key)))
            .map(|(query, key)| bucket(key - query, self.config.relative_attention_num_buckets))
            .collect();
        let bias = self
            .relative
            .forward(&Tensor::from_vec(buckets, (n, n), device)?)?
            .permute((2, 0, 1))?
            .unsqueeze(0)?
            .contiguous()?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias)?;
        }
        Ok(x)
    }
}

impl std::fmt::Debug for MpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MpNet").field("layers", &self.layers.len()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_exact_near_zero_and_logarithmic_far_off() {
        // Keys before the query (negative relative positions) take the
        // lower half, keys after it the upper half.
        assert_eq!(bucket(0, 32), 0);
        assert_eq!(bucket(-1, 32), 1);
        assert_eq!(bucket(-7, 32), 7);
        assert_eq!(bucket(1, 32), 17);
        assert_eq!(bucket(7, 32), 23);
        // 8 + floor(ln(n / 8) / ln(16) * 8)
        assert_eq!(bucket(-8, 32), 8);
        assert_eq!(bucket(-16, 32), 10);
        assert_eq!(bucket(-32, 32), 12);
        assert_eq!(bucket(-127, 32), 15);
        assert_eq!(bucket(-1000, 32), 15);
        assert_eq!(bucket(1000, 32), 31);
    }
}
