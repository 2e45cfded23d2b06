//! Fine-tuning the encoder for the re-ranking stage: the first five
//! layers of all-MiniLM-L6-v2 stay as they are ([`Lower`], whose output a
//! fit computes once per post), the sixth layer and a classifier over its
//! mean-pooled output are trained on the labels ([`Tuned`]).
//!
//! The layer is written here with candle's tensor operations (the BERT of
//! `candle-transformers` keeps its layers' parts private, and its layer
//! norm has no gradient); it computes what that BERT's last layer computes
//! (a test checks the two agree).

use crate::folder::{config_as, config_of, open_files};
use crate::EncoderError;
use leadminer_core::score::rerank::{Encode, Head, HeadLabel, Unit, HEAD_FORMAT};
use leadminer_core::score::{Label, PerLabel};
use leadminer_learn::{LearnError, Reader, Row, Stack};
use candle_core::{DType, Device, Module, Tensor, Var, D};
use candle_nn::{Embedding, LayerNorm, Linear, Optimizer, VarBuilder};
use candle_transformers::models::bert::{BertEncoder, Config};
use std::collections::HashMap;
use std::path::Path;

/// How many labels a [`Tuned`] classifier gives (leadminer's four).
pub const LABELS: usize = 4;

/// The mean-pooled output is scaled to unit length and multiplied by this
/// before the classifier (components of about unit size).
const SCALE: f64 = 20.0;

/// The frozen part: embeddings and the first layers.
pub struct Lower {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    norm: LayerNorm,
    layers: BertEncoder,
    tokenizer: tokenizers::Tokenizer,
    config: Config,
    dir: String,
    device: Device,
}

impl std::fmt::Debug for Lower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lower").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// The weights of the encoder's folder, the BERT config and the tokenizer
/// (fine-tuning works on BERT encoders only).
pub(crate) fn open(dir: &Path) -> Result<(Config, tokenizers::Tokenizer, Vec<u8>), EncoderError> {
    let (kind, config) = config_of(dir)?;
    if kind != "bert" {
        return Err(EncoderError::Model {
            dir: dir.display().to_string(),
            message: format!(
                "fine-tuning works on BERT encoders (all-MiniLM-L6-v2: scripts/fetch-encoder.sh --small, then --encoder with its folder), not on {kind}"
            ),
        });
    }
    let config = config_as(dir, config)?;
    let (tokenizer, bytes) = open_files(dir)?;
    Ok((config, tokenizer, bytes))
}

impl Lower {
    /// Loads the frozen part of the encoder in `dir`.
    pub fn load(dir: &Path) -> Result<Lower, EncoderError> {
        let (config, tokenizer, bytes) = open(dir)?;
        let err = |e: candle_core::Error| EncoderError::Model { dir: dir.display().to_string(), message: e.to_string() };
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device).map_err(err)?;
        let e = vb.pp("embeddings");
        let h = config.hidden_size;
        let word = candle_nn::embedding(config.vocab_size, h, e.pp("word_embeddings")).map_err(err)?;
        let position = candle_nn::embedding(config.max_position_embeddings, h, e.pp("position_embeddings")).map_err(err)?;
        let token_type = candle_nn::embedding(config.type_vocab_size, h, e.pp("token_type_embeddings")).map_err(err)?;
        let norm = candle_nn::layer_norm(h, config.layer_norm_eps, e.pp("LayerNorm")).map_err(err)?;
        let lower = Config { num_hidden_layers: config.num_hidden_layers - 1, ..config.clone() };
        let layers = BertEncoder::load(vb.pp("encoder"), &lower).map_err(err)?;
        Ok(Lower { word, position, token_type, norm, layers, tokenizer, config, dir: dir.display().to_string(), device })
    }

    /// The input of the last layer for `text`'s first [`MAX_TOKENS`](crate::MAX_TOKENS)
    /// tokens: a tensor of shape (1, tokens, hidden).
    pub fn hidden(&self, text: &str) -> Result<Tensor, EncoderError> {
        let err = |message: String| EncoderError::Model { dir: self.dir.clone(), message };
        let encoding = self.tokenizer.encode(text, true).map_err(|e| err(e.to_string()))?;
        let run = || -> candle_core::Result<Tensor> {
            let ids = Tensor::new(encoding.get_ids(), &self.device)?.unsqueeze(0)?;
            let n = encoding.get_ids().len();
            let positions = Tensor::arange(0u32, n as u32, &self.device)?;
            let x = self
                .word
                .forward(&ids)?
                .add(&self.token_type.forward(&ids.zeros_like()?)?)?
                .broadcast_add(&self.position.forward(&positions)?)?;
            let x = self.norm.forward(&x)?;
            let mask = Tensor::zeros((1, 1, 1, n), DType::F32, &self.device)?;
            self.layers.forward(&x, &mask)
        };
        run().map_err(|e| err(e.to_string()))
    }

    /// The encoder's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// The names of the last layer's weights in the encoder's file, after
/// `encoder.layer.N.`.
const LAYER_WEIGHTS: [&str; 16] = [
    "attention.self.query.weight",
    "attention.self.query.bias",
    "attention.self.key.weight",
    "attention.self.key.bias",
    "attention.self.value.weight",
    "attention.self.value.bias",
    "attention.output.dense.weight",
    "attention.output.dense.bias",
    "attention.output.LayerNorm.weight",
    "attention.output.LayerNorm.bias",
    "intermediate.dense.weight",
    "intermediate.dense.bias",
    "output.dense.weight",
    "output.dense.bias",
    "output.LayerNorm.weight",
    "output.LayerNorm.bias",
];

/// The trained part: the last layer and a classifier of [`LABELS`] logits
/// over its mean-pooled output.
pub struct Tuned {
    /// The layer's weights, in [`LAYER_WEIGHTS`] order, then the
    /// classifier's weight and bias.
    vars: Vec<Var>,
    heads: usize,
    eps: f64,
}

impl std::fmt::Debug for Tuned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tuned").field("heads", &self.heads).finish_non_exhaustive()
    }
}

/// Options of a fine-tuning run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TuneOptions {
    /// Passes over the training posts.
    pub epochs: usize,
    /// Posts per optimizer step.
    pub batch: usize,
    /// AdamW's learning rate for the layer.
    pub layer_rate: f64,
    /// AdamW's learning rate for the classifier.
    pub classifier_rate: f64,
    /// AdamW's weight decay.
    pub weight_decay: f64,
    /// Seeds the classifier's start and the order of the posts.
    pub seed: u64,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions { epochs: 4, batch: 16, layer_rate: 1e-4, classifier_rate: 5e-3, weight_decay: 0.01, seed: 1 }
    }
}

/// One training post: the last layer's input and its labels (`None`
/// where the gold line does not give one).
pub struct Example<'a> {
    /// [`Lower::hidden`] of the post.
    pub hidden: &'a Tensor,
    /// Its labels.
    pub labels: [Option<bool>; LABELS],
}

/// A small deterministic generator (SplitMix64) for the classifier's start
/// and the order of the posts.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn layer_norm(x: &Tensor, weight: &Tensor, bias: &Tensor, eps: f64) -> candle_core::Result<Tensor> {
    let mean = x.mean_keepdim(D::Minus1)?;
    let centered = x.broadcast_sub(&mean)?;
    let var = centered.sqr()?.mean_keepdim(D::Minus1)?;
    centered.broadcast_div(&(var + eps)?.sqrt()?)?.broadcast_mul(weight)?.broadcast_add(bias)
}

impl Tuned {
    /// The encoder's last layer as it was pretrained, and a classifier
    /// with small random weights.
    pub fn pretrained(dir: &Path, seed: u64) -> Result<Tuned, EncoderError> {
        let (config, _, bytes) = open(dir)?;
        let err = |e: candle_core::Error| EncoderError::Model { dir: dir.display().to_string(), message: e.to_string() };
        let device = Device::Cpu;
        let tensors = candle_core::safetensors::load_buffer(&bytes, &device).map_err(err)?;
        let last = config.num_hidden_layers - 1;
        let mut vars = Vec::new();
        for name in LAYER_WEIGHTS {
            let key = format!("encoder.layer.{last}.{name}");
            let t = tensors.get(&key).ok_or_else(|| EncoderError::Model {
                dir: dir.display().to_string(),
                message: format!("no tensor {key}"),
            })?;
            vars.push(Var::from_tensor(t).map_err(err)?);
        }
        let h = config.hidden_size;
        let mut rng = SplitMix(seed);
        let bound = 0.1 / (h as f32).sqrt();
        let w: Vec<f32> = (0..LABELS * h).map(|_| (rng.uniform() * 2.0 - 1.0) * bound).collect();
        vars.push(Var::from_tensor(&Tensor::from_vec(w, (LABELS, h), &device).map_err(err)?).map_err(err)?);
        vars.push(Var::zeros(LABELS, DType::F32, &device).map_err(err)?);
        Ok(Tuned { vars, heads: config.num_attention_heads, eps: config.layer_norm_eps })
    }

    /// Reads a fine-tuned layer written by [`Tuned::save`].
    pub fn load(path: &Path, heads: usize, eps: f64) -> Result<Tuned, EncoderError> {
        let err = |e: candle_core::Error| EncoderError::File { path: path.display().to_string(), message: e.to_string() };
        let tensors = candle_core::safetensors::load(path, &Device::Cpu).map_err(err)?;
        let names = LAYER_WEIGHTS.iter().map(|n| n.to_string()).chain(["classifier.weight".into(), "classifier.bias".into()]);
        let mut vars = Vec::new();
        for name in names {
            let t = tensors.get(&name).ok_or_else(|| EncoderError::File {
                path: path.display().to_string(),
                message: format!("no tensor {name}"),
            })?;
            vars.push(Var::from_tensor(t).map_err(err)?);
        }
        Ok(Tuned { vars, heads, eps })
    }

    /// Writes the layer and the classifier as safetensors.
    pub fn save(&self, path: &Path) -> Result<(), EncoderError> {
        let names = LAYER_WEIGHTS.iter().map(|n| n.to_string()).chain(["classifier.weight".into(), "classifier.bias".into()]);
        let map: HashMap<String, Tensor> = names.zip(self.vars.iter().map(|v| v.as_tensor().clone())).collect();
        candle_core::safetensors::save(&map, path)
            .map_err(|e| EncoderError::File { path: path.display().to_string(), message: e.to_string() })
    }

    fn t(&self, i: usize) -> &Tensor {
        self.vars[i].as_tensor()
    }

    fn linear(&self, x: &Tensor, w: usize) -> candle_core::Result<Tensor> {
        Linear::new(self.t(w).clone(), Some(self.t(w + 1).clone())).forward(x)
    }

    /// The last layer's output for its input `x` (1, tokens, hidden).
    pub fn layer(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (b, n, h) = x.dims3()?;
        let d = h / self.heads;
        let split = |t: Tensor| -> candle_core::Result<Tensor> { t.reshape((b, n, self.heads, d))?.transpose(1, 2)?.contiguous() };
        let q = split(self.linear(x, 0)?)?;
        let k = split(self.linear(x, 2)?)?;
        let v = split(self.linear(x, 4)?)?;
        let scores = (q.matmul(&k.t()?)? / (d as f64).sqrt())?;
        let probs = candle_nn::ops::softmax(&scores, D::Minus1)?;
        let context = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((b, n, h))?;
        let attended = layer_norm(&(self.linear(&context, 6)? + x)?, self.t(8), self.t(9), self.eps)?;
        let inner = self.linear(&attended, 10)?.gelu_erf()?;
        layer_norm(&(self.linear(&inner, 12)? + &attended)?, self.t(14), self.t(15), self.eps)
    }

    /// The classifier's logits for a post, from its last layer's input.
    pub fn logits(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        // Unit length times 20, as the frozen head reads its embeddings.
        let pooled = self.layer(x)?.mean(1)?;
        let pooled = (pooled.broadcast_div(&pooled.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?)? * SCALE)?;
        Linear::new(self.t(16).clone(), Some(self.t(17).clone())).forward(&pooled)?.squeeze(0)
    }

    /// The probability of each label for a post, from its last layer's
    /// input.
    pub fn probabilities(&self, x: &Tensor) -> candle_core::Result<[f32; LABELS]> {
        let p = candle_nn::ops::sigmoid(&self.logits(x)?)?.to_vec1::<f32>()?;
        let mut out = [0.0; LABELS];
        out.copy_from_slice(&p[..LABELS]);
        Ok(out)
    }

    /// Trains the layer and the classifier on `examples` (binary
    /// cross-entropy over the labels each gives), calling `progress` with
    /// the epoch and its mean loss after each epoch.
    pub fn fit(
        &mut self,
        examples: &[Example<'_>],
        options: &TuneOptions,
        progress: &dyn Fn(usize, f32),
    ) -> candle_core::Result<()> {
        let params = |lr: f64| candle_nn::ParamsAdamW { lr, weight_decay: options.weight_decay, ..Default::default() };
        let split = LAYER_WEIGHTS.len();
        let mut layer_opt = candle_nn::AdamW::new(self.vars[..split].to_vec(), params(options.layer_rate))?;
        let mut head_opt = candle_nn::AdamW::new(self.vars[split..].to_vec(), params(options.classifier_rate))?;
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = SplitMix(options.seed.wrapping_add(17));
        let device = Device::Cpu;
        for epoch in 0..options.epochs {
            for i in (1..order.len()).rev() {
                order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
            let mut total = 0.0f32;
            for batch in order.chunks(options.batch.max(1)) {
                let mut loss: Option<Tensor> = None;
                let mut count = 0usize;
                for &i in batch {
                    let e = &examples[i];
                    let given: Vec<usize> = (0..LABELS).filter(|&l| e.labels[l].is_some()).collect();
                    if given.is_empty() {
                        continue;
                    }
                    let logits = self.logits(e.hidden)?;
                    let index = Tensor::new(given.iter().map(|&l| l as u32).collect::<Vec<_>>(), &device)?;
                    let target: Vec<f32> = given.iter().map(|&l| if e.labels[l] == Some(true) { 1.0 } else { 0.0 }).collect();
                    let target = Tensor::new(target, &device)?;
                    let l = candle_nn::loss::binary_cross_entropy_with_logit(&logits.index_select(&index, 0)?, &target)?;
                    count += 1;
                    loss = Some(match loss {
                        Some(sum) => (sum + l)?,
                        None => l,
                    });
                }
                let Some(loss) = loss else { continue };
                let loss = (loss / count as f64)?;
                total += loss.to_scalar::<f32>()? * count as f32;
                let grads = loss.backward()?;
                layer_opt.step(&grads)?;
                head_opt.step(&grads)?;
            }
            progress(epoch + 1, total / examples.len().max(1) as f32);
        }
        Ok(())
    }
}

/// The encoder with a fine-tuned last layer: [`Encode::encode`] gives the
/// classifier's logits, one per label, which a head with one-hot weights
/// turns into probabilities ([`tuned_head`]).
pub struct TunedEncoder {
    lower: Lower,
    tuned: Tuned,
}

impl std::fmt::Debug for TunedEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TunedEncoder").field("lower", &self.lower).finish_non_exhaustive()
    }
}

impl TunedEncoder {
    /// The encoder in `dir` with the fine-tuned layer in `tuned`.
    pub fn load(dir: &Path, tuned: &Path) -> Result<TunedEncoder, EncoderError> {
        let lower = Lower::load(dir)?;
        let tuned = Tuned::load(tuned, lower.config.num_attention_heads, lower.config.layer_norm_eps)?;
        Ok(TunedEncoder { lower, tuned })
    }
}

impl Encode for TunedEncoder {
    fn name(&self) -> &str {
        crate::NAME
    }

    fn encode(&self, text: &str) -> Result<Vec<f32>, String> {
        let hidden = self.lower.hidden(text).map_err(|e| e.to_string())?;
        self.tuned.logits(&hidden).and_then(|l| l.to_vec1::<f32>()).map_err(|e| e.to_string())
    }
}

/// A head over a [`TunedEncoder`]'s logits: each label's weights pick its
/// own logit; blends and thresholds from `stack`.
pub fn tuned_head(tuned: &str, stack: &PerLabel<Stack>, trained_on: Vec<String>) -> Head {
    Head {
        format: HEAD_FORMAT,
        encoder: crate::NAME.to_string(),
        unit: Unit::Post,
        tuned: Some(tuned.to_string()),
        scale: 1.0,
        trained_on,
        labels: PerLabel::from_fn(|label| HeadLabel {
            bias: 0.0,
            weights: Label::ALL.iter().map(|l| if *l == label { 1.0 } else { 0.0 }).collect(),
            blend: stack[label].blend,
            threshold: stack[label].threshold,
        }),
    }
}

/// Fine-tuning as a [`Reader`]: each fit starts from the pretrained layer
/// and trains on the listed training rows; the last layer's inputs are
/// computed once, for every row, when the reader is made.
pub struct TunedReader {
    dir: std::path::PathBuf,
    hidden: HashMap<String, Tensor>,
    options: TuneOptions,
    log: Box<dyn Fn(&str) + Sync>,
}

impl std::fmt::Debug for TunedReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TunedReader").field("dir", &self.dir).field("options", &self.options).finish_non_exhaustive()
    }
}

impl TunedReader {
    /// Reads `rows` with the encoder's first layers, calling `log` with
    /// what it does.
    pub fn new(
        dir: &Path,
        rows: &[Row],
        options: TuneOptions,
        log: Box<dyn Fn(&str) + Sync>,
    ) -> Result<TunedReader, EncoderError> {
        let lower = Lower::load(dir)?;
        let started = std::time::Instant::now();
        let mut hidden = HashMap::new();
        for r in rows {
            hidden.insert(r.key.clone(), lower.hidden(&r.text)?);
        }
        log(&format!("read {} posts with the first layers in {:.0} s", rows.len(), started.elapsed().as_secs_f64()));
        Ok(TunedReader { dir: dir.to_path_buf(), hidden, options, log })
    }

    /// Fine-tunes the layer on the listed rows of `train`.
    pub fn fit(&self, train: &[&Row]) -> Result<Tuned, LearnError> {
        let err = |message: String| LearnError::Reader { message };
        let mut tuned = Tuned::pretrained(&self.dir, self.options.seed).map_err(|e| err(e.to_string()))?;
        let examples: Vec<Example<'_>> = train
            .iter()
            .filter(|r| r.features.is_some())
            .filter_map(|r| {
                Some(Example { hidden: self.hidden.get(&r.key)?, labels: Label::ALL.map(|l| r.gold[l]) })
            })
            .collect();
        let started = std::time::Instant::now();
        tuned
            .fit(&examples, &self.options, &|epoch, loss| {
                (self.log)(&format!("fine-tuning on {} posts: epoch {epoch}, loss {loss:.4}", examples.len()));
            })
            .map_err(|e| err(e.to_string()))?;
        (self.log)(&format!("fine-tuned in {:.0} s", started.elapsed().as_secs_f64()));
        Ok(tuned)
    }
}

impl Reader for TunedReader {
    fn fit_read(&self, train: &[&Row], read: &[&Row]) -> Result<Vec<Option<PerLabel<f32>>>, LearnError> {
        let tuned = self.fit(train)?;
        read.iter()
            .map(|r| {
                let Some(hidden) = self.hidden.get(&r.key) else { return Ok(None) };
                let p = tuned.probabilities(hidden).map_err(|e| LearnError::Reader { message: e.to_string() })?;
                Ok(Some(PerLabel::from(p)))
            })
            .collect()
    }

    /// Fine-tuning takes minutes: two folds of communities choose the
    /// blends and thresholds.
    fn inner_folds(&self) -> Option<usize> {
        Some(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{is_encoder_dir, minilm_dir};
    use candle_transformers::models::bert::BertModel;

    fn dir() -> Option<std::path::PathBuf> {
        match minilm_dir().filter(|d| is_encoder_dir(d)) {
            Some(d) => Some(d),
            None if std::env::var_os("CI").is_some() => panic!("CI must fetch the encoder (scripts/fetch-encoder.sh --small)"),
            None => {
                eprintln!("SKIPPED: no encoder (scripts/fetch-encoder.sh --small fetches it)");
                None
            }
        }
    }

    #[test]
    fn the_lower_layers_and_the_pretrained_last_layer_compute_what_bert_computes() {
        let Some(dir) = dir() else { return };
        let lower = Lower::load(&dir).expect("loads");
        let tuned = Tuned::pretrained(&dir, 1).expect("loads");
        let text = "I built a controller for my solar water heater.";
        let ours = tuned.layer(&lower.hidden(text).expect("runs")).expect("runs");
        let (config, tokenizer, bytes) = open(&dir).expect("opens");
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu).expect("weights");
        let bert = BertModel::load(vb, &config).expect("loads");
        let ids = tokenizer.encode(text, true).expect("tokenizes").get_ids().to_vec();
        let ids = Tensor::new(ids, &Device::Cpu).expect("ids").unsqueeze(0).expect("batch");
        let theirs = bert.forward(&ids, &ids.zeros_like().expect("types"), None).expect("runs");
        let diff = (ours - theirs).expect("same shape").abs().expect("abs").max_all().expect("max");
        let diff = diff.to_scalar::<f32>().expect("scalar");
        assert!(diff < 1e-4, "largest difference {diff}");
    }

    #[test]
    fn fine_tuning_fits_the_training_posts_and_a_saved_layer_reads_the_same() {
        let Some(dir) = dir() else { return };
        let lower = Lower::load(&dir).expect("loads");
        let made = ["I built a jig for my router.", "I made a clamp rack from scrap wood.", "I wrote a script to rename my photos.", "I built a heater for the van tank."];
        let asked = ["Where can I buy a moisture meter?", "Does anyone sell a cheap chisel sharpener?", "Is there an app that renames photos?", "Which heater should I buy for a van?"];
        let hidden: Vec<(Tensor, bool)> = made
            .iter()
            .map(|t| (lower.hidden(t).expect("reads"), true))
            .chain(asked.iter().map(|t| (lower.hidden(t).expect("reads"), false)))
            .collect();
        let examples: Vec<Example<'_>> =
            hidden.iter().map(|(h, yes)| Example { hidden: h, labels: [Some(*yes), None, Some(!*yes), None] }).collect();
        let mut tuned = Tuned::pretrained(&dir, 3).expect("loads");
        let options = TuneOptions { epochs: 12, batch: 4, ..TuneOptions::default() };
        tuned.fit(&examples, &options, &|_, _| {}).expect("fits");
        let p: Vec<[f32; LABELS]> = hidden.iter().map(|(h, _)| tuned.probabilities(h).expect("reads")).collect();
        let (low_made, high_asked) = (p[..4].iter().map(|p| p[0]).fold(1.0, f32::min), p[4..].iter().map(|p| p[0]).fold(0.0, f32::max));
        assert!(low_made > high_asked, "made {low_made} vs asked {high_asked}: {p:?}");

        let file = tempfile::tempdir().expect("temp dir");
        let path = file.path().join("tuned.safetensors");
        tuned.save(&path).expect("saves");
        let encoder = TunedEncoder::load(&dir, &path).expect("loads");
        let stack = PerLabel::from_fn(|_| Stack { learned_threshold: 0.5, blend: 0.5, threshold: 0.5 });
        let head = tuned_head("tuned.safetensors", &stack, Vec::new());
        let read = head.probabilities(&encoder.encode(made[0]).expect("encodes"));
        for (label, want) in Label::ALL.iter().zip(p[0]) {
            assert!((read[*label] - want).abs() < 1e-5, "{label:?}: {} vs {want}", read[*label]);
        }
    }
}
